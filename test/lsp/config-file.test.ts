/**
 * The config file in the editor, with the real engine over in-memory streams, in a multi-root workspace of two
 * folders: each folder's `.looplensrc.json` / package.json `looplens` key applies to it, the editor's explicit
 * settings override the file per folder (defaults < config file < editor), and a changed config file is
 * re-read on `workspace/didChangeWatchedFiles`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createConnection } from 'vscode-languageserver/node';
import {
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  DidOpenTextDocumentNotification,
  FileChangeType,
  InitializedNotification,
  InitializeRequest,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { startServer } from '../../server/src/server';
import { pathToUri } from '../../server/src/uri';
import { TestClient } from './client';

const CODE = `import { createServer } from 'node:http';
import { pbkdf2Sync } from 'node:crypto';
createServer((req, res) => {
  res.end(pbkdf2Sync(String(req.url), 'salt', 100000, 64, 'sha512'));
}).listen(8080);
`;

const base = realpathSync(mkdtempSync(`${tmpdir()}/looplens-config-`)).replace(/\\/g, '/');
const folderA = `${base}/a`;
const folderB = `${base}/b`;
const fileA = `${folderA}/server.ts`;
const fileB = `${folderB}/server.ts`;

function write(file: string, text: string): void {
  mkdirSync(file.slice(0, file.lastIndexOf('/')), { recursive: true });
  writeFileSync(file, text);
}

describe('config file in the language server (multi-root)', () => {
  let client: TestClient;

  const severities = (p: PublishDiagnosticsParams) => p.diagnostics.filter((d) => d.code === 'blocking-cpu/sync-call').map((d) => d.severity);
  const syncCall = async (uri: string, mark: number) => severities(await client.nextDiagnostics(uri, mark));
  /**
   * Waits for diagnostics of `uri` after `mark` with the `expected` sync-call severities, and fails with those
   * published instead. The folder's first analysis, started before the config file changed, may end between
   * `mark` and the server reading the change, and publish the old severities first (no token stops it:
   * server/src/engine/workspace.ts analyzeAsync).
   */
  const settlesTo = async (uri: string, mark: number, expected: (DiagnosticSeverity | undefined)[]) => {
    const match = (p: PublishDiagnosticsParams) => JSON.stringify(severities(p)) === JSON.stringify(expected);
    await client.nextDiagnostics(uri, mark, match).catch(() => {
      assert.fail(`expected ${JSON.stringify(expected)}; published: ${JSON.stringify(client.diagnostics.slice(mark).filter((p) => p.uri === uri).map(severities))}`);
    });
  };

  before(async () => {
    write(`${folderA}/.looplensrc.json`, JSON.stringify({ severity: { 'blocking-cpu/sync-call': 'error' } }));
    write(fileA, CODE);
    // B: the package.json key turns the family off, the editor turns the rule back on as info.
    write(`${folderB}/package.json`, JSON.stringify({ name: 'b', looplens: { severity: { 'blocking-cpu': 'off' } } }));
    write(fileB, CODE);
    const up = new PassThrough();
    const down = new PassThrough();
    startServer(createConnection(new StreamMessageReader(up), new StreamMessageWriter(down)), { debounceMs: 20 });
    const connection = createProtocolConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
    client = new TestClient(connection);
    // What the LoopLens client sends: only the keys the user set (none for A).
    client.settings = { [pathToUri(folderA)]: {}, [pathToUri(folderB)]: { severity: { 'blocking-cpu/sync-call': 'info' } } };
    connection.listen();
    await connection.sendRequest(InitializeRequest.type, {
      processId: null,
      rootUri: null,
      workspaceFolders: [
        { uri: pathToUri(folderA), name: 'a' },
        { uri: pathToUri(folderB), name: 'b' },
      ],
      capabilities: { workspace: { configuration: true, workspaceFolders: true } },
    });
    await connection.sendNotification(InitializedNotification.type, {});
  });

  after(() => {
    client.connection.dispose();
    rmSync(base, { recursive: true, force: true });
  });

  test('folder A: the .looplensrc.json severity applies where the editor sets nothing', async () => {
    const mark = client.diagnostics.length;
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: pathToUri(fileA), languageId: 'typescript', version: 1, text: CODE } });
    assert.deepEqual(await syncCall(pathToUri(fileA), mark), [DiagnosticSeverity.Error]);
  });

  test('folder B: the editor setting for the rule wins over the package.json key for its family', async () => {
    const mark = client.diagnostics.length;
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: pathToUri(fileB), languageId: 'typescript', version: 1, text: CODE } });
    assert.deepEqual(await syncCall(pathToUri(fileB), mark), [DiagnosticSeverity.Information]);
  });

  test('a changed config file is re-read on didChangeWatchedFiles and the folder re-analysed', async () => {
    write(`${folderA}/.looplensrc.json`, JSON.stringify({ severity: { 'blocking-cpu': 'off' } }));
    const mark = client.diagnostics.length;
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: pathToUri(`${folderA}/.looplensrc.json`), type: FileChangeType.Changed }],
    });
    await settlesTo(pathToUri(fileA), mark, []);
  });

  test('an invalid config file is logged and ignored: defaults apply', async () => {
    write(`${folderA}/.looplensrc.json`, '{ "severity": ');
    const mark = client.diagnostics.length;
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: pathToUri(`${folderA}/.looplensrc.json`), type: FileChangeType.Changed }],
    });
    await settlesTo(pathToUri(fileA), mark, [DiagnosticSeverity.Warning]);
    assert.ok(client.logs.some((l) => l.includes('.looplensrc.json ignored')), client.logs.join('\n'));
  });
});
