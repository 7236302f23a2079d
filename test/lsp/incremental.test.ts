/**
 * The REAL built server re-analyses incrementally after each edit (server/src/engine/analysis/incremental.ts):
 * after every edit of a sequence (a loop added to a helper, a fan-out in a handler, a new handler, a syntax error
 * and its fix, a renamed helper), the diagnostics it publishes for both open documents are exactly those a cold
 * server publishes for the same texts.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  ShutdownRequest,
  type Diagnostic,
} from 'vscode-languageserver-protocol';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { pathToUri } from '../../server/src/uri';
import { buildIfStale, SERVER, TestClient } from './client';

const ROUTES = [
  "import express from 'express';",
  "import { loadOrders, total } from './orders.js';",
  'const app = express();',
  "app.get('/orders', async (req, res) => {",
  '  const rows = await loadOrders(String(req.query.customer));',
  '  res.json({ total: total(rows) });',
  '});',
  'app.listen(3000);',
  '',
].join('\n');
const ORDERS = [
  'export interface Order { id: string; amount: number; lines: { sku: string }[] }',
  'export async function loadOrders(customer: string): Promise<Order[]> {',
  '  const r = await fetch(`https://orders.example/${customer}`);',
  '  return (await r.json()) as Order[];',
  '}',
  'export function total(rows: Order[]): number {',
  '  let sum = 0;',
  '  for (const o of rows) sum += o.amount;',
  '  return sum;',
  '}',
  '',
].join('\n');

/** A server over stdio on `root`, initialised. */
async function start(root: string): Promise<{ child: ChildProcessWithoutNullStreams; client: TestClient }> {
  const child = spawn(process.execPath, [SERVER, '--stdio'], { cwd: root });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const client = new TestClient(connection);
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToUri(root),
    workspaceFolders: [{ uri: pathToUri(root), name: 'incremental' }],
    capabilities: { workspace: { workspaceEdit: { documentChanges: true } }, textDocument: { publishDiagnostics: { versionSupport: true } } },
  });
  await connection.sendNotification(InitializedNotification.type, {});
  return { child, client };
}

async function stop({ child, client }: { child: ChildProcessWithoutNullStreams; client: TestClient }): Promise<void> {
  await client.connection.sendRequest(ShutdownRequest.type);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await client.connection.sendNotification(ExitNotification.type);
  await exited;
  client.connection.dispose();
}

/** Writes a NodeNext express project (package.json, tsconfig.json including `src/`) into `root`. */
function writeProject(root: string, name: string): void {
  buildIfStale();
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name, private: true, type: 'module', dependencies: { express: '^4.21.0' } }));
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true }, include: ['src'] }));
}

/** The diagnostics published for `uri` at `version` after the `mark`-th publish, waiting for them. */
async function published(client: TestClient, uri: string, version: number, mark: number): Promise<Diagnostic[]> {
  return (await client.nextDiagnostics(uri, mark, (p) => p.version === version)).diagnostics;
}

