// A monorepo with a solution-style root tsconfig and two packages joined by project references: each file is
// analysed with its nearest tsconfig (the api package's `paths` resolve `@acme/lib`, which the root's options
// cannot), a finding in one package reached from another's handler is reported once, a file under no
// package tsconfig (scripts/, below a solution-style root tsconfig) is analysed with the defaults, a suppression
// in one package applies to a handler in another, and the sliced run counts progress over all programs.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { normalizePath } from '../../server/src/engine/ast';
import { loadProjects } from '../../server/src/engine/project';
import type { AnalysisStep } from '../../server/src/engine/steps';
import { Workspace } from '../../server/src/engine/workspace';

const ROOT = normalizePath(join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'monorepo'));
const rel = (f: string) => relative(ROOT, f).replace(/\\/g, '/');

describe('monorepo with two tsconfigs and project references', () => {
  it('each file belongs to the program of its nearest tsconfig', () => {
    const { parts } = loadProjects(ROOT, []);
    const owners = parts.flatMap((p) => [...p.own].map((f) => `${rel(f)} <- ${p.tsconfig ? rel(p.tsconfig) : 'defaults'}`)).sort();
    assert.deepEqual(owners, [
      'packages/api/src/server.ts <- packages/api/tsconfig.json',
      'packages/lib/src/hash.ts <- packages/lib/tsconfig.json',
      'scripts/status.js <- defaults',
    ]);
  });

  it('loads only the files under `within`, and what they import', () => {
    const { parts } = loadProjects(ROOT, [], undefined, [join(ROOT, 'packages/api')]);
    const owners = parts.flatMap((p) => [...p.own].map(rel)).sort();
    assert.deepEqual(owners, ['packages/api/src/server.ts']);
    const program = parts[0]!.project.getProgram().compilerObject;
    const parsed = program.getSourceFiles().map((sf) => normalizePath(sf.fileName)).filter((f) => f.startsWith(ROOT + '/') && !f.includes('/node_modules/')).map(rel).sort();
    assert.deepEqual(parsed, ['packages/api/src/server.ts', 'packages/lib/src/hash.ts']);
  });

  it('a workspace opened `within` one package reports that package as the whole-root analysis does', () => {
    const api = join(ROOT, 'packages/api');
    const whole = new Workspace({ root: ROOT }).analyze({ paths: [api] });
    const within = new Workspace({ root: ROOT, within: [api] }).analyze({ paths: [api] });
    assert.deepEqual(within.findings, whole.findings);
    assert.deepEqual(within.files, whole.files);
  });

  it('reports the blocking call in lib through the api handler, and the script outside any package', () => {
    const result = new Workspace({ root: ROOT }).analyze();
    assert.deepEqual(
      result.findings.map((f) => `${f.ruleId} ${rel(f.location.file)}:${f.location.range.start.line + 1} via ${f.handler?.label ?? '-'}`),
      ['blocking-cpu/sync-call packages/lib/src/hash.ts:4 via http server request', 'blocking-cpu/sync-call scripts/status.js:5 via http server request'],
    );
    assert.deepEqual(result.files.map(rel).sort(), ['packages/api/src/server.ts', 'packages/lib/src/hash.ts', 'scripts/status.js']);
    assert.equal(result.handlers.length, 2);
  });

  it('with one tsconfig for everything (--tsconfig), the api package cannot resolve @acme/lib: the lib finding is lost', () => {
    const result = new Workspace({ root: ROOT, tsconfig: join(ROOT, 'tsconfig.json') }).analyze();
    assert.deepEqual(result.findings.map((f) => rel(f.location.file)), ['scripts/status.js']);
  });

  it('a suppression in lib silences the finding reached from the api handler, and is not reported unused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'looplens-monorepo-'));
    try {
      cpSync(ROOT, dir, { recursive: true });
      const hash = join(dir, 'packages', 'lib', 'src', 'hash.ts');
      const text = readFileSync(hash, 'utf8').replace('  return pbkdf2Sync', '  // looplens-disable-next-line blocking-cpu/sync-call -- tests\n  return pbkdf2Sync');
      writeFileSync(hash, text);
      const result = new Workspace({ root: dir }).analyze();
      assert.deepEqual(result.findings.map((f) => `${f.ruleId} ${relative(dir, f.location.file).replace(/\\/g, '/')}`), ['blocking-cpu/sync-call scripts/status.js']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the sliced analysis reports progress over the files of all programs, and finds the same', async () => {
    const steps: AnalysisStep[] = [];
    const result = await new Workspace({ root: ROOT }).analyzeAsync({ sliceMs: 0, onStep: (s) => steps.push(s) });
    // Each change of the count once: binding the files, before the discovery, reports its first step many times.
    const of = (phase: AnalysisStep['phase']) => steps.filter((s) => s.phase === phase).map((s) => `${s.filesDone}/${s.files}`).filter((s, i, all) => s !== all[i - 1]);
    // 3/3: the packages' declaration files parsed once the sources are (server/src/engine/preload.ts).
    assert.deepEqual(of('parse'), ['0/3', '1/3', '2/3', '3/3']);
    assert.deepEqual(of('discover'), ['0/3', '1/3', '2/3']);
    assert.deepEqual(result.findings.map((f) => rel(f.location.file)), ['packages/lib/src/hash.ts', 'scripts/status.js']);
  });
});
