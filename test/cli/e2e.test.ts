// The built bin (dist/cli.js) on small fixtures with the real engine: exact rule ids and lines.
// SARIF URIs are relative to the repository root (these fixtures live in the LoopLens repository).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, builtCli, copyFixture, spawnCli } from './helpers';

const FIXTURES = join(__dirname, 'fixtures');

/** `[ruleId, uri, startLine]` of each SARIF result. */
function results(stdout: string): [string, string, number][] {
  const log = JSON.parse(stdout);
  return log.runs[0].results.map((r: any) => [r.ruleId, r.locations[0].physicalLocation.artifactLocation.uri, r.locations[0].physicalLocation.region.startLine]);
}

test('clean service: exit 0, no results', () => {
  const r = spawnCli(['audit', join(FIXTURES, 'clean'), '--format', 'sarif']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(results(r.stdout), []);
  const text = spawnCli(['audit', 'test/cli/fixtures/clean']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^No problems found/m);
});

test('usage errors from the bin: exit 2, one line on stderr, nothing on stdout', () => {
  for (const args of [['audit', 'test/cli/fixtures/nope'], ['audit', '--format', 'xml'], ['frobnicate']]) {
    const r = spawnCli(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^looplens: [^\n]+\n$/);
  }
});

test('pbkdf2Sync in an http handler: blocking-cpu/sync-call at the call', () => {
  const r = spawnCli(['audit', join(FIXTURES, 'http-sync'), '--format', 'sarif']);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(results(r.stdout), [['blocking-cpu/sync-call', 'test/cli/fixtures/http-sync/server.ts', 5]]);
});

test('Promise.all over a loaded list: unbounded-fanout/promise-all at the statement', () => {
  const r = spawnCli(['audit', join(FIXTURES, 'http-fanout'), '--format', 'sarif']);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(results(r.stdout), [['unbounded-fanout/promise-all', 'test/cli/fixtures/http-fanout/server.ts', 6]]);
});

test('text format names file:line:col, severity and rule id', () => {
  const r = spawnCli(['audit', 'test/cli/fixtures/http-sync']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^server\.ts:5:\d+ +(error|warning) +.+ blocking-cpu\/sync-call$/m);
});

test('--fix on a copy wraps the fan-out in a limit and leaves no fan-out finding', () => {
  const dir = copyFixture('http-fanout');
  const before = readFileSync(join(dir, 'server.ts'), 'utf8');
  const r = spawnCli(['audit', dir, '--fix', '--format', 'json']);
  assert.match(r.stderr, /^Applied 1 fix in 1 file\.$/m);
  const after = readFileSync(join(dir, 'server.ts'), 'utf8');
  assert.notEqual(after, before);
  assert.match(after, /limit\(/);
  const left = JSON.parse(r.stdout).findings.map((f: { ruleId: string }) => f.ruleId);
  assert.ok(!left.includes('unbounded-fanout/promise-all'), left.join(', '));
  assert.equal(r.code, left.length > 0 ? 1 : 0);
});

test('after the analysis the bin runs a full collection through gc (server/src/cli/memory.ts)', () => {
  // --trace-gc changes V8's flags, so the run gets a code cache of its own.
  const cacheHome = mkdtempSync(join(tmpdir(), 'looplens-gc-'));
  try {
    const out = join(cacheHome, 'report.json');
    const r = spawnSync(process.execPath, ['--trace-gc', builtCli(), 'audit', 'test/cli/fixtures/http-sync', '--format', 'json', '--output', out], {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...process.env, XDG_CACHE_HOME: cacheHome },
    });
    assert.equal(r.status, 1, r.stderr);
    // V8 names a collection that gc() asked for "testing".
    assert.match(r.stdout, /Mark-Compact[^\n]* testing;/);
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).findings.length, 1);
  } finally {
    rmSync(cacheHome, { recursive: true, force: true });
  }
});
