/**
 * The limit the fan-out fixes use, sized by the resource the fanned-out work reaches, and the project facts
 * carried with it (module system, limiter packages missing from package.json): analysed for real, each case in
 * its own package folder.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { AnalysisResult, FixData } from '../../server/src/engine';
import { APP } from '../rules/prelude';
import { analyzeFolder, writeCases, type Case } from '../rules/ruleTester';

type LimitFanout = Extract<FixData, { kind: 'limit-fanout' }>;

const PKG = (extra: Record<string, unknown> = {}) => JSON.stringify({ name: 'svc', dependencies: { 'p-limit': '^7.0.0', 'p-map': '^7.0.0' }, ...extra });

/** Stand-in database packages with the real ones' declaration shapes for the calls used here. */
const PG = {
  'node_modules/pg/package.json': '{"name":"pg","version":"8.0.0","types":"index.d.ts"}',
  'node_modules/pg/index.d.ts': 'export declare class Pool { constructor(config?: { max?: number; connectionString?: string }); query(sql: string, values?: unknown[]): Promise<{ rows: unknown[] }>; }\n',
};
const MYSQL2 = {
  'node_modules/mysql2/package.json': '{"name":"mysql2","version":"3.0.0","types":"promise.d.ts"}',
  'node_modules/mysql2/promise.d.ts': 'export interface Pool { execute(sql: string, values?: unknown[]): Promise<unknown>; }\nexport declare function createPool(config: { uri?: string; connectionLimit?: number }): Pool;\n',
};
const KNEX = {
  'node_modules/knex/package.json': '{"name":"knex","version":"3.0.0","types":"index.d.ts"}',
  'node_modules/knex/index.d.ts': 'export interface QB extends Promise<unknown[]> { where(o: object): QB; }\nexport interface Knex { (table: string): QB; }\nexport declare function knex(config: { client: string; pool?: { min?: number; max?: number } }): Knex;\n',
};
const GOT = {
  'node_modules/got/package.json': '{"name":"got","version":"14.0.0","types":"index.d.ts"}',
  'node_modules/got/index.d.ts': "import type { Agent } from 'node:https';\nexport default function got(url: string, options?: { agent?: { https?: Agent } | Agent }): Promise<unknown>;\n",
};

interface LimitCase extends Case {
  limit: number;
  reason: string;
  facts?: Partial<LimitFanout>;
}

const route = (body: string) => `${APP}app.post('/x', async (req, res) => {\n${body}\n});\napp.listen(1);\n`;

