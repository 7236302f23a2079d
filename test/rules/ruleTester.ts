/**
 * A table-driven tester for engine rules, after typescript-eslint's RuleTester: `valid` cases must produce no
 * finding of the rule, `invalid` cases exactly the listed findings (rule id, line, column, and a message
 * fragment). All cases of a table are analysed in one project — one file (or folder) per case, so handlers of
 * different cases never share an event-loop domain — which keeps a table to one program load.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applyEdits, fixesFor, resolveSettings, Workspace, type AnalysisResult, type EngineSettings, type Finding } from '../../server/src/engine';

/** Where the temporary projects go: inside the repo, so `@types/node` resolves from its node_modules. */
const TMP_ROOT = path.resolve(__dirname, '../../.test-tmp');

export interface ExpectedFinding {
  /** Defaults to the table's rule id. */
  ruleId?: string;
  /** One-based line and column of the finding's start, in the case's main file. */
  line: number;
  column: number;
  /** A fragment the message must contain. */
  message?: string;
  /** For multi-file cases: the file, relative to the case folder. */
  file?: string;
}

export interface Case {
  name: string;
  /** The case's main file (`server.ts`). */
  code: string;
  /** Extra files for the case, by path relative to the case folder. */
  files?: Record<string, string>;
}

export interface InvalidCase extends Case {
  errors: ExpectedFinding[];
  /** The whole text of the first finding's file after its preferred quick fix is applied. */
  output?: string;
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023'],
    module: 'ESNext',
    moduleResolution: 'Bundler',
    types: ['node'],
    strict: true,
    experimentalDecorators: true,
    skipLibCheck: true,
  },
};

/** Writes the cases into one temp project and returns its folder and each case's folder. */
export function writeCases(cases: readonly Case[], label: string): { root: string; dirs: string[] } {
  fs.mkdirSync(TMP_ROOT, { recursive: true });
  const root = fs.mkdtempSync(path.join(TMP_ROOT, `${label.replace(/\W+/g, '-')}-`));
  fs.writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  const dirs = cases.map((c, i) => {
    const dir = path.join(root, `case-${String(i).padStart(2, '0')}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'server.ts'), c.code);
    for (const [f, text] of Object.entries(c.files ?? {})) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), text);
    }
    return dir;
  });
  return { root, dirs };
}

/** Analyses a folder written by {@link writeCases}. */
export function analyzeFolder(root: string, settings?: Partial<EngineSettings>): AnalysisResult {
  return new Workspace({ root, settings }).analyze();
}

function describeFinding(f: Finding, dir: string): string {
  return `${f.ruleId} ${path.relative(dir, f.location.file)}:${f.location.range.start.line + 1}:${f.location.range.start.character + 1} ${f.message}`;
}

/** A rule's table as {@link ruleTester} received it. */
export interface CollectedTable {
  ruleId: string;
  table: { valid: Case[]; invalid: InvalidCase[] };
  settings?: Partial<EngineSettings>;
}

let collector: CollectedTable[] | undefined;

/**
 * Loads rule test files (absolute paths) without declaring their tests and returns their tables, for tests
 * that reuse every rule fixture (test/fixes/all-fixes-typecheck.test.ts).
 */
export async function collectTables(files: readonly string[]): Promise<CollectedTable[]> {
  const tables: CollectedTable[] = [];
  collector = tables;
  try {
    for (const f of files) await import(f);
  } finally {
    collector = undefined;
  }
  return tables;
}

/** Declares the tests for one rule's table. */
export function ruleTester(ruleId: string, table: { valid: Case[]; invalid: InvalidCase[] }, settings?: Partial<EngineSettings>): void {
  if (collector) {
    collector.push({ ruleId, table, settings });
    return;
  }
  describe(ruleId, () => {
    const all: Case[] = [...table.valid, ...table.invalid];
    let result: AnalysisResult;
    let dirs: string[] = [];
    let root = '';
    before(() => {
      ({ root, dirs } = writeCases(all, ruleId));
      result = analyzeFolder(root, settings);
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));
    const inCase = (i: number) => result.findings.filter((f) => f.location.file.startsWith(dirs[i]! + '/'));

    table.valid.forEach((c, i) => {
      it(`valid: ${c.name}`, () => {
        const got = inCase(i).filter((f) => f.ruleId === ruleId);
        assert.deepEqual(got.map((f) => describeFinding(f, dirs[i]!)), []);
      });
    });
    table.invalid.forEach((c, j) => {
      const i = table.valid.length + j;
      it(`invalid: ${c.name}`, () => {
        const wanted = new Set(c.errors.map((e) => e.ruleId ?? ruleId));
        const got = inCase(i).filter((f) => wanted.has(f.ruleId));
        const actual = got.map((f) => ({
          ruleId: f.ruleId,
          file: path.relative(dirs[i]!, f.location.file),
          line: f.location.range.start.line + 1,
          column: f.location.range.start.character + 1,
        }));
        const expected = c.errors.map((e) => ({ ruleId: e.ruleId ?? ruleId, file: e.file ?? 'server.ts', line: e.line, column: e.column }));
        assert.deepEqual(actual, expected, got.map((f) => describeFinding(f, dirs[i]!)).join('\n'));
        c.errors.forEach((e, k) => {
          if (e.message) assert.ok(got[k]!.message.includes(e.message), `message "${got[k]!.message}" lacks "${e.message}"`);
        });
        if (c.output !== undefined) {
          const f = got[0]!;
          const text = fs.readFileSync(f.location.file, 'utf8');
          const preferred = fixesFor(f, text, resolveSettings(settings)).find((x) => x.isPreferred);
          assert.ok(preferred, `no preferred fix for ${f.ruleId}`);
          assert.equal(applyEdits(text, preferred.edits), c.output);
        }
      });
    });
  });
}
