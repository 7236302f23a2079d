// Shared builders for the CLI tests: hand-made findings and results (so formatter tests do not depend on the
// engine), a capturing io, and a fake engine that reports every `BAD(` call in .ts files.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { globSync } from 'tinyglobby';
import type { AnalysisResult, CodeFix, Finding, Location } from '../../server/src/engine/types';
import type { EngineHooks } from '../../server/src/cli/engine';
import { DEFAULT_SETTINGS } from '../../server/src/engine/settings';
import { run } from '../../server/src/cli/run';

export const REPO = join(__dirname, '..', '..');

/** A zero-based location. */
export function loc(file: string, line: number, character: number, endCharacter = character + 5, endLine = line): Location {
  return { file, range: { start: { line, character }, end: { line: endLine, character: endCharacter } } };
}

/** A finding with sensible defaults. */
export function finding(overrides: Partial<Finding> & { location: Location }): Finding {
  return {
    ruleId: 'blocking-cpu/sync-call',
    family: 'blocking-cpu',
    severity: 'warning',
    message: 'POST /login calls pbkdf2Sync on the event loop.',
    chain: [],
    related: [],
    fix: { kind: 'none' },
    ...overrides,
  };
}

/** A small hand-built result under `root`: one handler, three findings in two files, one skipped file. */
export function sampleResult(root: string): AnalysisResult {
  const server = `${root}/src/server.ts`;
  const helper = `${root}/src/lib/notify.ts`;
  const registration = loc(server, 9, 0, 8);
  const handler = { id: `${server}:10:1`, label: 'POST /login', registration };
  return {
    handlers: [
      {
        ...handler,
        kind: 'express',
        body: loc(server, 9, 20, 1, 14),
        bounds: [{ bound: 'cpu', chain: [{ ...registration, label: 'POST /login' }], reason: 'pbkdf2Sync (node:crypto)' }],
        bound: 'cpu',
        domain: server,
      },
    ],
    findings: [
      finding({
        location: loc(helper, 3, 8, 30),
        ruleId: 'unbounded-fanout/promise-all',
        family: 'unbounded-fanout',
        message: 'Promise.all starts one notify per watcher with no limit.',
        handler,
        chain: [
          { ...registration, label: 'POST /login' },
          { ...loc(server, 11, 2, 20), label: 'calls notifyAll' },
          { ...loc(helper, 3, 8, 30), label: 'Promise.all over watchers' },
        ],
        fix: { kind: 'limit-fanout', launch: loc(helper, 3, 30, 40).range, limit: 8, limitReason: 'looplens.concurrency.io setting' },
      }),
      finding({ location: loc(server, 10, 16, 26), handler, chain: [{ ...registration, label: 'POST /login' }, { ...loc(server, 10, 16, 26), label: 'pbkdf2Sync' }] }),
      finding({
        location: registration,
        ruleId: 'mixed-bound/cpu-beside-io',
        family: 'mixed-bound',
        severity: 'error',
        message: 'POST /login is CPU-bound | and shares the process with I/O-bound GET /items.',
        handler,
        related: [{ ...loc(server, 14, 0, 7), label: 'GET /items (io)' }],
      }),
    ],
    skipped: [{ file: `${root}/src/generated.ts`, reason: 'generated file' }],
    files: [server, helper],
  };
}

/** An io for `run` that collects what is written. */
export function capture(cwd?: string) {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, ...(cwd ? { cwd } : {}) },
    out: () => out,
    err: () => err,
  };
}

/** Runs the CLI in-process and returns its exit code and output. */
export async function runCli(argv: string[], options: { cwd?: string; engine?: EngineHooks } = {}) {
  const c = capture(options.cwd);
  const code = await run(argv, { ...c.io, ...(options.engine ? { engine: options.engine } : {}) });
  return { code, stdout: c.out(), stderr: c.err() };
}