const cases: LimitCase[] = [
  {
    name: 'async fs through a helper: the libuv default',
    code: `import { readFile } from 'node:fs/promises';\nasync function load(p: string) { return readFile(p, 'utf8'); }\n${route('  res.json(await Promise.all(req.body.items.map((p) => load(p))));')}`,
    files: { 'package.json': PKG() },
    limit: 4,
    reason: 'libuv threadpool: UV_THREADPOOL_SIZE default 4',
  },
  {
    name: 'promisified pbkdf2 with UV_THREADPOOL_SIZE set in source',
    code: `import { pbkdf2 } from 'node:crypto';\nimport { promisify } from 'node:util';\nprocess.env.UV_THREADPOOL_SIZE = '16';\nconst hash = promisify(pbkdf2);\n${route("  res.json(await Promise.all(req.body.ids.map((pw) => hash(pw, 's', 1000, 32, 'sha256'))));")}`,
    files: { 'package.json': PKG() },
    limit: 16,
    reason: 'libuv threadpool: UV_THREADPOOL_SIZE=16 in server.ts',
  },
  {
    name: 'zlib with UV_THREADPOOL_SIZE in a package.json script',
    code: `import { gzip } from 'node:zlib';\nimport { promisify } from 'node:util';\nconst zip = promisify(gzip);\n${route('  res.json(await Promise.all(req.body.items.map((t) => zip(t))));')}`,
    files: { 'package.json': PKG({ scripts: { start: 'UV_THREADPOOL_SIZE=12 node dist/server.js' } }) },
    limit: 12,
    reason: 'libuv threadpool: UV_THREADPOOL_SIZE=12 in package.json scripts',
  },
  {
    name: 'fs with UV_THREADPOOL_SIZE in .env',
    code: `import { stat } from 'node:fs/promises';\n${route('  res.json(await Promise.all(req.body.items.map((p) => stat(p))));')}`,
    files: { 'package.json': PKG(), '.env': 'PORT=3000\nUV_THREADPOOL_SIZE="6"\n' },
    limit: 6,
    reason: 'libuv threadpool: UV_THREADPOOL_SIZE=6 in .env',
  },
  {
    name: 'pg Pool max from another module',
    code: `import { pool } from './db';\n${route("  await Promise.all(req.body.ids.map((id) => pool.query('delete from t where id = $1', [id])));\n  res.send('ok');")}`,
    files: { 'package.json': PKG(), 'db.ts': "import { Pool } from 'pg';\nexport const pool = new Pool({ max: 20 });\n", ...PG },
    limit: 20,
    reason: 'pg Pool max 20',
  },
  {
    name: 'pg Pool without max: its default',
    code: `import { Pool } from 'pg';\nconst pool = new Pool();\n${route("  await Promise.all(req.body.ids.map(async (id) => { await pool.query('select 1', [id]); }));\n  res.send('ok');")}`,
    files: { 'package.json': PKG(), ...PG },
    limit: 10,
    reason: 'pg Pool default max 10',
  },
  {
    name: 'mysql2 connectionLimit',
    code: `import { createPool } from 'mysql2/promise';\nconst db2 = createPool({ uri: 'mysql://x', connectionLimit: 5 });\n${route("  await Promise.all(req.body.ids.map((id) => db2.execute('select ?', [id])));\n  res.send('ok');")}`,
    files: { 'package.json': PKG(), ...MYSQL2 },
    limit: 5,
    reason: 'mysql2 pool connectionLimit 5',
  },
  {
    name: 'knex pool max through a query-builder chain',
    code: `import { knex } from 'knex';\nconst k = knex({ client: 'pg', pool: { min: 0, max: 7 } });\n${route("  res.json(await Promise.all(req.body.ids.map((id) => k('users').where({ id }))));")}`,
    files: { 'package.json': PKG(), ...KNEX },
    limit: 7,
    reason: 'knex pool max 7',
  },
  {
    name: 'HTTP through an agent with maxSockets',
    code: `import got from 'got';\nimport { Agent } from 'node:https';\nconst keepAlive = new Agent({ keepAlive: true, maxSockets: 16 });\n${route("  res.json(await Promise.all(req.body.items.map((u) => got(u, { agent: keepAlive }))));")}`,
    files: { 'package.json': PKG(), ...GOT },
    limit: 16,
    reason: 'http Agent maxSockets 16',
  },
  {
    name: 'thread pool and a pg pool: the tighter bound wins',
    code: `import { readFile } from 'node:fs/promises';\nimport { Pool } from 'pg';\nconst pool = new Pool({ max: 20 });\n${route("  await Promise.all(req.body.items.map(async (p) => pool.query('insert', [await readFile(p)])));\n  res.send('ok');")}`,
    files: { 'package.json': PKG(), ...PG },
    limit: 4,
    reason: 'libuv threadpool: UV_THREADPOOL_SIZE default 4',
  },
  {
    name: 'unknown I/O: the setting; p-limit and p-map missing from package.json; an ES module by its type',
    code: route('  res.json(await Promise.all(req.body.items.map((u) => fetch(u))));'),
    files: { 'package.json': JSON.stringify({ name: 'bare', type: 'module' }) },
    limit: 8,
    reason: 'looplens.concurrency.io setting',
    facts: { moduleSystem: 'esm', dynamicImport: true, missingDeps: ['p-limit', 'p-map'] },
  },
  {
    name: 'forEach(async) over thread-pool work, in a .cts file: CommonJS',
    code: '',
    files: {
      'package.json': PKG(),
      'server.cts': `import { unlink } from 'node:fs/promises';\n${route('  req.body.items.forEach(async (p) => { await unlink(p); });\n  res.send(\'ok\');')}`,
    },
    limit: 4,
    reason: 'libuv threadpool: UV_THREADPOOL_SIZE default 4',
    facts: { moduleSystem: 'cjs', dynamicImport: true, missingDeps: [] },
  },
];

