// run(argv, io) in-process with a stand-in engine: exit codes, path handling, project grouping, --fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineHooks } from '../../server/src/cli/engine';
import { DEFAULT_SETTINGS } from '../../server/src/engine/settings';
import { fakeEngine, REPO, runCli, tempProject } from './helpers';

const CLEAN = "export function ok(n: number) { return n; }\n";
const DIRTY = "import { ok } from './ok';\nexport const a = BAD(1);\nexport const b = BAD(2) + ok(3);\n";

function project() {
  return realpathSync(tempProject({ 'package.json': '{}', 'src/ok.ts': CLEAN, 'src/dirty.ts': DIRTY }));
}

test('--version prints the package version; --help the usage; both exit 0', async () => {
  const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;
  assert.deepEqual(await runCli(['--version']), { code: 0, stdout: `${version}\n`, stderr: '' });
  const help = await runCli(['audit', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: looplens audit/);
});

test('exit 0 without findings, 1 with findings', async () => {
  const dir = project();
  const { engine } = fakeEngine();
  const clean = await runCli(['audit', 'src/ok.ts'], { cwd: dir, engine });
  assert.equal(clean.code, 0);
  assert.equal(clean.stderr, '');
  assert.match(clean.stdout, /No problems found \(1 file analysed/);
  const dirty = await runCli(['audit'], { cwd: dir, engine });
  assert.equal(dirty.code, 1);
  assert.match(dirty.stdout, /^src\/dirty\.ts:2:18 +warning .* blocking-cpu\/sync-call$/m);
  assert.match(dirty.stdout, /^2 problems \(0 errors, 2 warnings\) in 1 file/m);
});

test('exit 2 with a one-line reason: missing path, bad flag, missing tsconfig, glob matching nothing', async () => {
  const dir = project();
  const { engine } = fakeEngine();
  for (const [argv, reason] of [
    [['audit', 'nope.ts'], 'looplens: no such file or directory: nope.ts\n'],
    [['audit', '--format', 'xml'], 'looplens: --format must be one of text, json, sarif, markdown (got "xml")\n'],
    [['audit', '--tsconfig', 'tsconfig.missing.json'], 'looplens: no such tsconfig file: tsconfig.missing.json\n'],
    [['audit', 'src/**/*.js'], 'looplens: no files match src/**/*.js\n'],
  ] as const) {
    const r = await runCli([...argv], { cwd: dir, engine });
    assert.deepEqual(r, { code: 2, stdout: '', stderr: reason }, argv.join(' '));
  }
});

test('exit 2 for a named tsconfig that does not parse, and for a folder with nothing to analyse', async () => {
  const dir = project();
  const { engine } = fakeEngine();
  const { mkdirSync, writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'tsconfig.broken.json'), '{ "compilerOptions": { "strict": tru');
  mkdirSync(join(dir, 'docs'));
  writeFileSync(join(dir, 'docs/README.md'), '# not code\n');
  const broken = await runCli(['audit', '--tsconfig', 'tsconfig.broken.json'], { cwd: dir, engine });
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /^looplens: tsconfig tsconfig\.broken\.json does not parse: .+\n$/);
  const empty = await runCli(['audit', 'docs'], { cwd: dir, engine });
  assert.deepEqual(empty, { code: 2, stdout: '', stderr: 'looplens: no TypeScript or JavaScript files to analyse in docs\n' });
});

test('--tsconfig accepts a folder holding tsconfig.json, like tsc -p', async () => {
  const dir = project();
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "strict": true } }');
  const r = await runCli(['audit', '--tsconfig', '.'], { cwd: dir, engine: fakeEngine().engine });
  assert.notEqual(r.code, 2, r.stderr);
});

test('an unreadable file is a usage error', { skip: process.getuid?.() === 0 && 'root reads every file' }, async () => {
  const dir = project();
  const { chmodSync } = await import('node:fs');
  chmodSync(join(dir, 'src/ok.ts'), 0o000);
  const r = await runCli(['audit', 'src/ok.ts'], { cwd: dir, engine: fakeEngine().engine });
  assert.deepEqual(r, { code: 2, stdout: '', stderr: 'looplens: cannot read file: src/ok.ts\n' });
});

