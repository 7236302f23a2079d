#!/usr/bin/env node
// Deterministic generator of Express-style TypeScript services for the benchmarks: route files whose handlers
// await services, services that query a fake database, fan out, loop over rows and now and then call a
// synchronous fs/crypto/zlib function, and helpers that import each other. The same size and seed always
// give byte-identical files (a small PRNG, no Math.random, no dates).
//
//   node bench/generate.mjs 1000            # writes .bench-cache/gen-1000 (skipped when already complete)
//   node bench/generate.mjs 1000 --force    # rewrites it
//
// Each corpus is a project tsc, ESLint and LoopLens all resolve the same way: package.json, tsconfig.json
// (strict, types: ["node"]), src/, and node_modules linked to this repository's (for @types/node,
// @types/express, eslint and typescript-eslint).
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prng } from './prng.mjs';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE = join(REPO, '.bench-cache');
/** Bumped whenever the generated code changes, so stale corpora are rewritten. */
const GENERATOR_VERSION = 2;

const ENTITIES = ['order', 'user', 'invoice', 'product', 'report', 'session', 'ticket', 'payment', 'shipment', 'review', 'tenant', 'audit'];
const cap = (s) => s[0].toUpperCase() + s.slice(1);

/**
 * How many files of each kind a corpus of `total` files has: about 20% route files, 40% services, 40%
 * helpers, plus app.ts, db.ts and types.ts.
 */
function layout(total) {
  const rest = Math.max(3, total - 3);
  const routes = Math.max(1, Math.round(rest * 0.2));
  const services = Math.max(1, Math.round(rest * 0.4));
  const helpers = Math.max(1, rest - routes - services);
  return { routes, services, helpers };
}

function dbFile() {
  return `export interface Row {
  id: string;
  tenantId: string;
  amount: number;
  tags: string[];
  items: { sku: string; qty: number; price: number }[];
  body: string;
}

/** A stand-in database client: every call is asynchronous I/O. */
export const db = {
  async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    return params.length > 0 && sql.length > 0 ? [] : [];
  },
  async one(sql: string, id: string): Promise<Row | undefined> {
    const rows = await db.query(sql, [id]);
    return rows[0];
  },
  async insert(table: string, row: Partial<Row>): Promise<string> {
    return table + String(row.id ?? '');
  },
};

export async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  return res.json();
}
`;
}

function typesFile() {
  return `export interface Page<T> {
  items: T[];
  next?: string;
}

export interface Context {
  tenantId: string;
  userId: string;
  roles: string[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };
`;
}

/** A helper module: pure functions over rows and strings, importing up to three earlier helpers. */
function helperFile(i, rnd) {
  const imports = [];
  const calls = [];
  const n = i === 0 ? 0 : Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    const j = Math.floor(rnd() * i);
    if (imports.some((x) => x.j === j)) continue;
    imports.push({ j });
    calls.push(`h${j}_normalize`);
  }
  const lines = [];
  for (const { j } of imports) lines.push(`import { h${j}_normalize, h${j}_total } from './helper${j}';`);
  lines.push(`import type { Row } from '../db';`, '');
  lines.push(`const PATTERN_${i} = /^[a-z0-9_-]{1,${8 + (i % 24)}}$/i;`, '');
  lines.push(`export function h${i}_normalize(value: string): string {`);
  lines.push(`  let out = value.trim().toLowerCase();`);
  for (const c of calls) lines.push(`  out = ${c}(out);`);
  lines.push(`  return PATTERN_${i}.test(out) ? out : out.replace(/\\s+/g, '-');`, '}', '');
  lines.push(`export function h${i}_total(rows: Row[]): number {`);
  lines.push('  let sum = 0;');
  lines.push('  for (const row of rows) {');
  if (rnd() < 0.3) lines.push('    for (const item of row.items) sum += item.qty * item.price;');
  else lines.push('    sum += row.amount;');
  lines.push('  }');
  if (imports.length > 0 && rnd() < 0.5) lines.push(`  sum += h${imports[0].j}_total(rows.slice(0, 1));`);
  lines.push('  return sum;', '}', '');
  lines.push(`export function h${i}_group(rows: Row[]): Map<string, Row[]> {`);
  lines.push('  const groups = new Map<string, Row[]>();');
  lines.push('  for (const row of rows) {');
  lines.push('    const key = row.tenantId;');
  lines.push('    const list = groups.get(key) ?? [];');
  lines.push('    list.push(row);');
  lines.push('    groups.set(key, list);');
  lines.push('  }');
  lines.push('  return groups;', '}', '');
  return lines.join('\n');
}

