/**
 * Runnable before/after fixtures (test/fixes/runnable/<name>/main.ts): each is analysed, the named quick fix
 * of its finding is applied (files it creates included), both versions are compiled with esbuild file by
 * file (as a user's build would: the worker module becomes its own `.js`) and run in a child process on the
 * same input. The results must be equal. While `run(input)` is pending a 1 ms `setInterval` counts ticks:
 * synchronous work lets none fire, so the count shows whether the event loop stayed free.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { buildSync } from 'esbuild';
import { applyEdits, fixesFor, resolveSettings, Workspace } from '../../server/src/engine';
import { loopRewriteFixes } from '../../server/src/engine/fixes/loop-rewrite';
import { parseSource, positionAt } from '../../server/src/engine/fixes/source';
import type { EngineSettings } from '../../server/src/engine/settings';
import type { CodeFix } from '../../server/src/engine/types';

const FIXTURES = path.join(__dirname, 'runnable');
const TMP_ROOT = path.resolve(__dirname, '../../.test-tmp');

/** What `harness.mjs` prints. */
interface RunResult {
  result: unknown;
  /** Timer ticks that fired while `run` was pending. */
  ticks: number;
}

const HARNESS = `const mod = await import(process.argv[2]);
const { readFileSync } = await import('node:fs');
const input = JSON.parse(readFileSync(process.argv[3], 'utf8'));
let ticks = 0;
const timer = setInterval(() => ticks++, 1);
const result = await mod.run(input);
clearInterval(timer);
// The pool's threads would keep the process alive; exit once the output is flushed.
process.stdout.write(JSON.stringify({ result, ticks }), () => process.exit(0));
`;

const TSCONFIG = { compilerOptions: { target: 'ES2022', lib: ['ES2023'], module: 'ESNext', moduleResolution: 'Bundler', types: ['node'], strict: true, skipLibCheck: true } };

interface Fixture {
  name: string;
  /** The finding whose fix is applied, or `refactor: <marker>` for a refactor offered at the marker's text. */
  ruleId: string;
  fixId: string;
  input: unknown;
  /** Settings the fix is computed with (defaults otherwise); they also name the fixture's work folder. */
  settings?: Partial<EngineSettings>;
  check?: (before: RunResult, after: RunResult, fixedText: string) => void;
}

/** Equal results; the unfixed loop holds the event loop (no tick), the fixed one yields (some ticks). */
function sameResultAndYields(before: RunResult, after: RunResult): void {
  assert.deepEqual(after.result, before.result);
  assert.equal(before.ticks, 0, 'the unfixed loop holds the event loop: no timer tick');
  assert.ok(after.ticks >= 1, `the fixed loop yields: timer ticks ${after.ticks}`);
}

/** Same score; before on the main thread holding the event loop, after on a worker thread with timers firing. */
function offloaded(before: RunResult, after: RunResult): void {
  const b = before.result as { score: number; thread: number };
  const a = after.result as { score: number; thread: number };
  assert.equal(a.score, b.score);
  assert.equal(b.thread, 0, 'before: on the main thread');
  assert.notEqual(a.thread, 0, 'after: on a worker thread');
  assert.equal(before.ticks, 0, 'before: the event loop is held');
  assert.ok(after.ticks >= 1, `after: the event loop keeps serving timers (${after.ticks} ticks)`);
}

const people = Array.from({ length: 3500 }, (_, i) => ({ id: i, friends: [(i * 7) % 3500, (i * 13) % 3500, (i + 1) % 3500] }));
const words = Array.from({ length: 400 }, (_, i) => Array.from({ length: 8 }, (_, j) => `w${(i * 31 + j * 17) % 97}`));
const orders = Array.from({ length: 3500 }, (_, i) => ({ id: i, skus: [`s${i % 50}`, `s${(i * 3) % 71}`] }));

