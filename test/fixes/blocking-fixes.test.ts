/**
 * The blocking-cpu quick fixes: `looplens.sync-to-async`, `looplens.partition-async` and
 * `looplens.worker-offload`. Fix tables build findings by hand (the fix builders only read syntax);
 * the refusal tables run the analysis, since the checker decides clonability, closures and callers.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { applyEdits, fixesFor, resolveSettings, type AnalysisResult, type Finding } from '../../server/src/engine';
import type { BlockingFixData, FixData } from '../../server/src/engine/types';
import { analyzeFolder, writeCases } from '../rules/ruleTester';
import { APP, APP_LINES } from '../rules/prelude';
import { applyFix, finding, fixWithId, lines, rangeOf } from './helpers';

const SYNC_TO_ASYNC = 'looplens.sync-to-async';
const OFFLOAD = 'looplens.worker-offload';
const PARTITION = 'looplens.partition-async';

function syncCall(code: string, call: string, api: string, module: string, extra: BlockingFixData = {}, file?: string): Finding {
  const range = rangeOf(code, call);
  const fix: FixData = { kind: 'none', swap: { call: range, api, module }, ...extra };
  return finding('blocking-cpu/sync-call', range, fix, file);
}

describe('looplens.sync-to-async', () => {
  it('readFileSync in an async function → await readFile from node:fs/promises, parenthesised as an operand', () => {
    const code = lines(
      "import { readFileSync } from 'node:fs';",
      'export async function info(file: string): Promise<string> {',
      "  return readFileSync(file, 'utf8').trim();",
      '}',
    );
    const f = syncCall(code, "readFileSync(file, 'utf8')", 'readFileSync', 'fs');
    assert.equal(
      applyFix(f, code, SYNC_TO_ASYNC),
      lines(
        "import { readFileSync } from 'node:fs';",
        "import { readFile } from 'node:fs/promises';",
        'export async function info(file: string): Promise<string> {',
        "  return (await readFile(file, 'utf8')).trim();",
        '}',
      ),
    );
    assert.equal(fixWithId(f, code, SYNC_TO_ASYNC)?.isPreferred, true);
  });

  it('pbkdf2Sync → a module-level promisify(pbkdf2), joining the existing crypto import; CommonJS uses require', () => {
    const code = lines(
      "const { pbkdf2Sync } = require('crypto');",
      'async function login(pw) {',
      "  const key = pbkdf2Sync(pw, 'salt', 100000, 64, 'sha512');",
      '  return key.length;',
      '}',
      'module.exports = { login };',
    );
    const f = syncCall(code, "pbkdf2Sync(pw, 'salt', 100000, 64, 'sha512')", 'pbkdf2Sync', 'crypto', {}, '/project/src/login.cjs');
    assert.equal(
      applyFix(f, code, SYNC_TO_ASYNC),
      lines(
        "const { pbkdf2Sync } = require('crypto');",
        "const { promisify } = require('node:util');",
        "const { pbkdf2 } = require('node:crypto');",
        '',
        'const pbkdf2Async = promisify(pbkdf2);',
        'async function login(pw) {',
        "  const key = await pbkdf2Async(pw, 'salt', 100000, 64, 'sha512');",
        '  return key.length;',
        '}',
        'module.exports = { login };',
      ),
    );
  });

  it('a second swap reuses the promisified function (fix-all composes them)', () => {
    const code = lines(
      "import { gzipSync, gzip } from 'node:zlib';",
      "import { promisify } from 'node:util';",
      'const gzipAsync = promisify(gzip);',
      'export async function pack(b: Buffer) {',
      '  return gzipSync(b);',
      '}',
    );
    const f = syncCall(code, 'gzipSync(b)', 'gzipSync', 'zlib');
    assert.equal(applyFix(f, code, SYNC_TO_ASYNC), code.replace('return gzipSync(b);', 'return await gzipAsync(b);'));
  });

  it('execSync of a literal command without shell syntax → promisified execFile, Buffer output kept', () => {
    const code = lines(
      "import { execSync } from 'node:child_process';",
      'export async function rev() {',
      "  return execSync('git rev-parse HEAD').toString().trim();",
      '}',
    );
    const f = syncCall(code, "execSync('git rev-parse HEAD')", 'execSync', 'child_process');
    assert.equal(
      applyFix(f, code, SYNC_TO_ASYNC),
      lines(
        "import { execSync, execFile } from 'node:child_process';",
        "import { promisify } from 'node:util';",
        '',
        'const execFileAsync = promisify(execFile);',
        'export async function rev() {',
        "  return (await execFileAsync('git', ['rev-parse', 'HEAD'], { encoding: 'buffer' })).stdout.toString().trim();",
        '}',
      ),
    );
  });

  it('a refused swap is a disabled action carrying the reason', () => {
    const code = lines("import { execSync } from 'node:child_process';", 'export async function ls(dir: string) {', '  return execSync(`ls ${dir}`);', '}');
    const range = rangeOf(code, 'execSync(`ls ${dir}`)');
    const f = finding('blocking-cpu/sync-call', range, { kind: 'none', swap: { call: range, api: 'execSync', module: 'child_process', refused: 'the command is not a string literal' } });
    const fix = fixWithId(f, code, SYNC_TO_ASYNC);
    assert.deepEqual(fix && { disabled: fix.disabled, edits: fix.edits, isPreferred: fix.isPreferred }, {
      disabled: 'Not swapped: the command is not a string literal.',
      edits: [],
      isPreferred: false,
    });
  });

  it('in a sync helper: makes it async and awaits its calls', () => {
    const code = lines(
      "import { scryptSync } from 'node:crypto';",
      'function derive(pw: string): Buffer {',
      "  return scryptSync(pw, 'salt', 32);",
      '}',
      'export async function check(pw: string) {',
      "  return derive(pw).toString('hex');",
      '}',
    );
    const conversion = { fn: rangeOf(code, "function derive(pw: string): Buffer {\n  return scryptSync(pw, 'salt', 32);\n}"), calls: [rangeOf(code, 'derive(pw)')] };
    const f = syncCall(code, "scryptSync(pw, 'salt', 32)", 'scryptSync', 'crypto', { conversion });
    assert.equal(
      applyFix(f, code, SYNC_TO_ASYNC),
      lines(
        "import { scryptSync, scrypt } from 'node:crypto';",
        "import { promisify } from 'node:util';",
        '',
        'const scryptAsync = promisify(scrypt);',
        'async function derive(pw: string): Promise<Buffer> {',
        "  return await scryptAsync(pw, 'salt', 32);",
        '}',
        'export async function check(pw: string) {',
        "  return (await derive(pw)).toString('hex');",
        '}',
      ),
    );
  });
});

describe('looplens.worker-offload', () => {
  it('moves the function to <name>.worker.ts and runs it on one module-level piscina pool', () => {
    const code = lines(
      "import { createHash } from 'node:crypto';",
      'const ROUNDS = 1000;',
      '',
      '/** Hashes a lot. */',
      'function digest(text: string): string {',
      '  let h = text;',
      "  for (let i = 0; i < ROUNDS; i++) h = createHash('sha256').update(h).digest('hex');",
      '  return h;',
      '}',
      '',
      'export async function handle(t: string) {',
      '  return digest(t).slice(0, 8);',
      '}',
    );
    const fnRange = rangeOf(code, code.slice(code.indexOf('function digest'), code.indexOf('}\n\nexport') + 1));
    const f = finding('blocking-cpu/sync-call', rangeOf(code, 'createHash('), {
      kind: 'none',
      offload: {
        fn: fnRange,
        name: 'digest',
        calls: [rangeOf(code, 'digest(t)')],
        copies: [rangeOf(code, "import { createHash } from 'node:crypto';"), rangeOf(code, 'const ROUNDS = 1000;')],
        moduleFormat: 'esm',
      },
    });
    const fix = fixWithId(f, code, OFFLOAD)!;
    assert.equal(fix.isPreferred, false);
    assert.match(fix.title, /^Run `digest` in a piscina worker pool of availableParallelism\(\) − 1 threads \(\d+ here: CPU-bound work gains nothing from more threads than cores, and the event loop keeps one\); creates digest\.worker\.ts; needs the piscina package$/);
    assert.equal(
      applyEdits(code, fix.edits),
      lines(
        "import { createHash } from 'node:crypto';",
        "import { Piscina } from 'piscina';",
        "import { availableParallelism } from 'node:os';",
        "import type { digest } from './digest.worker.js';",
        '',
        '/** Runs `digest` (digest.worker.ts) off the event loop; CPU-bound work gains nothing from more threads than cores. */',
        'const digestPool = new Piscina<Parameters<typeof digest>, ReturnType<typeof digest>>({',
        "  filename: new URL('./digest.worker.js', import.meta.url).href,",
        '  maxThreads: Math.max(1, availableParallelism() - 1),',
        '});',
        'const ROUNDS = 1000;',
        '',
        'export async function handle(t: string) {',
        '  return (await digestPool.run([t])).slice(0, 8);',
        '}',
      ),
    );
    assert.deepEqual(fix.creates, [
      {
        file: '/project/src/digest.worker.ts',
        text: lines(
          '/**',
          ' * `digest`, moved here by LoopLens so it runs on a worker thread instead of the event loop.',
          ' * piscina calls the default export with one task: the arguments of one call, as an array.',
          ' */',
          '',
          "import { createHash } from 'node:crypto';",
          'const ROUNDS = 1000;',
          '',
          '/** Hashes a lot. */',
          'export function digest(text: string): string {',
          '  let h = text;',
          "  for (let i = 0; i < ROUNDS; i++) h = createHash('sha256').update(h).digest('hex');",
          '  return h;',
          '}',
          '',
          'export default function run(args: Parameters<typeof digest>): ReturnType<typeof digest> {',
          '  return digest(...args);',
          '}',
        ),
      },
    ]);
  });
});

