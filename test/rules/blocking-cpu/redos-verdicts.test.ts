// blocking-cpu/redos's verdicts on regex literals (server/src/engine/rules/blocking-cpu/redos.ts#backtracking), and
// when it loads scslre: only for a regex with two repeating quantifiers, the only kind scslre reports other than
// "Move". Run in a child process, whose module cache no other test has filled.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { it } from 'node:test';

const REPO = join(__dirname, '..', '..', '..');

it('answers one-quantifier regexes without loading scslre, and loads it for the first regex with two', () => {
  const code = `
const { backtracking } = require(${JSON.stringify(join(REPO, 'server/src/engine/rules/blocking-cpu/redos.ts'))});
const loaded = () => Object.keys(require.cache).some((f) => /[\\\\/]node_modules[\\\\/]scslre[\\\\/]/.test(f));
const out = [];
for (const r of ['/\\\\s+/g', '/^[a-z0-9_-]{1,9}$/i', '/^(a|a)*$/', '/(.|\\\\s)*x/', '/^(\\\\w+\\\\s?)*$/', '/\\\\d+\\\\d+$/', '/^a{2}b{3}$/']) out.push([r, backtracking(r), loaded()]);
process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: REPO, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [
    ['/\\s+/g', null, false],
    ['/^[a-z0-9_-]{1,9}$/i', null, false],
    ['/^(a|a)*$/', null, false],
    ['/(.|\\s)*x/', null, false],
    ['/^(\\w+\\s?)*$/', 'exponential', true],
    ['/\\d+\\d+$/', 'polynomial', true],
    ['/^a{2}b{3}$/', null, true],
  ]);
});