const FIXTURE_TABLE: Fixture[] = [
  {
    name: 'fan-out',
    ruleId: 'unbounded-fanout/promise-all',
    fixId: 'looplens.wrap-p-limit',
    input: Array.from({ length: 40 }, (_, i) => i),
    check: (before, after) => {
      const b = before.result as { prices: number[]; maxInFlight: number };
      const a = after.result as { prices: number[]; maxInFlight: number };
      assert.deepEqual(a.prices, b.prices);
      assert.equal(b.maxInFlight, 40, 'before: every call in flight at once');
      assert.equal(a.maxInFlight, 8, 'after: at most the limit (looplens.concurrency.io = 8)');
    },
  },
  {
    name: 'cpu-loop',
    ruleId: 'blocking-cpu/data-loop',
    fixId: 'looplens.yield-in-loop',
    input: people,
    check: sameResultAndYields,
  },
  {
    name: 'sync-hash',
    ruleId: 'blocking-cpu/sync-call',
    fixId: 'looplens.sync-to-async',
    input: { password: 'correct horse', salt: 'NaCl' },
    check: (before, after, fixed) => {
      assert.deepEqual(after.result, before.result);
      assert.match(fixed, /await pbkdf2Async\(/);
      assert.equal(before.ticks, 0);
    },
  },
  {
    name: 'worker-offload',
    ruleId: 'blocking-cpu/data-loop',
    fixId: 'looplens.worker-offload',
    input: words,
    check: offloaded,
  },
  {
    name: 'worker-offload',
    ruleId: 'blocking-cpu/data-loop',
    fixId: 'looplens.worker-offload',
    settings: { workerPool: 'worker_threads' },
    input: words,
    check: (before, after, fixed) => {
      assert.match(fixed, /await similarityInWorker\(words\)/);
      offloaded(before, after);
    },
  },
  {
    name: 'loop-rewrite',
    ruleId: 'refactor: for (const id of ids)',
    fixId: 'looplens.loop-p-map',
    input: Array.from({ length: 40 }, (_, i) => i),
    check: (before, after) => {
      const b = before.result as { prices: number[]; maxInFlight: number };
      const a = after.result as { prices: number[]; maxInFlight: number };
      assert.deepEqual(a.prices, b.prices, 'results in input order');
      assert.equal(b.maxInFlight, 1, 'before: one call at a time');
      assert.equal(a.maxInFlight, 8, 'after: at most the limit (looplens.concurrency.io = 8)');
    },
  },
  {
    name: 'loop-rewrite',
    ruleId: 'refactor: for (const id of ids)',
    fixId: 'looplens.loop-chunked',
    input: [1, 2, 3, -4, 5, 6, 7, 8, 9, 10],
    check: (before, after) => {
      const b = before.result as { prices: number[]; error?: string };
      const a = after.result as { prices: number[]; error?: string };
      assert.deepEqual([a.prices, a.error], [b.prices, b.error], 'the first rejection rejects: same error, no prices');
      assert.equal(a.error, 'bad id -4');
    },
  },
  {
    name: 'partition-sync',
    ruleId: 'blocking-cpu/data-loop',
    fixId: 'looplens.partition-async',
    input: orders,
    check: sameResultAndYields,
  },
];

/** Compiles every .ts file of `dir` to an ES module .js next to it (no bundling) and runs `main.js`. */
function compileAndRun(dir: string, input: unknown): RunResult {
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  fs.writeFileSync(path.join(dir, 'harness.mjs'), HARNESS);
  const entries = fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
  buildSync({ entryPoints: entries, outdir: dir, format: 'esm', platform: 'node', target: 'node20', bundle: false, logLevel: 'error' });
  fs.writeFileSync(path.join(dir, 'input.json'), JSON.stringify(input));
  const r = spawnSync(process.execPath, [path.join(dir, 'harness.mjs'), path.join(dir, 'main.js'), path.join(dir, 'input.json')], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `run in ${dir} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as RunResult;
}

describe('runnable fixtures: same result before and after the fix', () => {
  fs.mkdirSync(TMP_ROOT, { recursive: true });
  const work = fs.mkdtempSync(path.join(TMP_ROOT, 'runnable-'));
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  for (const fx of FIXTURE_TABLE) {
    const variant = fx.settings ? ` with ${JSON.stringify(fx.settings)}` : '';
    it(`${fx.name}: ${fx.fixId} on ${fx.ruleId}${variant}`, { timeout: 5 * 60_000 }, (t) => {
      const folder = fx.settings ? `${fx.fixId}-${Object.values(fx.settings).join('-')}` : fx.fixId;
      const before = path.join(work, fx.name, folder, 'before');
      const fixedDir = path.join(work, fx.name, folder, 'after');
      for (const d of [before, fixedDir]) {
        fs.mkdirSync(d, { recursive: true });
        fs.copyFileSync(path.join(FIXTURES, fx.name, 'main.ts'), path.join(d, 'main.ts'));
        fs.writeFileSync(path.join(d, 'tsconfig.json'), JSON.stringify(TSCONFIG));
      }
      let file: string;
      let text: string;
      let fix: CodeFix | undefined;
      if (fx.ruleId.startsWith('refactor: ')) {
        file = path.join(fixedDir, 'main.ts');
        text = fs.readFileSync(file, 'utf8');
        const at = positionAt(text, text.indexOf(fx.ruleId.slice('refactor: '.length)));
        const io = resolveSettings({}).concurrencyIo;
        fix = loopRewriteFixes(parseSource(file, text), { start: at, end: at }, { limit: io, reason: 'looplens.concurrency.io setting' }).find((f) => f.fixId === fx.fixId);
      } else {
        const result = new Workspace({ root: fixedDir }).analyze();
        const finding = result.findings.find((f) => f.ruleId === fx.ruleId);
        assert.ok(finding, `no ${fx.ruleId} finding in ${fx.name}: ${result.findings.map((f) => f.ruleId).join(', ')}`);
        file = finding.location.file;
        text = fs.readFileSync(file, 'utf8');
        fix = fixesFor(finding, text, resolveSettings(fx.settings)).find((f) => f.fixId === fx.fixId);
      }
      assert.ok(fix && !fix.disabled, `${fx.fixId} not offered: ${fix?.disabled ?? 'absent'}`);
      const fixed = applyEdits(text, fix.edits);
      fs.writeFileSync(file, fixed);
      for (const c of fix.creates ?? []) fs.writeFileSync(c.file, c.text);

      const b = compileAndRun(before, fx.input);
      const a = compileAndRun(fixedDir, fx.input);
      t.diagnostic(`${fx.name}: "${fix.title}" — result equal; timer ticks during run: before ${b.ticks}, after ${a.ticks}`);
      if (fx.check) fx.check(b, a, fixed);
      else assert.deepEqual(a.result, b.result);
    });
  }
});
