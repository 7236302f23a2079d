/**
 * Every offered quick fix, on every rule-table fixture (test/rules) and every case of the labelled corpus
 * (../shared/corpus, copied to a temp folder), applied alone: the result type-checks with no error the unfixed
 * code did not have (TypeScript's own checker, the project's typescript ~6.0, with the fixture's tsconfig),
 * and a new analysis no longer reports the fixed finding (one fewer finding of its rule in its case).
 *
 * Speed: fixes of different cases are independent, so one round applies one fix per case at once, checks
 * them with one program (reusing the previous program's unchanged files) and one analysis. The counts are
 * printed as test diagnostics.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import ts from 'typescript';
import { applyEdits, fixesFor, Workspace, type CodeFix, type EngineSettings, type Finding, type Position } from '../../server/src/engine';
import { offsetAt } from '../../server/src/engine/fixes/applyEdits';
import { resolveSettings } from '../../server/src/engine/settings';
import { linkCachedDeps } from '../corpus/corpusDeps';
import { collectTables, writeCases } from '../rules/ruleTester';

const REPO = path.resolve(__dirname, '../..');
/** ../shared/corpus from the main checkout, or from a helper's work tree two levels below it. */
const CORPUS = [path.resolve(REPO, '..', 'shared', 'corpus'), path.resolve(REPO, '..', '..', 'shared', 'corpus')].find((d) => fs.existsSync(path.join(d, 'cases'))) ?? path.resolve(REPO, '..', 'shared', 'corpus');

const RUNNABLE_TSCONFIG = {
  compilerOptions: { target: 'ES2022', lib: ['ES2023'], module: 'ESNext', moduleResolution: 'Bundler', types: ['node'], strict: true, skipLibCheck: true },
};

/** One fix applied alone: the files it changes or creates, with their whole new text. */
interface Variant {
  finding: Finding;
  fix: CodeFix;
  caseDir: string;
  files: Map<string, string>;
}

interface Outcome {
  fixes: number;
  byFixId: Map<string, number>;
  failures: string[];
}

const norm = (p: string) => p.replace(/\\/g, '/');

/** The case folder of a file: `<root>/case-07` for rule fixtures, `<root>/cases/013-…` for the corpus. */
function caseDirOf(root: string, file: string): string {
  const rel = path.posix.relative(root, file).split('/');
  return rel[0] === 'cases' ? `${root}/${rel[0]}/${rel[1]}` : `${root}/${rel[0]}`;
}

/** `file|code|message` per error, as a multiset keyed by file; positions left out since fixes move lines. */
function errorsOf(program: ts.Program, files: ReadonlySet<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const sf of program.getSourceFiles()) {
    const file = norm(sf.fileName);
    if (!files.has(file)) continue;
    const diags = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    out.set(file, diags.filter((d) => d.category === ts.DiagnosticCategory.Error).map((d) => `${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`));
  }
  return out;
}

/** Errors in `now` beyond those in `base` (as multisets), per file. */
function newErrors(base: Map<string, string[]>, now: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [file, errs] of now) {
    const left = [...(base.get(file) ?? [])];
    for (const e of errs) {
      const i = left.indexOf(e);
      if (i >= 0) left.splice(i, 1);
      else out.push(`${path.basename(file)}: ${e}`);
    }
  }
  return out;
}

/** A TypeScript program for a tsconfig with some files' text replaced or added, reusing `old`. */
function programFor(tsconfig: string, overlay: ReadonlyMap<string, string>, old?: ts.Program): ts.Program {
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!parsed) throw new Error(`cannot read ${tsconfig}`);
  // Cases share one program for speed, but each is its own folder in a real project. Without this, script-like
  // cases share one global scope, and a helper that one case's fix adds (`mapInChunks`) collides with the same
  // helper another case's fix adds in the same round.
  const options: ts.CompilerOptions = { ...parsed.options, moduleDetection: ts.ModuleDetectionKind.Force };
  const host = ts.createCompilerHost(options, true);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => overlay.get(norm(f)) ?? readFile(f);
  host.fileExists = (f) => overlay.has(norm(f)) || fileExists(f);
  host.getSourceFile = (f, lang, onError, create) => {
    const text = overlay.get(norm(f));
    return text === undefined ? getSourceFile(f, lang, onError, create) : ts.createSourceFile(f, text, lang, true);
  };
  const rootNames = [...new Set([...parsed.fileNames.map(norm), ...[...overlay.keys()].filter((f) => /\.[cm]?tsx?$/.test(f))])];
  return ts.createProgram({ rootNames, options, host, oldProgram: old });
}

