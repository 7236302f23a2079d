// The launchers' V8 code cache (server/src/codeCache.ts): the bundle runs as `require` would run it, the cache
// is written on the first run, read (not rewritten) on the next, a damaged cache is replaced, never fatal, and a
// new build's cache replaces the earlier builds' caches of the same bundle path only.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO, builtCli } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'looplens-code-cache-'));
const bundle = join(dir, 'bundle.js');
const cacheHome = join(dir, 'cache');

/** Runs `bundle` through runWithCodeCache in a child with its cache under `cacheHome` (env-paths reads XDG_CACHE_HOME on Linux). */
function run(file = bundle): { stdout: string; status: number | null } {
  const code = `require(${JSON.stringify(join(REPO, 'server/src/codeCache.ts'))}).runWithCodeCache(${JSON.stringify(file)})`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: REPO, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome } });
  return { stdout: r.stdout, status: r.status };
}

const cacheFiles = () => readdirSync(join(cacheHome, 'looplens-nodejs', 'code-cache')).map((f) => join(cacheHome, 'looplens-nodejs', 'code-cache', f));

describe('code cache of the launchers', { skip: process.platform !== 'linux' && 'the cache folder comes from XDG_CACHE_HOME on Linux only' }, () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the bundle with its own module scope, writes the cache, then reads it without rewriting', () => {
    writeFileSync(bundle, "#!/usr/bin/env node\nprocess.stdout.write(JSON.stringify({ file: __filename, dir: __dirname, path: typeof require('node:path').join, same: module.exports === exports }));\n");
    const first = run();
    assert.equal(first.status, 0);
    assert.deepEqual(JSON.parse(first.stdout), { file: bundle, dir, path: 'function', same: true });
    const [cache] = cacheFiles();
    assert.ok(cache, 'a cache file is written');
    const written = statSync(cache).mtimeMs;
    const second = run();
    assert.equal(second.stdout, first.stdout);
    assert.equal(statSync(cache).mtimeMs, written, 'an accepted cache is not rewritten');
  });

  it('a damaged cache is rejected and replaced; the bundle still runs', () => {
    const [cache] = cacheFiles();
    writeFileSync(cache!, 'not a V8 code cache');
    const r = run();
    assert.equal(r.status, 0);
    assert.equal(JSON.parse(r.stdout).same, true);
    assert.notEqual(readFileSync(cache!, 'utf8'), 'not a V8 code cache');
  });

  it("a new build's cache replaces the caches of earlier builds of the same bundle, not those of other bundles", () => {
    const other = join(dir, 'other', 'bundle.js');
    mkdirSync(join(dir, 'other'));
    const before = cacheFiles();
    writeFileSync(other, 'process.stdout.write("other");\n');
    assert.equal(run(other).stdout, 'other');
    const otherCache = cacheFiles().filter((f) => !before.includes(f));
    assert.equal(otherCache.length, 1, 'the other bundle gets its own cache');
    const [earlier] = before;
    writeFileSync(bundle, 'process.stdout.write("rebuilt, longer than before");\n');
    assert.equal(run().stdout, 'rebuilt, longer than before');
    const after = cacheFiles();
    assert.ok(!after.includes(earlier!), "the earlier build's cache is gone");
    assert.ok(after.includes(otherCache[0]!), "the other bundle's cache stays");
    assert.equal(after.length, 2, `one cache per bundle: ${after.join(', ')}`);
  });

  it("the built CLI accepts the cache its last audit wrote: nothing in the run changes V8's flags after the launcher", () => {
    const home = join(dir, 'cli-cache');
    const audit = () => {
      const r = spawnSync(process.execPath, [builtCli(), 'audit', 'test/cli/fixtures/http-sync', '--format', 'json'], { cwd: REPO, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: home } });
      assert.equal(r.status, 1, r.stderr);
      return readdirSync(join(home, 'looplens-nodejs', 'code-cache')).map((f) => join(home, 'looplens-nodejs', 'code-cache', f));
    };
    const [cache, ...more] = audit();
    assert.ok(cache && more.length === 0, 'one cache file is written');
    const written = statSync(cache).mtimeMs;
    assert.deepEqual(audit(), [cache]);
    assert.equal(statSync(cache).mtimeMs, written, 'the second run read the cache and did not rewrite it');
  });
});
