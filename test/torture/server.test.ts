/**
 * The server survives malformed input on its connection: bytes that are not JSON, requests with missing or
 * wrongly typed params, changes for documents never opened. After all of it, a real document still gets its
 * diagnostics from the real engine.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createConnection } from 'vscode-languageserver/node';
import { DidChangeTextDocumentNotification, DidOpenTextDocumentNotification, InitializedNotification, InitializeRequest } from 'vscode-languageserver-protocol';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { startServer } from '../../server/src/server';
import { pathToUri } from '../../server/src/uri';
import { TestClient } from '../lsp/client';
import { SYNC_HANDLER } from './fixture';

const root = mkdtempSync(`${tmpdir()}/looplens-malformed-`).replace(/\\/g, '/');
const file = `${root}/src/app.ts`;
const uri = pathToUri(file);

/** One JSON-RPC frame as the wire carries it. */
const frame = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('server on malformed input', () => {
  let client: TestClient;
  let up: PassThrough;

  before(async () => {
    mkdirSync(`${root}/src`);
    writeFileSync(file, SYNC_HANDLER);
    up = new PassThrough();
    const down = new PassThrough();
    startServer(createConnection(new StreamMessageReader(up), new StreamMessageWriter(down)), { debounceMs: 10 });
    client = new TestClient(createProtocolConnection(new StreamMessageReader(down), new StreamMessageWriter(up)));
    client.connection.listen();
    await client.connection.sendRequest(InitializeRequest.type, { processId: null, rootUri: pathToUri(root), workspaceFolders: [{ uri: pathToUri(root), name: 'app' }], capabilities: {} });
    await client.connection.sendNotification(InitializedNotification.type, {});
  });

  after(() => {
    client.connection.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  test('answers requests with missing or wrongly typed params instead of dying', async () => {
    const noParams = await client.connection.sendRequest('textDocument/codeAction', null).then(
      (r) => ({ result: r }),
      (e: { code: number }) => ({ error: e.code }),
    );
    assert.ok('result' in noParams || typeof noParams.error === 'number');
    assert.equal(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: 42 }, position: { line: -1, character: 'x' } }), null);
    assert.deepEqual(
      await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: 'file:///nowhere.ts' }, range: null, context: { diagnostics: [{ data: 'garbage' }] } }),
      [],
    );
    const unknown = await client.connection.sendRequest('looplens/noSuchMethod', {}).then(
      () => 'answered',
      (e: { code: number }) => e.code,
    );
    assert.equal(unknown, -32601, 'MethodNotFound');
  });

  test('skips bytes that are not JSON and changes for documents never opened, then analyses a real document', async () => {
    up.write(frame('{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {'));
    up.write(frame('\u0000\u0001 not json at all'));
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: 'file:///never-opened.ts', version: 7 },
      contentChanges: [{ range: { start: { line: 99, character: 0 }, end: { line: 100, character: 0 } }, text: 'x' }],
    });
    const before = client.diagnostics.length;
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version: 1, text: SYNC_HANDLER } });
    // The first analysis loads the project and Node's typings: slow on a loaded machine, hence the long deadline.
    const published = await client.waitFor(() => client.diagnostics.slice(before).find((p) => p.uri === uri && p.version === 1), 'diagnostics of the opened document', 120_000);
    assert.deepEqual(
      published.diagnostics.map((d) => `${d.code} ${d.range.start.line + 1}:${d.range.start.character + 1}`),
      ['blocking-cpu/sync-call 5:12'],
    );
  });
});