/**
 * Applies every offered (not disabled) fix of every finding of the project at `root` alone, in rounds of one
 * fix per case, and checks each: no new type errors in its case, its finding gone from a new analysis.
 */
function checkAllFixes(root: string, tsconfig: string, settings?: Partial<EngineSettings>): Outcome {
  const ws = new Workspace({ root, settings });
  const resolved = resolveSettings(settings);
  const base = ws.analyze();

  const byCase = new Map<string, Variant[]>();
  const failures: string[] = [];
  for (const finding of base.findings) {
    const file = finding.location.file;
    const text = fs.readFileSync(file, 'utf8');
    for (const fix of fixesFor(finding, text, resolved)) {
      if (fix.disabled) continue;
      const where = `${fix.fixId} for ${finding.ruleId} at ${path.relative(root, file)}:${finding.location.range.start.line + 1}`;
      if (fix.edits.some((e) => e.file !== file)) failures.push(`${where}: edits another file`);
      const files = new Map([[file, applyEdits(text, fix.edits)]]);
      for (const c of fix.creates ?? []) {
        if (fs.existsSync(c.file)) failures.push(`${where}: creates ${c.file}, which exists`);
        files.set(norm(c.file), c.text);
      }
      const caseDir = caseDirOf(root, file);
      byCase.set(caseDir, [...(byCase.get(caseDir) ?? []), { finding, fix, caseDir, files }]);
    }
  }

  const allFiles = new Set<string>();
  let program = programFor(tsconfig, new Map());
  for (const sf of program.getSourceFiles()) if (!sf.isDeclarationFile && !sf.fileName.includes('/node_modules/')) allFiles.add(norm(sf.fileName));
  const baseErrors = errorsOf(program, allFiles);
  const byFixId = new Map<string, number>();
  let fixes = 0;
  const rounds = Math.max(0, ...[...byCase.values()].map((v) => v.length));
  for (let r = 0; r < rounds; r++) {
    const round = [...byCase.values()].map((v) => v[r]).filter((v): v is Variant => !!v);
    const overlay = new Map<string, string>();
    for (const v of round) for (const [f, t] of v.files) overlay.set(f, t);
    program = programFor(tsconfig, overlay, program);
    for (const [f, t] of overlay) ws.setOverlay(f, t);
    const after = ws.analyze();
    for (const [f] of overlay) ws.setOverlay(f, undefined);
    for (const v of round) {
      const where = `${v.fix.fixId} for ${v.finding.ruleId} at ${path.relative(root, v.finding.location.file)}:${v.finding.location.range.start.line + 1}`;
      const inCase = new Set([...program.getSourceFiles()].map((sf) => norm(sf.fileName)).filter((f) => f.startsWith(v.caseDir + '/')));
      const added = newErrors(baseErrors, errorsOf(program, inCase));
      if (added.length) failures.push(`${where} ("${v.fix.title}"): new type errors:\n    ${added.join('\n    ')}`);
      const file = v.finding.location.file;
      const line = mappedLine(fs.readFileSync(file, 'utf8'), v.fix, file, v.finding.location.range.start);
      const still = after.findings.find((f) => f.ruleId === v.finding.ruleId && f.location.file === file && f.location.range.start.line === line);
      if (still) failures.push(`${where} ("${v.fix.title}"): the finding is still reported: ${still.message}`);
      fixes++;
      byFixId.set(v.fix.fixId, (byFixId.get(v.fix.fixId) ?? 0) + 1);
    }
  }
  return { fixes, byFixId, failures };
}

/** The line a position of the original text is on after the fix's edits (an edit covering it: the edit's start). */
function mappedLine(text: string, fix: CodeFix, file: string, pos: Position): number {
  const at = offsetAt(text, pos);
  let shift = 0;
  let moved = at;
  for (const e of fix.edits.filter((x) => x.file === file)) {
    const start = offsetAt(text, e.range.start);
    const end = offsetAt(text, e.range.end);
    if (end <= at && !(start === end && start === at)) shift += e.newText.length - (end - start);
    else if (start <= at && at < end) moved = start;
  }
  const after = applyEdits(text, fix.edits.filter((x) => x.file === file));
  return after.slice(0, moved + shift).split('\n').length - 1;
}

