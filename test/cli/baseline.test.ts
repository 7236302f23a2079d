// --baseline round trip in-process with the stand-in engine: written when missing, only new findings after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeEngine, runCli, tempProject } from './helpers';

const CODE = 'export const a = BAD(1);\nexport const c = ALL(3);\n';

/** A repository (it has `.git`) with three findings. */
function project() {
  return realpathSync(tempProject({ '.git/HEAD': 'ref: refs/heads/main\n', 'package.json': '{}', 'src/app.ts': CODE, 'src/lib/util.ts': 'export const b = BAD(2);\n' }));
}

test('a missing baseline is written with the current findings, sorted, repo-relative; exit 0', async () => {
  const dir = project();
  const r = await runCli(['audit', 'src', '--baseline', 'ci/looplens-baseline.json'], { cwd: dir, engine: fakeEngine().engine });
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^3 problems .*\nWrote 3 findings to the baseline ci\/looplens-baseline\.json\.\n$/m);
  const file = JSON.parse(readFileSync(join(dir, 'ci/looplens-baseline.json'), 'utf8'));
  assert.equal(file.version, 1);
  assert.equal(file.fingerprint, 'looplens/v1');
  assert.deepEqual(
    file.findings.map((e: { file: string; line: number; ruleId: string }) => `${e.file}:${e.line}:${e.ruleId}`),
    ['src/app.ts:1:blocking-cpu/sync-call', 'src/app.ts:2:unbounded-fanout/promise-all', 'src/lib/util.ts:1:blocking-cpu/sync-call'],
  );
  for (const e of file.findings) assert.match(e.fingerprint, /^[0-9a-f]{32}$/);
  assert.equal(file.findings[0].message, 'POST /login calls pbkdf2Sync on the event loop.');
  // Paths and fingerprints are relative to the repository, not to the audited folder.
  const whole = await runCli(['audit', '--baseline', 'ci/looplens-baseline.json'], { cwd: dir, engine: fakeEngine().engine });
  assert.equal(whole.code, 0);
  assert.match(whole.stdout, /^3 findings in the baseline ci\/looplens-baseline\.json not shown\.$/m);
});

test('round trip: re-run → 0 new; code moved down → 0 new; a new finding → exit 1 with just that one', async () => {
  const dir = project();
  const { engine } = fakeEngine();
  const args = ['audit', '--baseline', 'baseline.json', '--format', 'json'];
  assert.equal((await runCli(args, { cwd: dir, engine })).code, 0);
  const written = readFileSync(join(dir, 'baseline.json'), 'utf8');

  const again = await runCli(args, { cwd: dir, engine });
  assert.equal(again.code, 0);
  assert.deepEqual(JSON.parse(again.stdout).findings, []);
  assert.equal(again.stderr, '3 findings in the baseline baseline.json not shown.\n');

  writeFileSync(join(dir, 'src/app.ts'), `// a\n// b\n// c\n${CODE}`);
  const moved = await runCli(args, { cwd: dir, engine });
  assert.equal(moved.code, 0, moved.stdout);
  assert.deepEqual(JSON.parse(moved.stdout).findings, []);

  writeFileSync(join(dir, 'src/app.ts'), `// a\n// b\n// c\n${CODE}export const z = BAD(9);\n`);
  const added = await runCli(args, { cwd: dir, engine });
  assert.equal(added.code, 1);
  const fresh = JSON.parse(added.stdout).findings;
  assert.deepEqual(fresh.map((f: { file?: string; location: { file: string; range: { start: { line: number } } } }) => `${f.location.file}:${f.location.range.start.line + 1}`), ['src/app.ts:6']);
  assert.equal(readFileSync(join(dir, 'baseline.json'), 'utf8'), written, 'reading never rewrites the baseline');
});

test('a second identical line is new even though its text matches a baselined one', async () => {
  const dir = realpathSync(tempProject({ 'package.json': '{}', 'a.ts': 'x = BAD(1);\n' }));
  const { engine } = fakeEngine();
  await runCli(['audit', '--baseline', 'b.json'], { cwd: dir, engine });
  writeFileSync(join(dir, 'a.ts'), 'x = BAD(1);\nx = BAD(1);\n');
  const r = await runCli(['audit', '--baseline', 'b.json'], { cwd: dir, engine });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^a\.ts:2:5 +warning/m);
  assert.doesNotMatch(r.stdout, /^a\.ts:1:/m);
});

test('--update-baseline rewrites the file with the current findings and exits 0; stale entries are counted', async () => {
  const dir = project();
  const { engine } = fakeEngine();
  await runCli(['audit', '--baseline', 'b.json'], { cwd: dir, engine });
  writeFileSync(join(dir, 'src/app.ts'), 'export const a = ok(1);\nexport const n = BAD(5);\n');
  const stale = await runCli(['audit', '--baseline', 'b.json'], { cwd: dir, engine });
  assert.equal(stale.code, 1);
  assert.match(stale.stdout, /^1 finding in the baseline b\.json not shown; 2 baseline entries no longer found \(--update-baseline drops them\)\.$/m);
  const updated = await runCli(['audit', '--baseline', 'b.json', '--update-baseline'], { cwd: dir, engine });
  assert.equal(updated.code, 0);
  assert.match(updated.stdout, /^Wrote 2 findings to the baseline b\.json\.$/m);
  const entries = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')).findings;
  assert.deepEqual(entries.map((e: { file: string; line: number }) => `${e.file}:${e.line}`), ['src/app.ts:2', 'src/lib/util.ts:1']);
  assert.equal((await runCli(['audit', '--baseline', 'b.json'], { cwd: dir, engine })).code, 0);
});

test('a baseline that is not one: exit 2 naming it', async () => {
  const dir = project();
  const { engine } = fakeEngine();
  for (const [text, reason] of [
    ['{ nope', /^looplens: cannot read baseline b\.json: .*JSON/],
    ['{"version": 2, "fingerprint": "looplens/v1", "findings": []}', /^looplens: invalid baseline b\.json: version 2 is not 1\n$/],
    ['{"version": 1, "fingerprint": "looplens/v0", "findings": []}', /^looplens: invalid baseline b\.json: fingerprints are "looplens\/v0", not "looplens\/v1" \(rewrite it with --update-baseline\)\n$/],
    ['{"version": 1, "fingerprint": "looplens/v1", "findings": [{}]}', /^looplens: invalid baseline b\.json: findings\[0\] has no fingerprint\n$/],
  ] as const) {
    writeFileSync(join(dir, 'b.json'), text);
    const r = await runCli(['audit', '--baseline', 'b.json'], { cwd: dir, engine });
    assert.equal(r.code, 2, text);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, reason);
  }
  assert.ok(existsSync(join(dir, 'b.json')));
});

test('--update-baseline without --baseline is a usage error', async () => {
  const r = await runCli(['audit', '--update-baseline'], { cwd: project(), engine: fakeEngine().engine });
  assert.deepEqual(r, { code: 2, stdout: '', stderr: 'looplens: --update-baseline needs --baseline FILE\n' });
});
