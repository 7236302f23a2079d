// The CLI on a monorepo (test/engine/fixtures/monorepo: a solution-style root tsconfig, two packages with
// project references, a script under no package): the same findings as the engine, each file with its nearest
// tsconfig, exit 1.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from './helpers';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'engine', 'fixtures', 'monorepo');

test('looplens audit on a monorepo reports the lib call reached from the api package and the script', async () => {
  const r = await runCli(['audit', '--format', 'json'], { cwd: ROOT });
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as { findings: { ruleId: string; location: { file: string; range: { start: { line: number } } } }[] };
  assert.deepEqual(
    report.findings.map((f) => `${f.ruleId} ${f.location.file}:${f.location.range.start.line + 1}`),
    ['blocking-cpu/sync-call packages/lib/src/hash.ts:4', 'blocking-cpu/sync-call scripts/status.js:5'],
  );
});