function report(t: { diagnostic(m: string): void }, label: string, o: Outcome): void {
  t.diagnostic(`${label}: ${o.fixes} fixes applied, type-checked and re-analysed (${[...o.byFixId].sort().map(([k, n]) => `${k} ${n}`).join(', ')})`);
}

describe('every offered fix type-checks and removes its finding', () => {
  const cleanup: string[] = [];
  after(() => cleanup.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  /** A fresh copy of test/fixes/runnable with its tsconfig, removed after the suite. */
  function runnableCopy(): string {
    fs.mkdirSync(path.join(REPO, '.test-tmp'), { recursive: true });
    const root = norm(fs.mkdtempSync(path.join(REPO, '.test-tmp', 'fixes-runnable-')));
    cleanup.push(root);
    fs.cpSync(path.join(__dirname, 'runnable'), root, { recursive: true });
    fs.writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify(RUNNABLE_TSCONFIG));
    return root;
  }

  it('on every rule-table fixture (test/rules)', { timeout: 15 * 60_000 }, async (t) => {
    const testFiles = fs
      .readdirSync(path.join(REPO, 'test/rules'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.test.ts'))
      .sort()
      .map((f) => path.join(REPO, 'test/rules', f));
    const tables = await collectTables(testFiles);
    assert.ok(tables.length >= 8, `only ${tables.length} rule tables found`);
    const total: Outcome = { fixes: 0, byFixId: new Map(), failures: [] };
    for (const { ruleId, table, settings } of tables) {
      const { root } = writeCases([...table.valid, ...table.invalid], `fixes-${ruleId}`);
      cleanup.push(root);
      const o = checkAllFixes(norm(root), path.join(root, 'tsconfig.json'), settings);
      report(t, ruleId, o);
      total.fixes += o.fixes;
      for (const [k, n] of o.byFixId) total.byFixId.set(k, (total.byFixId.get(k) ?? 0) + n);
      total.failures.push(...o.failures.map((f) => `[${ruleId}] ${f}`));
    }
    report(t, 'rule fixtures, total', total);
    assert.ok(total.fixes > 0);
    assert.deepEqual(total.failures, []);
  });

  it('on the runnable fixtures (test/fixes/runnable), where every blocking-cpu fix kind applies', { timeout: 15 * 60_000 }, (t) => {
    const root = runnableCopy();
    const o = checkAllFixes(root, path.join(root, 'tsconfig.json'));
    report(t, 'runnable fixtures', o);
    for (const id of ['looplens.sync-to-async', 'looplens.partition-async', 'looplens.worker-offload', 'looplens.yield-in-loop', 'looplens.wrap-p-limit']) {
      assert.ok(o.byFixId.get(id), `no ${id} applied`);
    }
    assert.deepEqual(o.failures, []);
  });

  it('on the runnable fixtures with looplens.fixes.workerPool "worker_threads"', { timeout: 15 * 60_000 }, (t) => {
    const root = runnableCopy();
    const o = checkAllFixes(root, path.join(root, 'tsconfig.json'), { workerPool: 'worker_threads' });
    report(t, 'runnable fixtures (worker_threads)', o);
    assert.ok(o.byFixId.get('looplens.worker-offload'), 'no looplens.worker-offload applied');
    assert.deepEqual(o.failures, []);
  });

  const noCorpus = !fs.existsSync(path.join(CORPUS, 'cases')) && `no labelled corpus at ${CORPUS}`;
  let work = '';
  before(() => {
    if (noCorpus) return;
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'looplens-fix-corpus-'));
    cleanup.push(work);
    fs.cpSync(CORPUS, work, { recursive: true });
    spawnSync('chmod', ['-R', 'u+w', work]); // the shared copy is read-only
    linkCachedDeps(work);
  });

  it('on every case of ../shared/corpus', { skip: noCorpus, timeout: 15 * 60_000 }, (t) => {
    const root = norm(fs.realpathSync(work));
    const o = checkAllFixes(root, path.join(root, 'tsconfig.json'));
    report(t, 'corpus', o);
    assert.ok(o.fixes > 0);
    assert.deepEqual(o.failures, []);
  });
});