describe('looplens.worker-offload with looplens.fixes.workerPool: "worker_threads"', () => {
  const code = lines(
    "import { createHash } from 'node:crypto';",
    '',
    'function digest(text: string): string {',
    "  return createHash('sha256').update(text).digest('hex');",
    '}',
    '',
    'export async function handle(t: string) {',
    '  return digest(t).slice(0, 8);',
    '}',
  );
  const offloadFinding = (src: string, moduleFormat: 'esm' | 'cjs', file?: string): Finding =>
    finding(
      'blocking-cpu/sync-call',
      rangeOf(src, 'createHash('),
      {
        kind: 'none',
        offload: {
          fn: rangeOf(src, src.slice(src.indexOf('function digest'), src.indexOf('}\n\n') + 1)),
          name: 'digest',
          calls: [rangeOf(src, 'digest(t)')],
          copies: [rangeOf(src, src.split('\n')[0]!)],
          moduleFormat,
        },
      },
      file,
    );

  it('ESM TypeScript: a module-level digestInWorker starting one Worker per call, no piscina', () => {
    const fix = fixWithId(offloadFinding(code, 'esm'), code, OFFLOAD, { workerPool: 'worker_threads' })!;
    assert.equal(
      fix.title,
      'Run `digest` in a worker thread (node:worker_threads, one per call: no dependency, but each call starts a thread; looplens.fixes.workerPool setting); creates digest.worker.ts',
    );
    assert.equal(
      applyEdits(code, fix.edits),
      lines(
        "import { createHash } from 'node:crypto';",
        "import { Worker } from 'node:worker_threads';",
        "import type { digest } from './digest.worker.js';",
        '',
        '/** Runs `digest` (digest.worker.ts) on a new worker thread, off the event loop: one thread per call, no pool. */',
        'function digestInWorker(...args: Parameters<typeof digest>): Promise<ReturnType<typeof digest>> {',
        '  return new Promise((resolve, reject) => {',
        "    const worker = new Worker(new URL('./digest.worker.js', import.meta.url), { workerData: args });",
        "    worker.once('message', resolve);",
        "    worker.once('error', reject);",
        "    worker.once('exit', (code: number) => {",
        '      if (code !== 0) reject(new Error(`digest.worker stopped with exit code ${code}`));',
        '    });',
        '  });',
        '}',
        '',
        'export async function handle(t: string) {',
        '  return (await digestInWorker(t)).slice(0, 8);',
        '}',
      ),
    );
    assert.deepEqual(fix.creates, [
      {
        file: '/project/src/digest.worker.ts',
        text: lines(
          '/**',
          ' * `digest`, moved here by LoopLens so it runs on a worker thread instead of the event loop.',
          ' * One Worker per call: the arguments arrive as `workerData` (an array) and the result goes back as one message.',
          ' */',
          '',
          "import { parentPort, workerData } from 'node:worker_threads';",
          "import { createHash } from 'node:crypto';",
          '',
          'export function digest(text: string): string {',
          "  return createHash('sha256').update(text).digest('hex');",
          '}',
          '',
          'parentPort?.postMessage(digest(...(workerData as Parameters<typeof digest>)));',
        ),
      },
    ]);
  });

  it('CommonJS JavaScript: require, the worker located from __dirname, no types', () => {
    const cjs = code
      .replace("import { createHash } from 'node:crypto';", "const { createHash } = require('node:crypto');")
      .replace('(text: string): string', '(text)')
      .replace('(t: string)', '(t)')
      .replace('export async function handle', 'async function handle');
    const fix = fixWithId(offloadFinding(cjs, 'cjs', '/project/src/app.cjs'), cjs, OFFLOAD, { workerPool: 'worker_threads' })!;
    assert.equal(
      applyEdits(cjs, fix.edits),
      lines(
        "const { createHash } = require('node:crypto');",
        "const { Worker } = require('node:worker_threads');",
        "const { join } = require('node:path');",
        '',
        '/** Runs `digest` (digest.worker.cjs) on a new worker thread, off the event loop: one thread per call, no pool. */',
        'function digestInWorker(...args) {',
        '  return new Promise((resolve, reject) => {',
        "    const worker = new Worker(join(__dirname, 'digest.worker.cjs'), { workerData: args });",
        "    worker.once('message', resolve);",
        "    worker.once('error', reject);",
        "    worker.once('exit', (code) => {",
        '      if (code !== 0) reject(new Error(`digest.worker stopped with exit code ${code}`));',
        '    });',
        '  });',
        '}',
        '',
        'async function handle(t) {',
        '  return (await digestInWorker(t)).slice(0, 8);',
        '}',
      ),
    );
    assert.deepEqual(fix.creates, [
      {
        file: '/project/src/digest.worker.cjs',
        text: lines(
          '/**',
          ' * `digest`, moved here by LoopLens so it runs on a worker thread instead of the event loop.',
          ' * One Worker per call: the arguments arrive as `workerData` (an array) and the result goes back as one message.',
          ' */',
          '',
          "const { parentPort, workerData } = require('node:worker_threads');",
          "const { createHash } = require('node:crypto');",
          '',
          'function digest(text) {',
          "  return createHash('sha256').update(text).digest('hex');",
          '}',
          '',
          'parentPort?.postMessage(digest(...workerData));',
        ),
      },
    ]);
  });
});

