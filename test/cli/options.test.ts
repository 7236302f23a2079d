// CI options in-process with the stand-in engine: --output, --max-warnings, --severity, --rule, their exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../../server/src/engine/rules/registry';
import { fakeEngine, runCli, tempProject } from './helpers';

// Two warnings (BAD), one error (ALL), one info (NOTE).
const CODE = 'export const a = BAD(1);\nexport const b = BAD(2);\nexport const c = ALL(3);\nexport const d = NOTE(4);\n';

function project(code = CODE) {
  return realpathSync(tempProject({ 'package.json': '{}', 'src/app.ts': code }));
}

/** `line:ruleId` of each finding of a JSON report. */
function found(stdout: string): string[] {
  return JSON.parse(stdout).findings.map((f: { location: { range: { start: { line: number } } }; ruleId: string }) => `${f.location.range.start.line + 1}:${f.ruleId}`);
}

test('--output writes the report to the file, folders created; stdout gets the summary line', async () => {
  const dir = project();
  const r = await runCli(['audit', '--format', 'json', '--output', 'reports/ci/looplens.json'], { cwd: dir, engine: fakeEngine().engine });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '4 problems (1 error, 2 warnings, 1 info) in 1 file (1 file analysed, 0 handlers). Report written to reports/ci/looplens.json.\n');
  assert.equal(r.stderr, '');
  const written = readFileSync(join(dir, 'reports/ci/looplens.json'), 'utf8');
  assert.deepEqual(found(written), ['1:blocking-cpu/sync-call', '2:blocking-cpu/sync-call', '3:unbounded-fanout/promise-all', '4:blocking-cpu/large-json']);
});

test('--output to a path that cannot be written: exit 2 before the analysis, nothing on stdout', async () => {
  const dir = project();
  const { engine, opened } = fakeEngine();
  for (const [path, reason] of [
    ['package.json/report.txt', 'looplens: cannot write package.json/report.txt: package.json is not a directory\n'],
    ['src', 'looplens: cannot write src: it is a directory\n'],
  ]) {
    assert.deepEqual(await runCli(['audit', '-o', path!], { cwd: dir, engine }), { code: 2, stdout: '', stderr: reason });
  }
  assert.deepEqual(opened, []);
});

test('--output in a read-only folder: exit 2 with the reason', { skip: process.getuid?.() === 0 && 'root writes everywhere' }, async () => {
  const dir = project();
  const { chmodSync, mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'ro'));
  chmodSync(join(dir, 'ro'), 0o555);
  const r = await runCli(['audit', '-o', 'ro/x.txt'], { cwd: dir, engine: fakeEngine().engine });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^looplens: cannot write ro\/x\.txt: EACCES/);
});

test('--severity keeps findings at that level and above; the exit code follows what is kept', async () => {
  const dir = project();
  const { engine } = fakeEngine();
  const error = await runCli(['audit', '-f', 'json', '--severity', 'error'], { cwd: dir, engine });
  assert.deepEqual(found(error.stdout), ['3:unbounded-fanout/promise-all']);
  assert.equal(error.code, 1);
  const warning = await runCli(['audit', '-f', 'json', '--severity', 'warning'], { cwd: dir, engine });
  assert.deepEqual(found(warning.stdout), ['1:blocking-cpu/sync-call', '2:blocking-cpu/sync-call', '3:unbounded-fanout/promise-all']);
  const infoOnly = project('export const d = NOTE(4);\n');
  const none = await runCli(['audit', '--severity', 'warning'], { cwd: infoOnly, engine });
  assert.equal(none.code, 0);
  assert.match(none.stdout, /^No problems found/);
});

test('--rule takes rule ids and families, repeatable', async () => {
  const dir = project();
  const { engine } = fakeEngine();
  const one = await runCli(['audit', '-f', 'json', '--rule', 'unbounded-fanout/promise-all'], { cwd: dir, engine });
  assert.deepEqual(found(one.stdout), ['3:unbounded-fanout/promise-all']);
  const family = await runCli(['audit', '-f', 'json', '--rule', 'blocking-cpu'], { cwd: dir, engine });
  assert.deepEqual(found(family.stdout), ['1:blocking-cpu/sync-call', '2:blocking-cpu/sync-call', '4:blocking-cpu/large-json']);
  const two = await runCli(['audit', '-f', 'json', '--rule', 'blocking-cpu/large-json', '--rule', 'mixed-bound'], { cwd: dir, engine });
  assert.deepEqual(found(two.stdout), ['4:blocking-cpu/large-json']);
  const absent = await runCli(['audit', '--rule', 'mixed-bound'], { cwd: dir, engine });
  assert.equal(absent.code, 0);
});

test('--rule with an unknown id: exit 2 listing the known ids and families', async () => {
  const r = await runCli(['audit', '--rule', 'blocking-cpu/nope'], { cwd: project(), engine: fakeEngine().engine });
  assert.equal(r.code, 2);
  const known = [...[...new Set(RULES.map((x) => x.family))].sort(), ...RULES.map((x) => x.id)].join(', ');
  assert.match(known, /^blocking-cpu, .*, unbounded-fanout\/promise-all$/);
  assert.equal(r.stderr, `looplens: unknown rule "blocking-cpu/nope" (known: ${known})\n`);
});

test('--max-warnings: errors always fail, warnings fail above the maximum, info never', async () => {
  const { engine } = fakeEngine();
  const warnings = project('export const a = BAD(1);\nexport const b = BAD(2);\nexport const d = NOTE(4);\n');
  const within = await runCli(['audit', '--max-warnings', '2'], { cwd: warnings, engine });
  assert.equal(within.code, 0);
  assert.match(within.stdout, /^Within --max-warnings 2\.$/m);
  const over = await runCli(['audit', '--max-warnings', '1'], { cwd: warnings, engine });
  assert.equal(over.code, 1);
  assert.match(over.stdout, /^Too many warnings \(maximum: 1\)\.$/m);
  assert.equal((await runCli(['audit', '--max-warnings', '100'], { cwd: project(), engine })).code, 1, 'one error');
  const infoOnly = project('export const d = NOTE(4);\n');
  assert.equal((await runCli(['audit', '--max-warnings', '0'], { cwd: infoOnly, engine })).code, 0);
  assert.equal((await runCli(['audit'], { cwd: infoOnly, engine })).code, 1, 'without --max-warnings any finding fails');
});

test('--max-warnings json: notes go to stderr, stdout stays JSON', async () => {
  const dir = project('export const a = BAD(1);\n');
  const r = await runCli(['audit', '-f', 'json', '--max-warnings', '0'], { cwd: dir, engine: fakeEngine().engine });
  assert.equal(r.code, 1);
  assert.deepEqual(found(r.stdout), ['1:blocking-cpu/sync-call']);
  assert.equal(r.stderr, 'Too many warnings (maximum: 0).\n');
});
