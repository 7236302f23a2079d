// Incremental re-analysis (server/src/engine/analysis/incremental.ts): a Workspace kept across a sequence of edits
// (overlays, as the editor sends them) must give, after every edit, exactly the handlers and findings of a fresh
// Workspace over the same texts. The edits add and remove a loop, a fan-out, a handler, an import, a suppression
// comment and a syntax error, change a type imported elsewhere, and rename an exported helper used by another file.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { normalizePath } from '../../server/src/engine/ast';
import type { AnalysisResult } from '../../server/src/engine/types';
import { Workspace } from '../../server/src/engine/workspace';

const REPO = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

const FILES: Record<string, string> = {
  'src/app.ts': [
    "import express from 'express';",
    "import { ordersRouter } from './orders';",
    'const app = express();',
    "app.use('/api', ordersRouter);",
    "app.get('/health', (_req, res) => {",
    "  res.send('ok');",
    '});',
    'app.listen(3000);',
    '',
  ].join('\n'),
  'src/orders.ts': [
    "import { Router } from 'express';",
    "import { loadRows, score } from './helpers';",
    "import { query } from './db';",
    'export const ordersRouter = Router();',
    "ordersRouter.get('/orders', async (_req, res) => {",
    '  const rows = await loadRows();',
    '  const n = await query(String(rows.length));',
    '  res.json({ best: score(rows), n });',
    '});',
    '',
  ].join('\n'),
  'src/helpers.ts': [
    "import { query, type Row } from './db';",
    'export async function loadRows(): Promise<Row[]> {',
    "  return query('select * from orders');",
    '}',
    'export function score(rows: Row[]): number {',
    '  let best = 0;',
    '  for (const a of rows) {',
    '    if (a.total > best) best = a.total;',
    '  }',
    '  return best;',
    '}',
    'export function hashAll(rows: Row[]): string {',
    '  return rows.map((r) => JSON.stringify(r)).join();',
    '}',
    '',
  ].join('\n'),
  'src/db.ts': [
    'export interface Row { id: number; total: number; customer: string }',
    'export async function query(sql: string): Promise<Row[]> {',
    '  await new Promise((r) => setTimeout(r, sql.length));',
    '  return [];',
    '}',
    '',
  ].join('\n'),
};

let root = '';
const path = (rel: string) => normalizePath(join(root, rel));

/**
 * A project folder of its own for one test (removed after it): `files` under it, a tsconfig with the options of
 * the shared fixture (plus `include` when given), and the repository's node_modules linked in.
 */
function ownProject(t: TestContext, name: string, files: Record<string, string>, include?: string[]): string {
  const dir = normalizePath(mkdtempSync(join(tmpdir(), `looplens-${name}-`)));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  const compilerOptions = { strict: true, module: 'commonjs', target: 'ES2022', esModuleInterop: true, types: ['node'] };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, ...(include ? { include } : {}) }));
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** A result's findings as `rule line handler-label`; undefined without a result. */
const labelled = (r: AnalysisResult | undefined) => r?.findings.map((f) => `${f.ruleId} ${f.location.range.start.line + 1} ${f.handler?.label}`);

/** Handlers and findings of a result, with everything they carry. */
const shape = (r: AnalysisResult) => ({ handlers: r.handlers, findings: r.findings });

