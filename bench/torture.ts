#!/usr/bin/env node
// Torture run (`npm run torture`): the engine over every .ts/.js file of this project's installed dependencies
// (node_modules, declarations excepted), then over mutated copies (cut at random offsets, braces removed or
// added) and hostile inputs (a 10 MB generated file, 10,000 nested parentheses, deep nesting, a binary file
// named .ts, cyclic imports, a symlink loop, a tsconfig that does not parse). Prints how many files ran, how
// many crashed (must be 0), how many were skipped and why, the slowest batch, and peak RSS. Exits 1 on any crash.
//
//   npm run torture
//   node --import tsx bench/torture.ts --limit 2000 --mutants 200 --seed 7
//
// Dependencies are analysed in batches (one program per batch, imports not followed) so memory stays bounded;
// a batch that throws counts one crash per file in it and is retried file by file to name the culprit.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { parseArgs } from 'node:util';
import { Project, ts } from 'ts-morph';
import { globSync } from 'tinyglobby';
import { analyzeProgram } from '../server/src/engine/analysis';
import { overBudget } from '../server/src/engine/budget';
import { readSource } from '../server/src/engine/project';
import { resolveSettings } from '../server/src/engine/settings';
import { Workspace } from '../server/src/engine/workspace';
import { prng } from './prng.mjs';

const REPO = nodePath.join(__dirname, '..');
/** A batch taking longer than this (per file, ms) is reported as over budget. */
const PER_FILE_BUDGET_MS = 2_000;

const { values } = parseArgs({
  options: {
    limit: { type: 'string', default: '0' },
    batch: { type: 'string', default: '300' },
    mutants: { type: 'string', default: '600' },
    seed: { type: 'string', default: '20260' },
  },
});

interface Tally {
  files: number;
  analysed: number;
  crashes: { file: string; error: string }[];
  skipped: Map<string, number>;
  slowest: { what: string; msPerFile: number };
  overBudget: string[];
}

const tally: Tally = { files: 0, analysed: 0, crashes: [], skipped: new Map(), slowest: { what: '', msPerFile: 0 }, overBudget: [] };
const settings = resolveSettings({});
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

function skip(reason: string): void {
  // Group by the reason's kind, not its detail (`could not be parsed: …` keeps the first words).
  const key = reason.replace(/\(.*$/, '').replace(/:.*$/, '').trim();
  tally.skipped.set(key, (tally.skipped.get(key) ?? 0) + 1);
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e);
}

/** One program over `files` (imports not followed), analysed whole. Throws what the engine throws. */
function analyseBatch(files: readonly string[]): number {
  const project = new Project({
    compilerOptions: { allowJs: true, checkJs: false, noResolve: true, noEmit: true, types: [], target: ts.ScriptTarget.ES2022, skipLibCheck: true },
    skipFileDependencyResolution: true,
  });
  let added = 0;
  for (const file of files) {
    const text = readSource(file);
    if (typeof text !== 'string') {
      skip(text.skip);
      continue;
    }
    let sf;
    try {
      sf = project.createSourceFile(file, text, { overwrite: true });
    } catch (e) {
      skip(`could not be parsed: ${errorText(e)}`);
      continue;
    }
    const over = overBudget(sf.compilerNode);
    if (over) {
      skip(over);
      project.removeSourceFile(sf);
      continue;
    }
    added++;
  }
  const program = project.getProgram().compilerObject;
  const sources = program.getSourceFiles().filter((sf) => !sf.isDeclarationFile && files.includes(sf.fileName));
  analyzeProgram({ program, files: sources, inScope: () => true, settings });
  return added;
}

function runDependencies(): void {
  let files = globSync('node_modules/**/*.{ts,js,mjs,cjs,mts,cts}', { cwd: REPO, absolute: true, ignore: ['**/*.d.ts', '**/*.d.mts', '**/*.d.cts'], followSymbolicLinks: false }).sort();
  const limit = Number(values.limit);
  if (limit > 0) files = files.slice(0, limit);
  const size = Number(values.batch);
  console.log(`dependencies: ${files.length} files in batches of ${size}`);
  for (let i = 0; i < files.length; i += size) {
    const batch = files.slice(i, i + size);
    const t0 = performance.now();
    try {
      tally.analysed += analyseBatch(batch);
    } catch (e) {
      // Name the culprit(s): retry one file at a time.
      for (const f of batch) {
        try {
          tally.analysed += analyseBatch([f]);
        } catch (e2) {
          tally.crashes.push({ file: f, error: errorText(e2) });
        }
      }
      if (!tally.crashes.length) tally.crashes.push({ file: `batch at ${batch[0]}`, error: errorText(e) });
    }
    const ms = performance.now() - t0;
    const perFile = ms / batch.length;
    if (perFile > tally.slowest.msPerFile) tally.slowest = { what: `batch starting ${nodePath.relative(REPO, batch[0]!)}`, msPerFile: perFile };
    if (perFile > PER_FILE_BUDGET_MS) tally.overBudget.push(`${nodePath.relative(REPO, batch[0]!)}: ${perFile.toFixed(0)} ms per file`);
    tally.files += batch.length;
    if ((i / size) % 5 === 0) process.stderr.write(`  ${tally.files}/${files.length} files, RSS ${mib(process.memoryUsage().rss)}\n`);
  }
}