/** A service module: async functions over the database, with loops, fan-outs and occasional sync calls. */
function serviceFile(i, rnd, helpers, services) {
  const e = ENTITIES[i % ENTITIES.length];
  const E = cap(e);
  const h1 = Math.floor(rnd() * helpers);
  const h2 = Math.floor(rnd() * helpers);
  const other = i > 0 && rnd() < 0.5 ? Math.floor(rnd() * i) : -1;
  const syncKind = rnd();
  const fanout = rnd();
  const lines = [];
  lines.push(`import * as fs from 'node:fs';`);
  lines.push(`import * as crypto from 'node:crypto';`);
  lines.push(`import { db, type Row } from '../db';`);
  lines.push(`import type { Context, Page } from '../types';`);
  lines.push(`import { h${h1}_normalize, h${h1}_total } from '../helpers/helper${h1}';`);
  if (h2 !== h1) lines.push(`import { h${h2}_group } from '../helpers/helper${h2}';`);
  else lines.push(`import { h${h1}_group as h${h2}_group } from '../helpers/helper${h1}';`);
  if (other >= 0) lines.push(`import { get${cap(ENTITIES[other % ENTITIES.length])}${other} } from './service${other}';`);
  lines.push('');
  lines.push(`export async function get${E}${i}(ctx: Context, id: string): Promise<Row | undefined> {`);
  lines.push(`  const row = await db.one('select * from ${e}s where id = $1', h${h1}_normalize(id));`);
  if (other >= 0) lines.push(`  if (!row) return get${cap(ENTITIES[other % ENTITIES.length])}${other}(ctx, id);`);
  lines.push('  return row;', '}', '');
  lines.push(`export async function list${E}s${i}(ctx: Context, cursor?: string): Promise<Page<Row>> {`);
  lines.push(`  const rows = await db.query('select * from ${e}s where tenant = $1 and id > $2', [ctx.tenantId, cursor ?? '']);`);
  if (fanout < 0.25) {
    lines.push(`  await Promise.all(rows.map((r) => db.insert('${e}_views', { id: r.id })));`);
  } else if (fanout < 0.35) {
    lines.push(`  rows.forEach(async (r) => { await db.insert('${e}_seen', { id: r.id }); });`);
  } else if (fanout < 0.6) {
    lines.push('  for (const r of rows) {');
    lines.push(`    await db.insert('${e}_views', { id: r.id });`);
    lines.push('  }');
  }
  lines.push('  return { items: rows, next: rows.at(-1)?.id };', '}', '');
  lines.push(`export async function summarize${E}s${i}(ctx: Context): Promise<Record<string, number>> {`);
  lines.push(`  const rows = await db.query('select * from ${e}s where tenant = $1', [ctx.tenantId]);`);
  lines.push(`  const groups = h${h2}_group(rows);`);
  lines.push('  const out: Record<string, number> = {};');
  lines.push(`  for (const [key, list] of groups) out[key] = h${h1}_total(list);`);
  if (rnd() < 0.2) {
    lines.push('  for (const a of rows) {');
    lines.push('    for (const b of rows) {');
    lines.push('      if (a.id !== b.id && a.body === b.body) out[a.id] = (out[a.id] ?? 0) + 1;');
    lines.push('    }');
    lines.push('  }');
  }
  lines.push('  return out;', '}', '');
  lines.push(`export async function import${E}s${i}(ctx: Context, body: string): Promise<number> {`);
  if (syncKind < 0.15) lines.push(`  const template = fs.readFileSync('/etc/${e}.json', 'utf8');`);
  else lines.push(`  const template = await fs.promises.readFile('/etc/${e}.json', 'utf8');`);
  lines.push('  const parsed = JSON.parse(body) as { rows: Row[] };');
  if (syncKind > 0.9) lines.push(`  const digest = crypto.pbkdf2Sync(ctx.userId, template, 100000, 64, 'sha512').toString('hex');`);
  else lines.push(`  const digest = crypto.createHash('sha256').update(template).digest('hex');`);
  lines.push('  let count = 0;');
  lines.push('  for (const row of parsed.rows) {');
  lines.push(`    await db.insert('${e}s', { ...row, body: digest });`);
  lines.push('    count++;');
  lines.push('  }');
  lines.push('  return count;', '}', '');
  return lines.join('\n');
}