describe('fan-out limits sized by the resource', () => {
  let result: AnalysisResult;
  let dirs: string[] = [];
  let root = '';
  before(() => {
    ({ root, dirs } = writeCases(cases, 'fanout-limits'));
    result = analyzeFolder(root);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  cases.forEach((c, i) => {
    it(c.name, () => {
      const fanouts = result.findings.filter((f) => f.location.file.startsWith(`${dirs[i]}/`) && f.ruleId.startsWith('unbounded-fanout/'));
      assert.equal(fanouts.length, 1, fanouts.map((f) => f.message).join('\n') || 'no fan-out finding');
      const fix = fanouts[0]!.fix as LimitFanout;
      assert.equal(fix.kind, 'limit-fanout');
      assert.deepEqual([fix.limit, fix.limitReason], [c.limit, c.reason]);
      for (const [k, v] of Object.entries(c.facts ?? {})) assert.deepEqual(fix[k as keyof LimitFanout], v, k);
      if (c.facts) assert.equal(fix.packageDir, dirs[i]);
    });
  });

  it('CommonJS: TypeScript `module: commonjs` compiles import() to require()', async () => {
    const { moduleSystemOf } = await import('../../server/src/engine/analysis/concurrency');
    const { ts } = await import('ts-morph');
    assert.deepEqual(moduleSystemOf('/p/a.ts', undefined, { module: ts.ModuleKind.CommonJS }), { moduleSystem: 'cjs', dynamicImport: false });
    assert.deepEqual(moduleSystemOf('/p/a.ts', 'commonjs', { module: ts.ModuleKind.NodeNext }), { moduleSystem: 'cjs', dynamicImport: true });
    assert.deepEqual(moduleSystemOf('/p/a.ts', 'module', { module: ts.ModuleKind.NodeNext }), { moduleSystem: 'esm', dynamicImport: true });
    assert.deepEqual(moduleSystemOf('/p/a.ts', undefined, { module: ts.ModuleKind.ESNext }), { moduleSystem: 'esm', dynamicImport: true });
    assert.deepEqual(moduleSystemOf('/p/a.js', undefined, {}), { moduleSystem: 'cjs', dynamicImport: true });
    assert.deepEqual(moduleSystemOf('/p/a.mjs', undefined, {}), { moduleSystem: 'esm', dynamicImport: true });
  });

  it('the looplens.concurrency.threadpool setting sizes thread-pool work when the project sets no UV_THREADPOOL_SIZE', () => {
    const code = `import { readFile } from 'node:fs/promises';\n${route("  res.json(await Promise.all(req.body.items.map((p) => readFile(p, 'utf8'))));")}`;
    const { root: r, dirs: [d] } = writeCases([{ name: 'setting', code, files: { 'package.json': PKG() } }], 'fanout-threadpool-setting');
    try {
      const f = analyzeFolder(r, { concurrencyThreadpool: 6 }).findings.find((x) => x.location.file.startsWith(`${d}/`) && x.ruleId === 'unbounded-fanout/promise-all');
      const fix = f?.fix as LimitFanout | undefined;
      assert.deepEqual([fix?.limit, fix?.limitReason], [6, 'looplens.concurrency.threadpool setting']);
    } finally {
      fs.rmSync(r, { recursive: true, force: true });
    }
  });
});
