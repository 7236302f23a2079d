// The @vscode/test-electron + Mocha suite (test/vscode/runTests.ts) as one node:test test, so `npm test` shows
// whether it ran, passed, or was skipped and why (no local VS Code and the download host unreachable).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('VS Code API suite (@vscode/test-electron + Mocha)', { timeout: 20 * 60_000 }, async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/vscode/runTests.ts')], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  const code = await new Promise<number | null>((res) => child.on('close', res));
  const skip = /^SKIP: (.*)$/m.exec(out);
  if (skip && code === 0) {
    t.skip(skip[1]);
    return;
  }
  assert.equal(code, 0, out.split('\n').slice(-80).join('\n'));
});