/** A route file: an Express router with three to five handlers calling services. */
function routeFile(i, rnd, services) {
  const lines = [];
  const used = new Map();
  const handlers = 3 + Math.floor(rnd() * 3);
  const body = [];
  const verbs = ['get', 'post', 'put', 'delete', 'get'];
  for (let k = 0; k < handlers; k++) {
    const s = Math.floor(rnd() * services);
    const e = ENTITIES[s % ENTITIES.length];
    const E = cap(e);
    const fns = used.get(s) ?? new Set();
    used.set(s, fns);
    const kind = k % 4;
    const verb = verbs[k % verbs.length];
    body.push(`router.${verb}('/${e}s${k === 0 ? '' : `/:id/v${k}`}', async (req: Request, res: Response) => {`);
    body.push(`  const ctx = { tenantId: String(req.headers['x-tenant'] ?? ''), userId: String(req.query.user ?? ''), roles: [] };`);
    if (kind === 0) {
      fns.add(`list${E}s${s}`);
      body.push(`  const page = await list${E}s${s}(ctx, req.query.cursor as string | undefined);`);
      body.push('  res.json(page);');
    } else if (kind === 1) {
      fns.add(`get${E}${s}`);
      body.push(`  const row = await get${E}${s}(ctx, String(req.params.id ?? ''));`);
      body.push('  if (!row) return res.status(404).end();');
      body.push('  res.json(row);');
    } else if (kind === 2) {
      fns.add(`summarize${E}s${s}`);
      body.push(`  res.json(await summarize${E}s${s}(ctx));`);
    } else {
      fns.add(`import${E}s${s}`);
      body.push(`  const count = await import${E}s${s}(ctx, JSON.stringify(req.body));`);
      body.push('  res.status(201).json({ count });');
    }
    body.push('});', '');
  }
  lines.push(`import { Router, type Request, type Response } from 'express';`);
  for (const [s, fns] of [...used].sort((a, b) => a[0] - b[0])) lines.push(`import { ${[...fns].sort().join(', ')} } from '../services/service${s}';`);
  lines.push('', 'export const router = Router();', '', ...body);
  return lines.join('\n');
}

function appFile(routes) {
  const lines = [`import express from 'express';`];
  for (let i = 0; i < routes; i++) lines.push(`import { router as r${i} } from './routes/route${i}';`);
  lines.push('', 'const app = express();', 'app.use(express.json());');
  for (let i = 0; i < routes; i++) lines.push(`app.use('/api/r${i}', r${i});`);
  lines.push('', `app.listen(Number(process.env.PORT ?? 3000));`, '');
  return lines.join('\n');
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'commonjs',
    moduleResolution: 'node10',
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    ignoreDeprecations: '6.0',
  },
  include: ['src'],
};

/** Points the corpus's node_modules at this checkout's (the cache may be shared by several checkouts). */
function linkNodeModules(dir) {
  const link = join(dir, 'node_modules');
  rmSync(link, { force: true });
  symlinkSync(join(REPO, 'node_modules'), link, 'dir');
}

/**
 * Writes the corpus of `total` files (source files; config files not counted) into .bench-cache/gen-<total>
 * unless it is already complete for this generator version. Returns its folder. `seed` varies the code.
 */
export function generate(total, { force = false, seed = 20260 } = {}) {
  const dir = join(CACHE, `gen-${total}`);
  const marker = join(dir, '.generated.json');
  const stamp = JSON.stringify({ version: GENERATOR_VERSION, total, seed });
  if (!force && existsSync(marker) && readFileSync(marker, 'utf8') === stamp) {
    linkNodeModules(dir);
    return dir;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'src', 'routes'), { recursive: true });
  mkdirSync(join(dir, 'src', 'services'));
  mkdirSync(join(dir, 'src', 'helpers'));
  const rnd = prng(seed + total);
  const { routes, services, helpers } = layout(total);
  const write = (rel, text) => writeFileSync(join(dir, rel), text);
  write('src/db.ts', dbFile());
  write('src/types.ts', typesFile());
  for (let i = 0; i < helpers; i++) write(`src/helpers/helper${i}.ts`, helperFile(i, rnd));
  for (let i = 0; i < services; i++) write(`src/services/service${i}.ts`, serviceFile(i, rnd, helpers, services));
  for (let i = 0; i < routes; i++) write(`src/routes/route${i}.ts`, routeFile(i, rnd, services));
  write('src/app.ts', appFile(routes));
  write('package.json', JSON.stringify({ name: `bench-service-${total}`, version: '1.0.0', private: true, dependencies: { express: '^5.0.0' } }, null, 2));
  write('tsconfig.json', JSON.stringify(TSCONFIG, null, 2));
  linkNodeModules(dir);
  writeFileSync(marker, stamp);
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);
  if (sizes.length === 0) {
    console.error('usage: node bench/generate.mjs <files>... [--force]');
    process.exit(2);
  }
  for (const n of sizes) console.log(generate(n, { force: process.argv.includes('--force') }));
}