/** Writes the mutated and hostile project into `dir`; returns how many source files it holds. */
function writeHostileProject(dir: string, sources: readonly string[]): number {
  const rnd = prng(Number(values.seed));
  const src = nodePath.join(dir, 'src');
  fs.mkdirSync(src, { recursive: true });
  let count = 0;
  const put = (name: string, text: string | Buffer) => {
    fs.writeFileSync(nodePath.join(src, name), text);
    count++;
  };
  const mutants = Number(values.mutants);
  for (let i = 0; i < mutants && sources.length > 0; i++) {
    const from = sources[Math.floor(rnd() * sources.length)]!;
    let text: string;
    try {
      text = fs.readFileSync(from, 'utf8');
    } catch {
      continue;
    }
    const ext = /\.[cm]?[jt]s$/.exec(from)?.[0] ?? '.ts';
    const kind = i % 3;
    if (kind === 0) text = text.slice(0, Math.floor(rnd() * text.length)); // cut at a random offset
    else if (kind === 1) text = text.replace(/}/g, (m) => (rnd() < 0.1 ? '' : m)); // unbalanced: braces dropped
    else {
      const at = Math.floor(rnd() * text.length);
      text = `${text.slice(0, at)}{ ( [ ${text.slice(at)}`; // unbalanced: openers added
    }
    put(`mutant${i}${ext}`, text);
  }
  // A 10 MB generated file (skipped by size) and a 900 KB one just under the limit (analysed).
  const handler = (k: number) => `app.get('/r${k}', async (req: any, res: any) => { for (const a of req.body.items) for (const b of req.body.items) res.write(a + b); });\n`;
  put('huge.ts', `import express from 'express';\nconst app = express();\n${Array.from({ length: 80_000 }, (_, k) => handler(k)).join('')}`);
  put('large.ts', `import express from 'express';\nconst app = express();\n${Array.from({ length: 7_000 }, (_, k) => handler(k)).join('')}`);
  put('parens.ts', `export const x = ${'(\n'.repeat(10_000)}1${')\n'.repeat(10_000)};\n`);
  put('parens-line.ts', `export const y = ${'('.repeat(10_000)}1${')'.repeat(10_000)};\n`);
  put('deep-if.ts', `export function f(a: any) {\n${'if (a) {\n'.repeat(1_000)}a();\n${'}\n'.repeat(1_000)}}\n`);
  put('long-chain.ts', `export const s = ${Array.from({ length: 20_000 }, (_, k) => `'${k}'`).join(' +\n')};\n`);
  const binary = Buffer.alloc(64 * 1024);
  for (let i = 0; i < binary.length; i++) binary[i] = Math.floor(rnd() * 256);
  put('binary.ts', binary);
  put('cycle-a.ts', `import { b } from './cycle-b';\nexport function a(n: number): number { return n ? b(n - 1) : 0; }\n`);
  put('cycle-b.ts', `import { a } from './cycle-a';\nexport function b(n: number): number { return n ? a(n - 1) : 1; }\n`);
  put('empty.ts', '');
  put('bom-only.ts', '\uFEFF');
  fs.symlinkSync('.', nodePath.join(src, 'loop'));
  fs.symlinkSync(nodePath.join(src, 'missing-target.ts'), nodePath.join(src, 'dangling.ts'));
  fs.writeFileSync(nodePath.join(dir, 'tsconfig.json'), '{ "compilerOptions": { "strict": true, ');
  fs.writeFileSync(nodePath.join(dir, 'package.json'), '{"name": "torture", "dependencies": ');
  return count;
}

function runHostile(): void {
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'looplens-torture-'));
  try {
    const sources = globSync(['server/src/**/*.ts', 'node_modules/{express,fastify,hono,rxjs,bullmq}/**/*.{js,ts}'], { cwd: REPO, absolute: true, ignore: ['**/*.d.ts'] }).sort();
    const n = writeHostileProject(dir, sources);
    console.log(`hostile project: ${n} files (${Number(values.mutants)} mutated copies + hostile inputs) in ${dir}`);
    const t0 = performance.now();
    try {
      const result = new Workspace({ root: dir }).analyze();
      tally.analysed += result.files.length;
      for (const s of result.skipped) skip(s.reason);
      console.log(`  analysed ${result.files.length}, skipped ${result.skipped.length}, ${result.handlers.length} handlers, ${result.findings.length} findings in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (e) {
      tally.crashes.push({ file: dir, error: errorText(e) });
    }
    tally.files += n;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const started = performance.now();
runDependencies();
runHostile();
const peak = process.resourceUsage().maxRSS * 1024;
console.log(`\nLoopLens torture: ${tally.files} files, ${tally.analysed} analysed, ${tally.crashes.length} crashes, ${[...tally.skipped.values()].reduce((a, b) => a + b, 0)} skipped, peak RSS ${mib(peak)}, ${((performance.now() - started) / 1000).toFixed(0)} s; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const [reason, n] of [...tally.skipped].sort((a, b) => b[1] - a[1])) console.log(`  skipped ${String(n).padStart(5)}: ${reason}`);
console.log(`  slowest: ${tally.slowest.what}, ${tally.slowest.msPerFile.toFixed(1)} ms per file (budget ${PER_FILE_BUDGET_MS} ms)`);
for (const o of tally.overBudget) console.log(`  OVER BUDGET: ${o}`);
for (const c of tally.crashes) console.log(`  CRASH: ${c.file}: ${c.error}`);
if (tally.crashes.length > 0 || tally.overBudget.length > 0) process.exitCode = 1;