test('an engine crash is exit 2 with its first line', async () => {
  const dir = project();
  const engine: EngineHooks = {
    planFixAll: fakeEngine().engine.planFixAll,
    createWorkspace: () => ({
      settings: DEFAULT_SETTINGS,
      readText: () => '',
      analyze: () => {
        throw new Error('Debug Failure. False expression\n    at stack');
      },
    }),
  };
  assert.deepEqual(await runCli(['audit'], { cwd: dir, engine }), { code: 2, stdout: '', stderr: 'looplens: fatal: Debug Failure. False expression\n' });
});

test('paths are grouped by their nearest project; reports are relative to their common folder', async () => {
  const dir = realpathSync(
    tempProject({
      'packages/api/package.json': '{}',
      'packages/api/src/a.ts': 'BAD(1);\n',
      'packages/web/tsconfig.json': '{}',
      'packages/web/src/b.ts': 'BAD(2);\n',
      'packages/web/src/c.ts': 'ok();\n',
    }),
  );
  const { engine, opened } = fakeEngine();
  const r = await runCli(['audit', 'packages/api/src', 'packages/web/src/b.ts', 'packages/web/src/c.ts', '--format', 'json', '--concurrency', '3'], { cwd: dir, engine });
  assert.equal(r.code, 1);
  assert.deepEqual(opened, [
    { root: `${dir}/packages/api`, paths: [`${dir}/packages/api/src`] },
    { root: `${dir}/packages/web`, paths: [`${dir}/packages/web/src/b.ts`, `${dir}/packages/web/src/c.ts`] },
  ]);
  const json = JSON.parse(r.stdout);
  assert.equal(json.root, `${dir}/packages`);
  assert.deepEqual(json.findings.map((f: { location: { file: string } }) => f.location.file), ['api/src/a.ts', 'web/src/b.ts']);
});

test('a glob pattern and --tsconfig make one project rooted at the tsconfig', async () => {
  const dir = realpathSync(tempProject({ 'cfg/tsconfig.app.json': '{}', 'src/a.ts': 'BAD(1);\n', 'src/b.ts': 'ok();\n', 'src/c.js': '' }));
  const { engine, opened } = fakeEngine();
  const r = await runCli(['audit', 'src/*.ts', '--tsconfig', 'cfg/tsconfig.app.json', '--format', 'sarif'], { cwd: dir, engine });
  assert.equal(r.code, 1);
  assert.deepEqual(opened, [{ root: `${dir}/cfg`, tsconfig: `${dir}/cfg/tsconfig.app.json`, paths: [`${dir}/src/a.ts`, `${dir}/src/b.ts`] }]);
  const sarif = JSON.parse(r.stdout);
  assert.equal(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, 'a.ts');
  assert.equal(sarif.runs[0].originalUriBaseIds['%SRCROOT%'].uri, `file://${dir}/src/`);
});

test('--fix applies preferred fixes in place, writes each file once, reports what is left', async () => {
  const dir = project();
  const { engine, opened } = fakeEngine();
  const r = await runCli(['audit', '--fix'], { cwd: dir, engine });
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /^Applied 2 fixes in 1 file\.\nNo problems found/);
  assert.equal(readFileSync(join(dir, 'src/dirty.ts'), 'utf8'), DIRTY.replaceAll('BAD(', 'ok('));
  assert.equal(readFileSync(join(dir, 'src/ok.ts'), 'utf8'), CLEAN);
  assert.equal(opened.length, 2, 'analysed once before and once after fixing');
});

test('--fix with a machine format keeps stdout parseable and says what it did on stderr', async () => {
  const dir = project();
  const r = await runCli(['audit', '--fix', '--format', 'json'], { cwd: dir, engine: fakeEngine().engine });
  assert.equal(r.code, 0);
  assert.equal(JSON.parse(r.stdout).findings.length, 0);
  assert.equal(r.stderr, 'Applied 2 fixes in 1 file.\n');
});
