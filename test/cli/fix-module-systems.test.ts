// `looplens audit --fix` on an ES-module TypeScript service and a CommonJS JavaScript one: the exact fixed text,
// a second run changes nothing, the result type-checks with tsc, and the CommonJS code runs with every offered
// fan-out variant giving the same results as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyEdits, fixesFor, resolveSettings, Workspace } from '../../server/src/engine';
import { copyFixture, REPO, spawnCli } from './helpers';

/** Runs the repository's tsc on a project folder; returns its output when it fails. */
function tsc(dir: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

const ESM_FIXED = `import { createServer } from 'node:http';
import { readFile, unlink } from 'node:fs/promises';
import pLimit from 'p-limit';
import pMap from 'p-map';

const limit = pLimit(8);

const threadpoolLimit = pLimit(4);

async function readAll(paths: string[]): Promise<string[]> {
  return Promise.all(paths.map((p) => threadpoolLimit(() => readFile(p, 'utf8'))));
}

async function removeAll(paths: string[]): Promise<void> {
  await pMap(paths, async (p) => {
    await unlink(p);
  }, { concurrency: 4 });
}

async function pingAll(urls: string[]): Promise<number[]> {
  return Promise.all(urls.map((u) => limit(async () => (await fetch(u)).status)));
}

const server = createServer(async (req, res) => {
  const paths: string[] = JSON.parse(req.headers['x-paths'] as string);
  const texts = await readAll(paths);
  await removeAll(paths);
  res.end(JSON.stringify({ texts, statuses: await pingAll(texts) }));
});

server.listen(8080);
`;

const CJS_FIXED = `'use strict';
const { readFile, stat } = require('node:fs/promises');

// Runs fn over items, size at a time; results keep the order of items; the first rejection rejects.
async function mapInChunks(items, size, fn) {
  const results = [];
  for (let i = 0; i < items.length; i += size) {
    results.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => fn(item, i + j)))));
  }
  return results;
}

/** @param {string[]} paths */
async function readAll(paths) {
  return mapInChunks(paths, 4, (p) => readFile(p, 'utf8'));
}

/** @param {string[]} paths */
async function sizes(paths) {
  const out = [];
  await mapInChunks(paths, 4, async (p) => {
    const s = await stat(p);
    out.push(s.size);
  });
  return out;
}

module.exports = { readAll, sizes };
`;

function fixTwice(dir: string, file: string) {
  const first = spawnCli(['audit', dir, '--fix', '--format', 'json']);
  const fixed = readFileSync(join(dir, file), 'utf8');
  const second = spawnCli(['audit', dir, '--fix', '--format', 'json']);
  const left = (JSON.parse(second.stdout).findings as { ruleId: string }[]).map((f) => f.ruleId);
  return { first, fixed, second, again: readFileSync(join(dir, file), 'utf8'), left };
}

test('--fix on an ES module (package type module, NodeNext): p-limit per resource and p-map for forEach; idempotent; type-checks', () => {
  const dir = copyFixture('fanout-esm');
  const r = fixTwice(dir, 'src/server.ts');
  assert.match(r.first.stderr, /^Applied 3 fixes in 1 file\.$/m);
  assert.equal(r.fixed, ESM_FIXED);
  assert.match(r.second.stderr, /^Applied 0 fixes in 0 files\.$/m);
  assert.equal(r.again, r.fixed);
  assert.deepEqual(r.left.filter((id) => id.startsWith('unbounded-fanout/')), []);
  const check = tsc(dir);
  assert.equal(check.code, 0, check.out);
});

test('--fix on CommonJS JavaScript (no p-limit/p-map in package.json): the chunked rewrite; idempotent; type-checks with checkJs', () => {
  const dir = copyFixture('fanout-cjs');
  const r = fixTwice(dir, 'lib.js');
  assert.match(r.first.stderr, /^Applied 2 fixes in 1 file\.$/m);
  assert.equal(r.fixed, CJS_FIXED);
  assert.match(r.second.stderr, /^Applied 0 fixes in 0 files\.$/m);
  assert.equal(r.again, r.fixed);
  assert.deepEqual(r.left.filter((id) => id.startsWith('unbounded-fanout/')), []);
  const check = tsc(dir);
  assert.equal(check.code, 0, check.out);
});

test('CommonJS: every offered variant of the Promise.all fix runs (p-limit and p-map through import()) with the same results', async () => {
  const dir = copyFixture('fanout-cjs');
  const lib = join(dir, 'lib.js');
  const text = readFileSync(lib, 'utf8');
  const finding = new Workspace({ root: dir }).analyze().findings.find((f) => f.ruleId === 'unbounded-fanout/promise-all' && f.location.file.endsWith('/lib.js'));
  assert.ok(finding, 'no promise-all finding in lib.js');
  const variants = fixesFor(finding, text, resolveSettings({})).filter((f) => f.edits.length > 0 && f.fixId !== 'looplens.disable-next-line');
  assert.deepEqual(variants.map((f) => f.fixId).sort(), ['looplens.chunked', 'looplens.p-map', 'looplens.wrap-p-limit']);

  const data = mkdtempSync(join(tmpdir(), 'looplens-cjs-run-'));
  const inputs = Array.from({ length: 11 }, (_, i) => {
    const p = join(data, `f${i}.txt`);
    writeFileSync(p, 'x'.repeat(i));
    return p;
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const run = (file: string): Promise<string[]> => require(file).readAll(inputs);
  const expected = await run(lib);
  assert.deepEqual(expected, inputs.map((_, i) => 'x'.repeat(i)));
  for (const fix of variants) {
    const out = join(dir, `lib.${fix.fixId.replace('looplens.', '')}.js`);
    writeFileSync(out, applyEdits(text, fix.edits));
    assert.deepEqual(await run(out), expected, fix.title);
  }
});
