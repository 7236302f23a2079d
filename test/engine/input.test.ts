/**
 * Input as users have it: JavaScript (CommonJS and ESM), suppression comments, syntax errors, a broken
 * tsconfig, generated and binary files, and cancellation. Nothing crashes; skipped files say why.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { CancelledError, Workspace } from '../../server/src/engine';
import { writeCases } from '../rules/ruleTester';

const made: string[] = [];
after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function project(files: Record<string, string>, tsconfig?: string): string {
  const { root, dirs } = writeCases([{ name: 'p', code: files['server.ts'] ?? '', files }], 'input');
  made.push(root);
  const dir = dirs[0]!;
  if (!files['server.ts']) fs.rmSync(path.join(dir, 'server.ts'));
  fs.rmSync(path.join(root, 'tsconfig.json'));
  if (tsconfig !== undefined) fs.writeFileSync(path.join(dir, 'tsconfig.json'), tsconfig);
  return dir;
}

const ids = (dir: string) =>
  new Workspace({ root: dir }).analyze().findings.map((f) => `${f.ruleId} ${path.relative(dir, f.location.file)}:${f.location.range.start.line + 1}`);

describe('JavaScript', () => {
  it('CommonJS require with a destructured rename is followed like TypeScript', () => {
    const dir = project({
      'server.js': `const http = require('node:http');
const { pbkdf2Sync: derive } = require('node:crypto');
http.createServer((req, res) => {
  res.end(derive(String(req.url), 'salt', 100000, 64, 'sha512').toString('hex'));
}).listen(8080);
`,
    });
    assert.deepEqual(ids(dir), ['blocking-cpu/sync-call server.js:4']);
  });
  it('ESM .mjs with an unbounded fan-out', () => {
    const dir = project({
      'jobs.mjs': `import { readFile } from 'node:fs/promises';
/** @param {string[]} paths */
export async function loadAll(paths) {
  return Promise.all(paths.map((p) => readFile(p, 'utf8')));
}
setInterval(async () => { await loadAll(process.argv.slice(2)); }, 1000);
`,
    });
    assert.deepEqual(ids(dir), ['unbounded-fanout/promise-all jobs.mjs:4']);
  });
});

describe('Node typings', () => {
  it('a JavaScript service outside any project with @types/node still has its node: calls traced', () => {
    // TypeScript 6 includes no @types by default and this folder has no node_modules: the engine's own copy is used.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'looplens-notypes-'));
    made.push(dir);
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), '{ "compilerOptions": { "strict": true } }');
    fs.writeFileSync(
      path.join(dir, 'server.js'),
      `const http = require('http');
const { execSync } = require('child_process');
http.createServer((req, res) => res.end(execSync('uptime'))).listen(8080);
`,
    );
    assert.deepEqual(ids(dir), ['blocking-cpu/sync-call server.js:3']);
  });
});

describe('suppression comments', () => {
  it('disable-next-line silences the named rule (or family) only', () => {
    const dir = project({
      'server.ts': `import { createServer } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
createServer((_req, res) => {
  // looplens-disable-next-line blocking-cpu/sync-call -- tiny file, read once per deploy check
  const a = readFileSync('/etc/hostname', 'utf8');
  // looplens-disable-next-line unbounded-fanout -- wrong family: does not apply
  const b = statSync('/etc/hostname').size;
  // looplens-disable-next-line blocking-cpu
  const c = readFileSync('/etc/os-release', 'utf8');
  res.end(a + b + c);
}).listen(1);
`,
    });
    // The wrong-family comment silences nothing, so it is reported as unused.
    assert.deepEqual(ids(dir), ['looplens/unused-suppression server.ts:6', 'blocking-cpu/sync-call server.ts:7']);
  });
});

describe('bad input', () => {
  it('a file with syntax errors is still analysed as far as it parses', () => {
    const dir = project({
      'server.ts': `import { createServer } from 'node:http';
import { execSync } from 'node:child_process';
createServer((req, res) => {
  res.end(execSync('uptime'));
  if (req.url === ) {
}).listen(1);
`,
    });
    assert.deepEqual(ids(dir), ['blocking-cpu/sync-call server.ts:4']);
  });
  it('a tsconfig that does not parse falls back to defaults and says so', () => {
    const dir = project({ 'a.ts': 'export const x = 1;\n' }, '{ "compilerOptions": { "strict": tru');
    const r = new Workspace({ root: dir }).analyze();
    assert.deepEqual(r.findings, []);
    assert.ok(r.files.some((f) => f.endsWith('/a.ts')));
  });
  it('generated, minified and binary files are skipped with a reason', () => {
    const dir = project({
      'big.ts': `export const data = [${'1,'.repeat(600_000)}];\n`,
      'min.js': `var a=${'1+'.repeat(6000)}1;\n`,
      'blob.ts': 'abc\u0000def',
      // A Rollup chunk's shape: kept lines, mangled names.
      'chunk.js': `import { t as U, c as V } from './shared.js';\n${'function Ge(e, t) {\n  var n = U(), r = V(n);\n  return e(r, t);\n}\n'.repeat(2_000)}`,
      // As long, with names as people write them.
      'handwritten.js': `export function total(orders) {\n${'  const subtotal = orders.reduce((sum, order) => sum + order.amount, 0);\n'.repeat(1_500)}  return 0;\n}\n`,
      'ok.ts': 'export const y = 2;\n',
    });
    const r = new Workspace({ root: dir }).analyze();
    const reasons = Object.fromEntries(r.skipped.map((s) => [path.basename(s.file), s.reason.split(' (')[0]]));
    assert.deepEqual(reasons, { 'big.ts': 'larger than 1 MB', 'blob.ts': 'binary content', 'chunk.js': 'bundled', 'min.js': 'minified' });
    assert.deepEqual(r.files.map((f) => path.basename(f)).sort(), ['handwritten.js', 'ok.ts']);
  });
  it('a cancelled token stops the analysis with CancelledError', () => {
    const dir = project({ 'a.ts': 'export const x = 1;\n' });
    assert.throws(() => new Workspace({ root: dir }).analyze({ token: { isCancellationRequested: true } }), CancelledError);
  });
});