describe('incremental re-analysis in the server', () => {
  const root = mkdtempSync(join(tmpdir(), 'looplens-lsp-incremental-')).replace(/\\/g, '/');
  after(() => rmSync(root, { recursive: true, force: true }));

  test('after each edit, both open documents get the diagnostics a cold server gives for the same texts', async () => {
    writeProject(root, 'incremental');
    writeFileSync(join(root, 'src', 'app.ts'), ROUTES);
    writeFileSync(join(root, 'src', 'orders.ts'), ORDERS);
    const docs = { app: { uri: pathToUri(`${root}/src/app.ts`), text: ROUTES, version: 1 }, orders: { uri: pathToUri(`${root}/src/orders.ts`), text: ORDERS, version: 1 } };
    type Name = keyof typeof docs;
    const kept = await start(root);
    try {
      let mark = kept.client.diagnostics.length;
      for (const d of Object.values(docs)) await kept.client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: d.uri, languageId: 'typescript', version: 1, text: d.text } });
      await published(kept.client, docs.app.uri, 1, mark);
      const edits: [string, Name, string, string][] = [
        ['a nested loop in the helper', 'orders', '  for (const o of rows) sum += o.amount;', '  for (const o of rows) for (const p of rows) if (o.id === p.id) sum += p.amount;'],
        ['a fan-out in the handler', 'app', '  const rows = await loadOrders(String(req.query.customer));', '  const rows = (await Promise.all(String(req.query.customer).split(",").map((c) => loadOrders(c)))).flat();'],
        ['a second handler', 'app', 'app.listen(3000);', "app.post('/orders/sum', (req, res) => {\n  res.json(total(JSON.parse(String(req.body))));\n});\napp.listen(3000);"],
        ['a syntax error in the helper', 'orders', 'export function total(rows: Order[]): number {', 'export function total(rows: Order[]): number {{ ('],
        ['fixed', 'orders', 'export function total(rows: Order[]): number {{ (', 'export function total(rows: Order[]): number {'],
        ['the helper renamed', 'orders', 'export function total(', 'export function sumOf('],
        ['its callers too', 'app', 'total(', 'sumOf('],
      ];
      const seen = new Set<number>();
      for (const [what, name, from, to] of edits) {
        const doc = docs[name];
        assert.ok(doc.text.includes(from), `${what}: ${name} contains ${from}`);
        doc.text = doc.text.split(from).join(to);
        doc.version++;
        mark = kept.client.diagnostics.length;
        await kept.client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: doc.uri, version: doc.version }, contentChanges: [{ text: doc.text }] });
        const incremental = { [name]: await published(kept.client, doc.uri, doc.version, mark) } as Record<Name, Diagnostic[]>;
        const other: Name = name === 'app' ? 'orders' : 'app';
        incremental[other] = await published(kept.client, docs[other].uri, docs[other].version, mark);

        const cold = await start(root);
        try {
          const coldMark = cold.client.diagnostics.length;
          for (const d of Object.values(docs)) await cold.client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: d.uri, languageId: 'typescript', version: d.version, text: d.text } });
          for (const n of ['app', 'orders'] as const) assert.deepEqual(incremental[n], await published(cold.client, docs[n].uri, docs[n].version, coldMark), `${n} after ${what}`);
        } finally {
          await stop(cold);
        }
        seen.add(incremental.app.length * 100 + incremental.orders.length);
      }
      // The edits change what is reported, so the comparisons are not all between empty lists.
      assert.ok(seen.size >= 3, `diagnostics changed only ${seen.size} times`);
    } finally {
      await stop(kept);
    }
  });
});

describe('source files created or deleted on disk', () => {
  const root = mkdtempSync(join(tmpdir(), 'looplens-lsp-created-')).replace(/\\/g, '/');
  after(() => rmSync(root, { recursive: true, force: true }));

  test('a file the open document imports is seen once the client reports it created, and forgotten once deleted', async () => {
    writeProject(root, 'created');
    const app = [
      "import express from 'express';",
      "import { loadOrders } from './generated.js';",
      'const app = express();',
      "app.get('/orders', async (req, res) => {",
      "  const rows = (await Promise.all(String(req.query.customer).split(',').map((c) => loadOrders(c)))).flat();",
      '  res.json(rows);',
      '});',
      'app.listen(3000);',
      '',
    ].join('\n');
    const generated = ['export async function loadOrders(customer: string): Promise<string[]> {', '  const r = await fetch(`https://orders.example/${customer}`);', '  return (await r.json()) as string[];', '}', ''].join('\n');
    writeFileSync(join(root, 'src', 'app.ts'), app);
    const uri = pathToUri(`${root}/src/app.ts`);
    const generatedUri = pathToUri(`${root}/src/generated.ts`);
    const server = await start(root);
    const rules = async (mark: number) => (await published(server.client, uri, 1, mark)).map((d) => `${d.code} ${d.range.start.line + 1}`);
    try {
      let mark = server.client.diagnostics.length;
      await server.client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version: 1, text: app } });
      // The first look, then the full analysis: both without the missing module's promise.
      await published(server.client, uri, 1, mark);
      assert.deepEqual(await rules(server.client.diagnostics.length), []);
      writeFileSync(join(root, 'src', 'generated.ts'), generated);
      mark = server.client.diagnostics.length;
      await server.client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: generatedUri, type: FileChangeType.Created }] });
      assert.deepEqual(await rules(mark), ['unbounded-fanout/promise-all 5']);
      rmSync(join(root, 'src', 'generated.ts'));
      mark = server.client.diagnostics.length;
      await server.client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: generatedUri, type: FileChangeType.Deleted }] });
      assert.deepEqual(await rules(mark), []);
    } finally {
      await stop(server);
    }
  });
});