/** What the stand-in engine reports for each marker call. */
const MARKERS = {
  BAD: {},
  ALL: { ruleId: 'unbounded-fanout/promise-all', family: 'unbounded-fanout', severity: 'error', message: 'Promise.all over items.' },
  NOTE: { ruleId: 'blocking-cpu/large-json', family: 'blocking-cpu', severity: 'info', message: 'JSON.parse of a body.' },
} as const satisfies Record<string, Partial<Finding>>;

/**
 * A stand-in engine: every `BAD(` in a .ts file under the analysed paths is a `blocking-cpu/sync-call`
 * warning, `ALL(` an `unbounded-fanout/promise-all` error, `NOTE(` a `blocking-cpu/large-json` info;
 * fix-all renames `BAD(` to `ok(`. Reports a `handlers` step per file. Records the workspaces it opened.
 */
export function fakeEngine() {
  const opened: { root: string; tsconfig?: string; paths?: string[] }[] = [];
  const engine: EngineHooks = {
    createWorkspace(options) {
      return {
        settings: { ...DEFAULT_SETTINGS, ...options.settings },
        readText: (file) => readFileSync(file, 'utf8'),
        analyze(analyzeOptions = {}) {
          opened.push({ root: options.root, ...(options.tsconfig ? { tsconfig: options.tsconfig } : {}), ...(analyzeOptions.paths ? { paths: analyzeOptions.paths } : {}) });
          const files = (analyzeOptions.paths ?? [options.root]).flatMap((p) =>
            p.endsWith('.ts') ? [p] : globSync('**/*.ts', { cwd: p, absolute: true, ignore: ['**/node_modules/**'] }),
          );
          const findings = files.flatMap((file) =>
            readFileSync(file, 'utf8')
              .split('\n')
              .flatMap((text, line) =>
                [...text.matchAll(/\b(BAD|ALL|NOTE)\(/g)].map((m) => finding({ ...MARKERS[m[1] as keyof typeof MARKERS], location: loc(file, line, m.index!, m.index! + m[1]!.length) })),
              ),
          );
          files.forEach((_, i) => analyzeOptions.onStep?.({ phase: 'handlers', filesDone: i + 1, files: files.length }));
          return { handlers: [], findings, skipped: [], files };
        },
      };
    },
    planFixAll(file, text, findings) {
      const mine = findings.filter((f) => f.location.file === file);
      const fix: CodeFix = { fixId: 'test.rename', title: 'Rename BAD to ok', edits: [], isPreferred: true };
      return { text: text.replaceAll('BAD(', 'ok('), edits: [], applied: mine.map(() => fix), skipped: [] };
    },
  };
  return { engine, opened };
}

/** Temp folders made by this test file, removed when its process exits. */
const temps: string[] = [];
process.on('exit', () => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp folder with the given files (relative path → text), removed at exit. */
export function tempProject(files: Record<string, string>, parent = tmpdir()): string {
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, 'looplens-cli-'));
  temps.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

/**
 * A copy of a fixture folder under the repo's git-ignored test-output/ (so imports still resolve through the
 * repo's node_modules), for tests that change files; removed at exit.
 */
export function copyFixture(name: string): string {
  const parent = join(REPO, 'test-output');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, `${name}-`));
  temps.push(dir);
  cpSync(join(__dirname, 'fixtures', name), dir, { recursive: true });
  return dir;
}

/**
 * Path of dist/cli.js, rebuilt first (`node scripts/build.mjs`) when missing or older than a source file of
 * server/src or shared, so tests that spawn the bin never run a stale bundle.
 */
export function builtCli(): string {
  const cli = join(REPO, 'dist', 'cli.js');
  const built = statSync(cli, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const newest = Math.max(...globSync(['server/src/**/*.ts', 'shared/**/*.ts', 'package.json'], { cwd: REPO, absolute: true }).map((f) => statSync(f).mtimeMs));
  if (newest > built) {
    const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
  }
  return cli;
}

/** Runs `node dist/cli.js …args` and returns its exit code and output. */
export function spawnCli(args: string[], cwd = REPO) {
  const r = spawnSync(process.execPath, [builtCli(), ...args], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