describe('blocking-cpu fix data from the analysis (refusals and callers)', () => {
  const cases = [
    {
      name: 'closure over a module-level value that is not a literal',
      code: `${APP}const same = (a: string, b: string) => a === b;
function score(rows: string[]): number { let n = 0; for (const a of rows) for (const b of rows) if (same(a, b) && a.includes(b)) n++; return n; }
app.post('/s', async (req, res) => res.json(score(req.body.items)));
app.listen(1);`,
    },
    {
      name: 'a function argument cannot be cloned',
      code: `${APP}function score(rows: string[], same: (a: string, b: string) => boolean): number { let n = 0; for (const a of rows) for (const b of rows) if (same(a, b) && a.includes(b)) n++; return n; }
app.post('/s', async (req, res) => res.json(score(req.body.items, (a, b) => a === b)));
app.listen(1);`,
    },
    {
      name: 'a caller that cannot await',
      code: `${APP}function score(rows: string[]): number { let n = 0; for (const a of rows) for (const b of rows) if (a.includes(b)) n++; return n; }
app.post('/s', (req, res) => res.json(score(req.body.items)));
app.listen(1);`,
    },
    {
      name: 'a Buffer result is re-wrapped',
      code: `${APP}import { pbkdf2Sync } from 'node:crypto';
function key(pw: string): Buffer { return pbkdf2Sync(pw, 's', 1000, 32, 'sha256'); }
app.post('/k', async (req, res) => res.send(key(req.body.text).toString('hex')));
app.listen(1);`,
    },
    {
      name: 'exported CommonJS-style through a shorthand property',
      code: `${APP}import { scryptSync } from 'node:crypto';
function hashToken(t: string): string { return scryptSync(t, 's', 32).toString('hex'); }
module.exports = { hashToken };
app.post('/t', async (req, res) => res.json({ hash: hashToken(req.body.text) }));
app.listen(1);`,
    },
    {
      name: 'exported through an export list',
      code: `${APP}import { scryptSync } from 'node:crypto';
function hashToken(t: string): string { return scryptSync(t, 's', 32).toString('hex'); }
export { hashToken };
app.post('/t', async (req, res) => res.json({ hash: hashToken(req.body.text) }));
app.listen(1);`,
    },
  ];
  // Each case is a module (`export {}`), so cases do not share one global scope.
  for (const c of cases) c.code += '\nexport {};\n';
  let result: AnalysisResult;
  let dirs: string[] = [];
  let root = '';
  before(() => {
    ({ root, dirs } = writeCases(cases, 'blocking-fixes'));
    result = analyzeFolder(root);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  const fixesIn = (i: number, fixId: string) => {
    const f = result.findings.find((x) => x.family === 'blocking-cpu' && x.location.file.startsWith(dirs[i]! + '/'));
    assert.ok(f, `no blocking-cpu finding in case ${i}`);
    return { f, fix: fixesFor(f, fs.readFileSync(f.location.file, 'utf8'), resolveSettings({})).find((x) => x.fixId === fixId) };
  };

  it('refuses the offload of a function that closes over module state', () => {
    assert.equal(fixesIn(0, OFFLOAD).fix?.disabled, 'Not moved to a worker: it reads the module-level `same`, whose value (not a literal) a worker would not share.');
  });
  it('refuses the offload of a function taking a callback', () => {
    assert.equal(fixesIn(1, OFFLOAD).fix?.disabled, 'Not moved to a worker: the argument `same` cannot be copied to a worker: `(a: string, b: string) => boolean` is a function.');
  });
  it('refuses conversion and offload when a caller is a sync function', () => {
    const line = 'the call at line 11 is not in an async function, so it cannot await';
    assert.equal(fixesIn(2, OFFLOAD).fix?.disabled, `Not moved to a worker: ${line}.`);
    assert.equal(fixesIn(2, PARTITION).fix?.disabled, `The function cannot become async: ${line}.`);
  });
  it('refuses to make a function async when module.exports names it in a shorthand property (callers elsewhere would not await)', () => {
    assert.equal(
      fixesIn(4, SYNC_TO_ASYNC).fix?.disabled,
      `The enclosing function is not async and cannot become async: \`hashToken\` is used as a value at line ${APP_LINES + 3}, not only called.`,
    );
  });
  it('refuses to make a function async when an export list exports it', () => {
    assert.equal(fixesIn(5, SYNC_TO_ASYNC).fix?.disabled, 'The enclosing function is not async and cannot become async: `hashToken` is exported, so callers in other files would have to await it too.');
  });
  it('offloads a function returning a Buffer as Buffer.from(await pool.run(…))', () => {
    const { f, fix } = fixesIn(3, OFFLOAD);
    assert.equal(f.fix.offload?.resultBuffer, true);
    const text = applyEdits(fs.readFileSync(f.location.file, 'utf8'), fix!.edits);
    assert.ok(text.includes("res.send(Buffer.from(await keyPool.run([req.body.text])).toString('hex'))"), text);
  });
});