describe('edits while the folder loads', () => {
  const root = mkdtempSync(join(tmpdir(), 'looplens-lsp-loading-')).replace(/\\/g, '/');
  after(() => rmSync(root, { recursive: true, force: true }));

  test('an edit made before the first full analysis ends is answered by the first look, then by the full analysis', async () => {
    writeProject(root, 'loading');
    writeFileSync(join(root, 'src', 'app.ts'), ["import express from 'express';", "import { ordersRouter } from './orders.js';", 'const app = express();', "app.use('/api', ordersRouter);", 'app.listen(3000);', ''].join('\n'));
    writeFileSync(
      join(root, 'src', 'orders.ts'),
      ["import { Router } from 'express';", "import { loadOrders, total } from './helpers.js';", 'export const ordersRouter = Router();', "ordersRouter.get('/orders', async (req, res) => {", '  res.json({ total: total(await loadOrders(String(req.query.customer))) });', '});', ''].join('\n'),
    );
    writeFileSync(join(root, 'src', 'helpers.ts'), ORDERS);
    // Enough other files that the folder's load outlasts the edit's round trip (~1 s on 2 cores).
    mkdirSync(join(root, 'src', 'filler'));
    for (let i = 0; i < 400; i++) {
      writeFileSync(join(root, 'src', 'filler', `f${i}.ts`), `export interface T${i} { id: number; name: string }\nexport function make${i}(n: number): T${i}[] {\n  const out: T${i}[] = [];\n  for (let k = 0; k < n; k++) out.push({ id: k, name: String(k) });\n  return out;\n}\n`);
    }
    const uri = pathToUri(`${root}/src/helpers.ts`);
    const server = await start(root);
    try {
      let mark = server.client.diagnostics.length;
      await server.client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version: 1, text: ORDERS } });
      assert.deepEqual((await published(server.client, uri, 1, mark)).map((d) => d.code), []);
      mark = server.client.diagnostics.length;
      const text = ORDERS.replace('  for (const o of rows) sum += o.amount;', '  for (const o of rows) for (const p of rows) if (o.id === p.id) sum += p.amount;');
      await server.client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 2 }, contentChanges: [{ text }] });
      const messageOf = (d: Diagnostic) => (typeof d.message === 'string' ? d.message : d.message.value);
      // The first look has no app.ts, which mounts the router under /api: its message names GET /orders.
      const first = (await server.client.nextDiagnostics(uri, mark, (p) => p.version === 2)).diagnostics;
      assert.deepEqual(first.map((d) => `${d.code} ${d.range.start.line + 1}`), ['blocking-cpu/data-loop 8']);
      assert.match(messageOf(first[0]!), /in `GET \/orders`/);
      const full = await server.client.nextDiagnostics(uri, mark, (p) => p.version === 2 && p.diagnostics.some((d) => messageOf(d).includes('in `GET /api/orders`')));
      assert.deepEqual(full.diagnostics.map((d) => `${d.code} ${d.range.start.line + 1}`), ['blocking-cpu/data-loop 8']);
    } finally {
      await stop(server);
    }
  });
});