describe('incremental re-analysis after edits', () => {
  before(() => {
    root = normalizePath(mkdtempSync(join(tmpdir(), 'looplens-incremental-')));
    for (const [rel, text] of Object.entries(FILES)) {
      mkdirSync(join(root, rel, '..'), { recursive: true });
      writeFileSync(join(root, rel), text);
    }
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'incremental', version: '1.0.0', dependencies: { express: '*' } }));
    writeFileSync(
      join(root, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, module: 'commonjs', target: 'ES2022', esModuleInterop: true, types: ['node'] }, include: ['src'] }),
    );
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('gives after each edit the handlers and findings of a fresh analysis of the same texts', () => {
    const texts = new Map(Object.entries(FILES).map(([rel, text]) => [rel, text]));
    const kept = new Workspace({ root });
    const edit = (rel: string, from: string | RegExp, to: string) => {
      const text = texts.get(rel)!;
      assert.ok(typeof from === 'string' ? text.includes(from) : from.test(text), `${rel} contains ${String(from)}`);
      texts.set(rel, text.replace(from, to));
    };
    const steps: [string, () => void][] = [
      ['add a nested loop', () => edit('src/helpers.ts', '    if (a.total > best) best = a.total;', '    for (const b of rows) if (a.id === b.id && a.total > best) best = b.total;')],
      ['remove it', () => edit('src/helpers.ts', '    for (const b of rows) if (a.id === b.id && a.total > best) best = b.total;', '    if (a.total > best) best = a.total;')],
      ['add a fan-out', () => edit('src/orders.ts', '  const n = await query(String(rows.length));', '  const n = await Promise.all(rows.map((r) => query(r.customer)));')],
      ['add a handler', () => edit('src/orders.ts', "ordersRouter.get('/orders',", "ordersRouter.post('/orders/sync', (_req, res) => {\n  res.json(JSON.parse(JSON.stringify(_req.body)));\n});\nordersRouter.get('/orders',")],
      ['add an import and call it', () => {
        edit('src/orders.ts', "import { loadRows, score } from './helpers';", "import { hashAll, loadRows, score } from './helpers';");
        edit('src/orders.ts', '  res.json({ best: score(rows), n });', '  res.json({ best: score(rows), n, hash: hashAll(rows) });');
      }],
      ['loop in the imported helper', () => edit('src/helpers.ts', '  return rows.map((r) => JSON.stringify(r)).join();', '  let s = "";\n  for (const r of rows) for (const q of rows) s += r.id + q.id;\n  return s;')],
      ['suppress it', () => edit('src/helpers.ts', '  for (const r of rows) for (const q of rows)', '  // looplens-disable-next-line -- small lists\n  for (const r of rows) for (const q of rows)')],
      // The /api/orders handler's outcome is kept: the comment it used must still count as used.
      ['an edit in another file, the suppression kept', () => edit('src/app.ts', "res.send('ok')", "res.send('fine')")],
      ['remove the suppression', () => edit('src/helpers.ts', '  // looplens-disable-next-line -- small lists\n', '')],
      ['remove the import', () => {
        edit('src/orders.ts', "import { hashAll, loadRows, score } from './helpers';", "import { loadRows, score } from './helpers';");
        edit('src/orders.ts', ', hash: hashAll(rows) });', ' });');
      }],
      ['syntax error', () => edit('src/helpers.ts', 'export function score(rows: Row[]): number {', 'export function score(rows: Row[]): number {{ (')],
      ['fix it', () => edit('src/helpers.ts', 'export function score(rows: Row[]): number {{ (', 'export function score(rows: Row[]): number {')],
      ['rename the exported helper', () => edit('src/helpers.ts', 'export function score(', 'export function rank(')],
      ['use the new name', () => {
        edit('src/orders.ts', "import { loadRows, score } from './helpers';", "import { loadRows, rank } from './helpers';");
        edit('src/orders.ts', 'best: score(rows)', 'best: rank(rows)');
      }],
      ['loop in the renamed helper', () => edit('src/helpers.ts', '    if (a.total > best) best = a.total;', '    for (const b of rows) if (a.id === b.id) best += b.total;')],
      ['remove the handler', () => edit('src/orders.ts', "ordersRouter.post('/orders/sync', (_req, res) => {\n  res.json(JSON.parse(JSON.stringify(_req.body)));\n});\n", '')],
      ['change a type the importers use', () => edit('src/db.ts', 'Promise<Row[]> {', 'Promise<Row[][]> {')],
      ['change it back', () => edit('src/db.ts', 'Promise<Row[][]> {', 'Promise<Row[]> {')],
      ['unmount the router', () => edit('src/app.ts', "app.use('/api', ordersRouter);", "app.use('/v2', ordersRouter);")],
      // Edits inside function bodies (./shape.ts): the importers' summaries are kept unless they read the body.
      ['rank every row (a caller whose finding comes from the callee’s loops)', () => edit('src/orders.ts', '  res.json({ best: rank(rows), n });', '  const posted: typeof rows = _req.body;\n  const ranks: number[] = [];\n  for (const r of posted) ranks.push(rank(posted) + r.total);\n  res.json({ best: rank(rows), n, ranks });')],
      [
        'rank stops looping over its argument (only its body changes)',
        () => {
          edit('src/helpers.ts', '  for (const a of rows) {', '  for (const a of rows.slice(0, 3)) {');
          edit('src/helpers.ts', '    for (const b of rows) if (a.id === b.id) best += b.total;', '    best += a.total;');
        },
      ],
      ['rank loops again', () => edit('src/helpers.ts', '  for (const a of rows.slice(0, 3)) {', '  for (const a of rows) {')],
      ['and in a nested loop again', () => edit('src/helpers.ts', '    best += a.total;', '    for (const b of rows) if (a.id === b.id) best += b.total;')],
      [
        'a handler declared in the helpers, registered by the router',
        () => {
          edit('src/helpers.ts', 'export function hashAll(', 'export async function top(req: { body: Row[] }, res: { json(x: unknown): void }): Promise<void> {\n  res.json(req.body);\n}\nexport function hashAll(');
          edit('src/orders.ts', "import { loadRows, rank } from './helpers';", "import { loadRows, rank, top } from './helpers';");
          edit('src/orders.ts', 'export const ordersRouter = Router();', "export const ordersRouter = Router();\nordersRouter.get('/top', top);");
        },
      ],
      ['a nested loop in that handler’s body', () => edit('src/helpers.ts', '  res.json(req.body);', '  for (const a of req.body) for (const b of req.body) if (a.id === b.id) a.total++;\n  res.json(req.body);')],
      ['a fan-out over a helper with an inferred return type', () => {
        edit('src/helpers.ts', 'export function hashAll(', 'export function fetchOne(id: string) {\n  return query(id);\n}\nexport function hashAll(');
        edit('src/orders.ts', "import { loadRows, rank, top } from './helpers';", "import { fetchOne, loadRows, rank, top } from './helpers';");
        edit('src/orders.ts', 'rows.map((r) => query(r.customer))', 'rows.map((r) => fetchOne(r.customer))');
      }],
      ['the helper’s body stops returning a promise (its inferred return type changes)', () => edit('src/helpers.ts', '  return query(id);', '  return [id];')],
      ['and returns one again', () => edit('src/helpers.ts', '  return [id];', '  return query(id);')],
      // Whole declarations added or removed (./shape.ts): kept unless an importer names them.
      ['a new helper no importer names', () => edit('src/helpers.ts', 'export function hashAll(', 'export function pairs(rows: Row[]): number {\n  let n = 0;\n  for (const a of rows) for (const b of rows) if (a.id === b.id) n++;\n  return n;\n}\nexport function hashAll(')],
      ['the top handler calls it (a body edit)', () => edit('src/helpers.ts', '  for (const a of req.body) for (const b of req.body) if (a.id === b.id) a.total++;', '  pairs(req.body);')],
      ['the router calls it too (an importer now names it)', () => {
        edit('src/orders.ts', "import { fetchOne, loadRows, rank, top } from './helpers';", "import { fetchOne, loadRows, pairs, rank, top } from './helpers';");
        edit('src/orders.ts', '  const ranks: number[] = [];', '  const ranks: number[] = [pairs(posted)];');
      }],
      ['the helper’s parameter type changes (a declaration replaced)', () => edit('src/helpers.ts', 'export function pairs(rows: Row[]): number {', 'export function pairs(rows: readonly Row[]): number {')],
      ['a helper removed', () => edit('src/helpers.ts', /export function hashAll\([^]*?\n}\n/, '')],
      ['a type no importer names yet', () => edit('src/helpers.ts', 'export function fetchOne(', 'export type Batch = Row[];\nexport function fetchOne(')],
      ['the router types its input with it', () => {
        edit('src/orders.ts', "import { fetchOne, loadRows, pairs, rank, top } from './helpers';", "import { fetchOne, loadRows, pairs, rank, top, type Batch } from './helpers';");
        edit('src/orders.ts', '  const posted: typeof rows = _req.body;', '  const posted: Batch = _req.body;\n  if (dedupe(posted) > 0) return;');
        texts.set('src/orders.ts', `${texts.get('src/orders.ts')}function dedupe(batch: Batch): number {\n  let n = 0;\n  for (const a of batch) for (const b of batch) if (a.id === b.id) n++;\n  return n;\n}\n`);
      }],
      ['the type becomes a tuple of three (only an importer names it)', () => edit('src/helpers.ts', 'export type Batch = Row[];', 'export type Batch = [Row, Row, Row];')],
    ];
    const first = shape(kept.analyze());
    // The fresh analyses run one-shot (the CLI's mode: nothing kept, programs dropped at the end).
    const once = new Workspace({ root, once: true });
    assert.deepEqual(first, shape(once.analyze()));
    assert.equal(once.isLoaded(), false, 'a one-shot workspace drops its programs');
    assert.deepEqual(shape(once.analyze()), first, 'and analyses again from scratch');
    const seen = new Set<string>([JSON.stringify(first.findings.map((f) => f.ruleId))]);
    for (const [what, apply] of steps) {
      apply();
      const fresh = new Workspace({ root, once: true });
      for (const [rel, text] of texts) {
        kept.setOverlay(path(rel), text);
        fresh.setOverlay(path(rel), text);
      }
      const got = shape(kept.analyze());
      assert.deepEqual(got, shape(fresh.analyze()), `after "${what}"`);
      seen.add(JSON.stringify(got.findings.map((f) => f.ruleId)));
    }
    // The edits change what is reported (so the comparison is not between two empty results).
    assert.ok(seen.size >= 4, `findings changed only ${seen.size} times`);
  });

  it('reports for the paths and the include setting of each run, not those of the run before', () => {
    const ws = new Workspace({ root });
    ws.setOverlay(path('src/helpers.ts'), FILES['src/helpers.ts']!.replace('    if (a.total > best) best = a.total;', '    for (const b of rows) if (a.id === b.id) best += b.total;'));
    ws.setOverlay(path('src/orders.ts'), FILES['src/orders.ts']!.replace('await query(String(rows.length))', 'await Promise.all(rows.map((r) => query(r.customer)))'));
    const files = (r: AnalysisResult) => [...new Set(r.findings.map((f) => f.location.file))].sort();
    const both = [path('src/helpers.ts'), path('src/orders.ts')];
    // Narrow first: a finding first met out of scope is still reported once in scope.
    assert.deepEqual(files(ws.analyze({ paths: [path('src/orders.ts')] })), [path('src/orders.ts')]);
    assert.deepEqual(files(ws.analyze()), both);
    assert.deepEqual(files(ws.analyze({ paths: [path('src/orders.ts')] })), [path('src/orders.ts')]);
    assert.deepEqual(files(ws.analyze()), both);
    ws.updateSettings({ include: ['src/helpers.ts'] });
    assert.deepEqual(files(ws.analyze()), [path('src/helpers.ts')]);
  });

  it('an import of a file that does not exist yet resolves once the editor creates it, and fails again once it is closed', () => {
    // Module resolutions are cached across programs (server/src/engine/resolution.ts): a cached failure must not outlive the file's creation.
    const orders = FILES['src/orders.ts']!
      .replace("import { query } from './db';", "import { query } from './db';\nimport { crunch } from './extra';")
      .replace('  res.json({ best: score(rows), n });', '  res.json({ best: score(rows), n, c: crunch(rows) });');
    const extra = ["import type { Row } from './db';", 'export function crunch(rows: Row[]): number {', '  let s = 0;', '  for (const a of rows) for (const b of rows) s += a.id * b.id;', '  return s;', '}', ''].join('\n');
    const kept = new Workspace({ root });
    kept.setOverlay(path('src/orders.ts'), orders);
    const loops = (ws: Workspace) => ws.analyze().findings.filter((f) => f.ruleId === 'blocking-cpu/data-loop').map((f) => `${f.location.file.slice(root.length)}:${f.location.range.start.line + 1}`);
    assert.deepEqual(loops(kept), []);
    kept.setOverlay(path('src/extra.ts'), extra);
    assert.deepEqual(loops(kept), ['/src/extra.ts:4']);
    kept.setOverlay(path('src/extra.ts'), undefined);
    assert.deepEqual(loops(kept), []);
  });

  it('a file created on disk outside the editor joins the program once reported, and leaves it once deleted', () => {
    // Which paths exist is cached with the resolutions (server/src/engine/project.ts PrereadFileSystem).
    const orders = FILES['src/orders.ts']!
      .replace("import { query } from './db';", "import { query } from './db';\nimport { crunch } from './generated';")
      .replace('  res.json({ best: score(rows), n });', '  res.json({ best: score(rows), n, c: crunch(rows) });');
    const generated = ["import type { Row } from './db';", 'export function crunch(rows: Row[]): number {', '  let s = 0;', '  for (const a of rows) for (const b of rows) s += a.id * b.id;', '  return s;', '}', ''].join('\n');
    const file = join(root, 'src/generated.ts');
    const kept = new Workspace({ root });
    kept.setOverlay(path('src/orders.ts'), orders);
    const loops = () => kept.analyze().findings.filter((f) => f.ruleId === 'blocking-cpu/data-loop').map((f) => `${f.location.file.slice(root.length)}:${f.location.range.start.line + 1}`);
    try {
      assert.deepEqual(loops(), []);
      writeFileSync(file, generated);
      assert.deepEqual(loops(), [], 'not seen before it is reported');
      kept.filesCreatedOrDeleted([file]);
      assert.deepEqual(loops(), ['/src/generated.ts:4']);
      rmSync(file);
      kept.filesCreatedOrDeleted([file]);
      assert.deepEqual(loops(), []);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('the first look (before the folder loads) follows the handlers of the files importing the open file', () => {
    const ws = new Workspace({ root });
    const open = path('src/helpers.ts');
    ws.setOverlay(open, FILES['src/helpers.ts']!.replace('    if (a.total > best) best = a.total;', '    for (const b of rows) if (a.id === b.id) best += b.total;'));
    const first = ws.firstLook([open]);
    // The handler is in orders.ts; app.ts, which mounts it under /api, is not part of the first look.
    assert.deepEqual(labelled(first), ['blocking-cpu/data-loop 7 GET /orders']);
    assert.deepEqual(labelled(ws.analyze({ paths: [open] })), ['blocking-cpu/data-loop 7 GET /api/orders']);
    assert.equal(ws.firstLook([open]), undefined, 'no first look once loaded');
  });

  it('a kept handler whose event loops change is classified again (a second entry mounts its router)', (t) => {
    const files: Record<string, string> = {
      'src/app.ts': "import express from 'express';\nimport { ordersRouter } from './orders';\nconst app = express();\napp.use(ordersRouter);\napp.listen(1);\n",
      'src/orders.ts': "import { Router } from 'express';\nimport { pbkdf2Sync } from 'crypto';\nexport const ordersRouter = Router();\nordersRouter.post('/hash', (req, res) => {\n  res.send(pbkdf2Sync(String(req.body), 's', 100000, 64, 'sha512'));\n});\n",
      'src/admin.ts': "import express from 'express';\nimport { query } from './db';\nconst admin = express();\nadmin.get('/rows', async (_req, res) => {\n  res.json(await query('x'));\n});\nadmin.listen(2);\n",
      'src/db.ts': 'export async function query(sql: string): Promise<string[]> {\n  await new Promise((r) => setTimeout(r, sql.length));\n  return [];\n}\n',
    };
    const dir = ownProject(t, 'domains', files, ['src']);
    const kept = new Workspace({ root: dir });
    assert.deepEqual(kept.analyze().findings.map((f) => f.ruleId), ['blocking-cpu/sync-call']);
    const admin = files['src/admin.ts']!.replace("import { query } from './db';", "import { query } from './db';\nimport { ordersRouter } from './orders';").replace('admin.listen(2);', 'admin.use(ordersRouter);\nadmin.listen(2);');
    kept.setOverlay(`${dir}/src/admin.ts`, admin);
    const fresh = new Workspace({ root: dir, once: true });
    fresh.setOverlay(`${dir}/src/admin.ts`, admin);
    const got = shape(kept.analyze());
    assert.deepEqual(got, shape(fresh.analyze()));
    assert.deepEqual(got.findings.map((f) => f.ruleId), ['mixed-bound/cpu-beside-io', 'blocking-cpu/sync-call']);
  });

  it('the first look of an index file follows the handlers of the files importing its folder', (t) => {
    const files: Record<string, string> = {
      'src/lib/index.ts': 'export function pairs(rows: { id: number }[]): number {\n  let n = 0;\n  for (const a of rows) for (const b of rows) if (a.id === b.id) n++;\n  return n;\n}\n',
      'src/routes.ts': "import express from 'express';\nimport { pairs } from './lib';\nexport const app = express();\napp.post('/pairs', (req, res) => {\n  res.json(pairs(req.body));\n});\n",
      // Imports another index file: not an importer of lib/index.ts.
      'src/util/index.ts': 'export const one = 1;\n',
      'src/other.ts': "import { one } from './util/index';\nexport const two = one + 1;\n",
    };
    const dir = ownProject(t, 'index-look', files);
    const open = `${dir}/src/lib/index.ts`;
    const first = new Workspace({ root: dir }).firstLook([open]);
    assert.deepEqual(labelled(first), ['blocking-cpu/data-loop 3 POST /pairs']);
  });

  it('the first look types the node: modules its files import, unsaved imports included (only those of @types/node are parsed)', () => {
    const ws = new Workspace({ root });
    const open = path('src/helpers.ts');
    const text = `import { pbkdf2Sync } from 'node:crypto';\n${FILES['src/helpers.ts']!.replace('    if (a.total > best) best = a.total;', "    if (pbkdf2Sync(a.customer, 'salt', 100000, 64, 'sha512').length > best) best = a.total;")}`;
    ws.setOverlay(open, text);
    assert.deepEqual(
      ws.firstLook([open])?.findings.map((f) => `${f.ruleId} ${f.location.range.start.line + 1}`),
      ['blocking-cpu/sync-call 9'],
    );
  });

  it('the first look answers edits while the folder loads and is first analysed, then steps aside', async () => {
    const ws = new Workspace({ root });
    const open = path('src/helpers.ts');
    const loop = FILES['src/helpers.ts']!.replace('    if (a.total > best) best = a.total;', '    for (const b of rows) if (a.id === b.id) best += b.total;');
    ws.setOverlay(open, FILES['src/helpers.ts']);
    assert.deepEqual(labelled(ws.firstLook([open])), []);
    const loading = ws.analyzeAsync({ paths: [open] });
    for (const [text, expected] of [
      [loop, ['blocking-cpu/data-loop 7 GET /orders']],
      [FILES['src/helpers.ts']!, []],
      [loop, ['blocking-cpu/data-loop 7 GET /orders']],
    ] as const) {
      ws.setOverlay(open, text);
      assert.deepEqual(labelled(ws.firstLook([open])), expected, 'the first look sees each edit (no mount prefix: app.ts is not in it)');
    }
    // The load takes in the texts of when it ends: here, the last edit's.
    assert.deepEqual(labelled(await loading), ['blocking-cpu/data-loop 7 GET /api/orders']);
    assert.equal(ws.firstLook([open]), undefined, 'no first look once the first analysis ended');
    ws.setOverlay(open, FILES['src/helpers.ts']);
    assert.deepEqual(labelled(await ws.analyzeAsync({ paths: [open] })), []);
  });

  it('the first look takes in a file an edit newly imports', () => {
    const ws = new Workspace({ root });
    const open = path('src/helpers.ts');
    ws.setOverlay(open, FILES['src/helpers.ts']);
    assert.deepEqual(ws.firstLook([open])?.findings, []);
    // The loop's inner work is in src/slow.ts, which the first look's program left out: helpers.ts did not import it.
    const slow = path('src/slow.ts');
    writeFileSync(slow, 'export function count(rows: { id: number }[]): number {\n  let n = 0;\n  for (const b of rows) n += b.id;\n  return n;\n}\n');
    try {
      ws.setOverlay(open, `import { count } from './slow';\n${FILES['src/helpers.ts']!.replace('    if (a.total > best) best = a.total;', '    best += count(rows);')}`);
      assert.deepEqual(
        ws.firstLook([open])?.findings.map((f) => `${f.ruleId} ${f.location.file.slice(root.length)}:${f.location.range.start.line + 1}`),
        ['blocking-cpu/data-loop /src/helpers.ts:8'],
      );
    } finally {
      rmSync(slow, { force: true });
    }
  });

  describe('a file over the per-file budget that an edit newly imports (from outside the folder)', () => {
    const before = ["import express from 'express';", 'const app = express();', "app.get('/x', (req, res) => {", "  res.send('ok');", '});', 'app.listen(3000);', ''].join('\n');
    const after = [
      "import express from 'express';",
      "import { parse } from '../../gen/parser';",
      'const app = express();',
      "app.get('/x', (req, res) => {",
      '  for (const a of [1, 2, 3]) {',
      '    parse(a);',
      '  }',
      "  res.send('ok');",
      '});',
      'app.listen(3000);',
      '',
    ].join('\n');
    // Generated code nested deeper than the budget (MAX_NESTING): calls into it are not followed.
    const parser = `import { readFileSync } from 'fs';\nexport function parse(a: unknown) {\n  readFileSync('/etc/x');\n${'  if (a) {\n'.repeat(600)}${'  }\n'.repeat(600)}}\n`;
    const compilerOptions = { strict: true, module: 'commonjs', target: 'ES2022', esModuleInterop: true, types: ['node'] };
    /** The service folder `svc` (the workspace root) beside `gen/parser.ts`; its app.ts, and a fresh analysis's bounds of the edited text. */
    const setup = (t: TestContext) => {
      const dir = ownProject(t, 'budget', { 'svc/src/app.ts': before, 'svc/tsconfig.json': JSON.stringify({ compilerOptions }), 'gen/parser.ts': parser });
      const svc = `${dir}/svc`;
      const app = `${svc}/src/app.ts`;
      const fresh = new Workspace({ root: svc });
      fresh.setOverlay(app, after);
      const expected = bounds(fresh.analyze());
      assert.deepEqual(expected, ['GET /x none ']);
      return { svc, app, expected };
    };
    const bounds = (r: AnalysisResult | undefined) => r?.handlers.map((h) => `${h.label} ${h.bound} ${h.bounds.map((b) => b.reason).join('; ')}`);

    it('a code action on a loop between the edit and its analysis leaves the analysis as a fresh one', (t) => {
      const { svc, app, expected } = setup(t);
      const ws = new Workspace({ root: svc });
      ws.analyze();
      ws.setOverlay(app, after);
      ws.loopSizing(app, after.indexOf('for (const a'));
      assert.deepEqual(bounds(ws.analyze()), expected);
    });

    it('the first look does not follow calls into it either', (t) => {
      const { svc, app, expected } = setup(t);
      const ws = new Workspace({ root: svc });
      ws.setOverlay(app, after);
      assert.deepEqual(bounds(ws.firstLook([app])), expected);
    });
  });

  it('an analysis asked for while another loads the folder waits for it, then analyses its own texts', async () => {
    const ws = new Workspace({ root });
    const open = path('src/helpers.ts');
    const loop = FILES['src/helpers.ts']!.replace('    if (a.total > best) best = a.total;', '    for (const b of rows) if (a.id === b.id) best += b.total;');
    ws.setOverlay(open, FILES['src/helpers.ts']);
    let cancelled = false;
    const first = ws.analyzeAsync({ paths: [open], token: { get isCancellationRequested() { return cancelled; } } });
    ws.setOverlay(open, loop);
    cancelled = true;
    // The whole root, where the shared first analysis reports on the open file only: its own analysis, not that one.
    const second = ws.analyzeAsync();
    await assert.rejects(first, { name: 'CancelledError' });
    const fresh = new Workspace({ root });
    fresh.setOverlay(open, loop);
    const own = await second;
    assert.deepEqual(shape(own), shape(fresh.analyze()));
    assert.ok(own.handlers.length > 0 && own.files.length > 1, `${own.handlers.length} handlers in ${own.files.length} files`);
    assert.ok((await ws.analyzeAsync({ paths: [open] })).findings.some((f) => f.ruleId === 'blocking-cpu/data-loop'));
  });

  it('a caller waiting for the shared load reports its progress (an audit started while the editor loads)', async () => {
    const ws = new Workspace({ root });
    const first = ws.analyzeAsync({ sliceMs: 0 });
    await new Promise((resolve) => setImmediate(resolve));
    const steps: string[] = [];
    let loading = true;
    void first.then(() => (loading = false));
    const second = ws.analyzeAsync({ sliceMs: 0, onStep: (s) => loading && steps.push(s.phase) });
    await first;
    assert.ok(steps.includes('parse') && steps.includes('discover'), `steps while the load ran: ${steps.join(' ')}`);
    await second;
  });

  it('a caller cancelled while it waits for the shared load stops waiting; the load goes on for the others', async () => {
    const ws = new Workspace({ root });
    const first = ws.analyzeAsync();
    let cancelled = false;
    const second = ws.analyzeAsync({ token: { get isCancellationRequested() { return cancelled; } } });
    const order: string[] = [];
    void first.then(() => order.push('first'));
    second.catch(() => order.push('second'));
    await new Promise((resolve) => setImmediate(resolve));
    cancelled = true;
    await assert.rejects(second, { name: 'CancelledError' });
    assert.ok((await first).handlers.length > 0);
    assert.deepEqual(order, ['second', 'first'], 'the cancelled caller stopped waiting before the first analysis ended');
  });

  it('a reload while the folder loads stops that load; the caller waiting for it loads the folder again', async () => {
    const ws = new Workspace({ root });
    const extra = path('src/extra.ts');
    const pending = ws.analyzeAsync();
    // The first slice has listed the folder: a file created now is not in that load.
    await new Promise((resolve) => setImmediate(resolve));
    writeFileSync(extra, "import express from 'express';\nconst app = express();\napp.get('/extra', (_req, res) => {\n  res.send('x');\n});\n");
    try {
      ws.reload();
      assert.ok((await pending).handlers.some((h) => h.label === 'GET /extra'), 'the file created before the reload is in the analysis');
      assert.equal(ws.isLoaded(), true);
    } finally {
      rmSync(extra, { force: true });
    }
  });

  it('the open file alone (the editor path) matches a fresh analysis of that file', () => {
    const kept = new Workspace({ root });
    const open = [path('src/helpers.ts')];
    kept.analyze({ paths: open });
    const loop = FILES['src/helpers.ts']!.replace('    if (a.total > best) best = a.total;', '    for (const b of rows) if (a.id === b.id) best += b.total;');
    for (const text of [loop, FILES['src/helpers.ts']!, loop]) {
      kept.setOverlay(open[0]!, text);
      const fresh = new Workspace({ root });
      fresh.setOverlay(open[0]!, text);
      assert.deepEqual(shape(kept.analyze({ paths: open })), shape(fresh.analyze({ paths: open })));
    }
    assert.ok(kept.analyze({ paths: open }).findings.some((f) => f.ruleId === 'blocking-cpu/data-loop'));
  });
});
