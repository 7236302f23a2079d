#!/usr/bin/env node
// Speed bench (`npm run bench`): on each corpus, in one run, times `looplens audit`, `tsc --noEmit` and ESLint
// with typescript-eslint's type-aware no-floating-promises + no-misused-promises, each as a child process under
// GNU time (wall seconds, CPU seconds = user + sys, peak RSS), median of N runs; prints a Markdown table and the
// ratios against issue 7's targets (audit ≤ 0.8× tsc wall, ≤ 0.4× ESLint wall, peak RSS ≤ tsc's).
//
//   node bench/run.mjs                          # generated 100 / 1,000 / 5,000 files + real packages, 3 runs
//   node bench/run.mjs --runs 1 --sizes 100,1000 --no-real
//   node bench/run.mjs --real-only              # only the real packages (prepared by bench/real-packages.mjs)
//   node bench/run.mjs --cli /tmp/old/cli.js     # another build of the CLI (before/after comparisons)
//
// Corpora live in .bench-cache/ (gen-N written by bench/generate.mjs; real packages from
// bench/real-packages.mjs). Run it under `flock /tmp/looplens-heavy.lock` on a shared machine: the load
// average at the start and end is printed because other processes skew every figure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CACHE, generate } from './generate.mjs';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
let CLI = join(REPO, 'dist', 'cli.js');
const TSC = require.resolve('typescript/bin/tsc');
const ESLINT = join(dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');
const TIMEOUT_MS = 30 * 60_000;

/** Real packages prepared by bench/real-packages.mjs: folder under .bench-cache and what to analyse. */
const REAL = [
  { name: '@budibase/server src', dir: 'budibase-server-3.38.1/package', exclude: ['**/tests/**', '**/*.spec.ts', '**/__mocks__/**'] },
  { name: '@trpc/server src', dir: 'trpc-server-11.25.2/package', exclude: ['**/*.test.ts', '**/__tests__/**'] },
];
/** Compiler options the real packages are checked with (their own tsconfig extends a monorepo file not shipped). */
const REAL_OPTIONS = {
  target: 'ES2022',
  module: 'commonjs',
  moduleResolution: 'node10',
  strict: false,
  esModuleInterop: true,
  skipLibCheck: true,
  resolveJsonModule: true,
  experimentalDecorators: true,
  allowJs: false,
  noEmit: true,
  jsx: 'react-jsx',
  types: ['node'],
  ignoreDeprecations: '6.0',
};
const DEFAULT_EXCLUDE = ['**/node_modules/**', '**/dist/**', '**/build/**', '**/out/**', '**/coverage/**', '**/*.d.ts'];

/** Targets from issue 7, as ratios of LoopLens's figure to the other tool's. */
const TARGETS = { tscWall: 0.8, eslintWall: 0.4, tscRss: 1.0 };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

/**
 * Runs `args` under GNU time in `cwd`; returns {wall, cpu (s), rss (MiB), status}. `okStatus` lists exit codes
 * that are results rather than failures (findings, type errors, lint problems).
 */
function measure(cwd, args, okStatus) {
  const dir = mkdtempSync(join(tmpdir(), 'looplens-bench-'));
  const out = join(dir, 'time.txt');
  try {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', out, ...args], { cwd, encoding: 'utf8', maxBuffer: 512 << 20, timeout: TIMEOUT_MS });
    const timeText = existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n').at(-1) : '';
    const [wall, user, sys, rssKb] = timeText.split(/\s+/).map(Number);
    const failed = r.signal || !okStatus.includes(r.status) || !Number.isFinite(wall);
    return {
      wall,
      cpu: user + sys,
      rss: rssKb / 1024,
      status: r.status,
      failure: failed ? `exit ${r.status ?? r.signal}: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' | ')}` : undefined,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the ESLint flat config for a corpus (type-aware, two promise rules, `project` = its tsconfig). */
function eslintConfig(dir, tsconfig, files) {
  const file = join(dir, 'eslint.looplens-bench.config.mjs');
  const tseslint = pathToFileURL(require.resolve('typescript-eslint')).href;
  writeFileSync(
    file,
    `// Written by LoopLens bench/run.mjs: type-aware promise rules only.
import tseslint from ${JSON.stringify(tseslint)};
export default [
  {
    files: ${JSON.stringify(files)},
    languageOptions: { parser: tseslint.parser, parserOptions: { project: ${JSON.stringify(tsconfig)}, tsconfigRootDir: ${JSON.stringify(dir)} } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: { '@typescript-eslint/no-floating-promises': 'warn', '@typescript-eslint/no-misused-promises': 'warn' },
  },
];
`,
  );
  return file;
}

/** The corpora to run: generated sizes, then the real packages that are present. */
function corpora({ sizes, real }) {
  const out = [];
  for (const n of sizes) {
    const dir = generate(n);
    out.push({
      name: `synthetic Express-style service`,
      files: n,
      dir,
      tsconfig: join(dir, 'tsconfig.json'),
      audit: [process.execPath, CLI, 'audit', 'src', '--format', 'json'],
      eslintFiles: ['src/**/*.ts'],
    });
  }
  if (!real) return out;
  for (const r of REAL) {
    const dir = join(CACHE, r.dir);
    if (!existsSync(join(dir, 'node_modules'))) {
      console.log(`(skipping ${r.name}: run \`npm run bench:real\` once to download and install it)`);
      continue;
    }
    const tsconfig = join(dir, 'tsconfig.looplens-bench.json');
    writeFileSync(tsconfig, JSON.stringify({ compilerOptions: REAL_OPTIONS, include: ['src'], exclude: r.exclude }, null, 2));
    const config = join(dir, 'looplens-bench.looplensrc.json');
    writeFileSync(config, JSON.stringify({ exclude: [...DEFAULT_EXCLUDE, ...r.exclude] }, null, 2));
    const listed = spawnSync(process.execPath, [TSC, '-p', tsconfig, '--listFilesOnly'], { cwd: dir, encoding: 'utf8', maxBuffer: 256 << 20 });
    const files = listed.stdout.split('\n').filter((f) => f.includes('/src/') && !f.includes('/node_modules/') && !f.endsWith('.d.ts')).length;
    out.push({
      name: r.name,
      files,
      dir,
      tsconfig,
      audit: [process.execPath, CLI, 'audit', 'src', '--format', 'json', '--tsconfig', tsconfig, '--config', config],
      eslintFiles: ['src/**/*.ts', 'src/**/*.tsx'],
    });
  }
  return out;
}

function runCorpus(c, runs) {
  const cfg = eslintConfig(c.dir, c.tsconfig, c.eslintFiles);
  const tools = {
    audit: { args: c.audit, ok: [0, 1] },
    tsc: { args: [process.execPath, TSC, '--noEmit', '-p', c.tsconfig], ok: [0, 1, 2] },
    eslint: { args: [process.execPath, ESLINT, '-c', cfg, '--no-warn-ignored', '--no-error-on-unmatched-pattern', '-f', 'json', '-o', '/dev/null', ...c.eslintFiles], ok: [0, 1] },
  };
  const samples = { audit: [], tsc: [], eslint: [] };
  // Interleaved, so a change of load during the run hits every tool alike.
  for (let i = 0; i < runs; i++) {
    for (const [tool, t] of Object.entries(tools)) {
      const m = measure(c.dir, t.args, t.ok);
      if (m.failure) {
        process.stderr.write(`  ${c.name} ${c.files}: ${tool} FAILED: ${m.failure}\n`);
        continue;
      }
      samples[tool].push(m);
      process.stderr.write(`  ${c.name} ${c.files}: ${tool} run ${i + 1}: ${m.wall.toFixed(1)} s wall, ${m.cpu.toFixed(1)} s CPU, ${m.rss.toFixed(0)} MiB (load ${load()})\n`);
    }
  }
  const med = (tool) =>
    samples[tool].length === 0 ? undefined : { wall: median(samples[tool].map((s) => s.wall)), cpu: median(samples[tool].map((s) => s.cpu)), rss: median(samples[tool].map((s) => s.rss)) };
  return { audit: med('audit'), tsc: med('tsc'), eslint: med('eslint') };
}

const fmt = (m) => (m ? `${m.wall.toFixed(1)} / ${m.cpu.toFixed(1)} / ${m.rss.toFixed(0)}` : 'failed');
const ratio = (a, b, target) => {
  if (a === undefined || b === undefined) return 'n/a';
  const r = a / b;
  return `${r.toFixed(2)}× ${r <= target ? '✓' : '✗'}`;
};

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      sizes: { type: 'string', default: '100,1000,5000' },
      'no-real': { type: 'boolean', default: false },
      'real-only': { type: 'boolean', default: false },
      cli: { type: 'string' },
    },
  });
  if (values.cli) CLI = resolve(values.cli);
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  if (!existsSync('/usr/bin/time')) throw new Error('GNU time (/usr/bin/time, Debian package "time") is needed to measure CPU time and peak RSS');
  const runs = Math.max(1, Number(values.runs));
  const sizes = values['real-only'] ? [] : values.sizes.split(',').filter(Boolean).map(Number);
  const startLoad = load();
  const rows = [];
  for (const c of corpora({ sizes, real: !values['no-real'] })) rows.push({ c, m: runCorpus(c, runs) });
  const version = JSON.parse(readFileSync(require.resolve('typescript/package.json'), 'utf8')).version;
  console.log(`\nLoopLens bench: median of ${runs} run(s), TypeScript ${version}, Node ${process.version}; load average (1/5/15 min) ${startLoad} at start, ${load()} at end.`);
  console.log('Each cell: wall s / CPU s (user+sys) / peak RSS MiB.\n');
  console.log('| corpus | files | `looplens audit` | `tsc --noEmit` | ESLint type-aware (2 rules) | audit/tsc wall (≤ 0.8) | audit/ESLint wall (≤ 0.4) | audit/tsc RSS (≤ 1.0) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const { c, m } of rows) {
    console.log(
      `| ${c.name} | ${c.files.toLocaleString('en-US')} | ${fmt(m.audit)} | ${fmt(m.tsc)} | ${fmt(m.eslint)} | ${ratio(m.audit?.wall, m.tsc?.wall, TARGETS.tscWall)} | ${ratio(m.audit?.wall, m.eslint?.wall, TARGETS.eslintWall)} | ${ratio(m.audit?.rss, m.tsc?.rss, TARGETS.tscRss)} |`,
    );
  }
  const gen = rows.filter((r) => r.c.name.startsWith('synthetic'));
  const small = gen.find((r) => r.c.files === 1000);
  const large = gen.find((r) => r.c.files === 5000);
  if (small?.m.audit && large?.m.audit) {
    const growth = large.m.audit.wall / small.m.audit.wall;
    console.log(`\nGrowth 1,000 → 5,000 files: audit wall ×${growth.toFixed(2)} (linear: ×5.00) ${growth <= 5 ? '✓' : '✗'}`);
  }
  if (rows.some(({ m }) => !m.audit || !m.tsc || !m.eslint)) process.exitCode = 1;
  writeFileSync(join(CACHE, 'bench.json'), JSON.stringify({ date: new Date().toISOString(), runs, load: { start: startLoad, end: load() }, rows: rows.map(({ c, m }) => ({ name: c.name, files: c.files, ...m })) }, null, 2));
}

main().catch((e) => {
  console.error(`bench: ${e.message}`);
  process.exitCode = 1;
});
