/**
 * The hover through startServer on in-memory streams, with an engine double that reports one handler found in
 * the document's text: the registration and the body's first line show the handler; the hover never analyses;
 * before an analysis, after an edit not yet analysed, and after close there is nothing to show.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createConnection } from 'vscode-languageserver/node';
import {
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  type Hover,
  type InitializeResult,
  type MarkupContent,
  type Position,
} from 'vscode-languageserver-protocol';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import type { AnalysisResult, Handler } from '../../server/src/engine/types';
import { startServer } from '../../server/src/server';
import { pathToUri } from '../../server/src/uri';
import type { WorkspaceLike } from '../../server/src/workspaces';
import { lines, rangeOf } from '../fixes/helpers';
import { TestClient } from './client';

const root = mkdtempSync(`${tmpdir()}/looplens-hover-`).replace(/\\/g, '/');
const file = `${root}/src/app.ts`;
const uri = pathToUri(file);

const CODE = lines(
  "import express from 'express';",
  "import { pbkdf2Sync } from 'node:crypto';",
  '',
  'const app = express();',
  "app.post('/login', (req, res) => {",
  "  const key = pbkdf2Sync(req.body.password, 'salt', 100000, 64, 'sha512');",
  '  res.json({ ok: key.length > 0 });',
  '});',
);

/** The handler the double finds in `text`: the `app.post(` registration, CPU-bound by pbkdf2Sync. */
function handlerIn(text: string): Handler {
  const registration = { file, range: rangeOf(text, "app.post('/login'") };
  const call = { file, range: rangeOf(text, 'pbkdf2Sync(req.body.password') };
  return {
    id: `${file}:${registration.range.start.line + 1}:1`,
    kind: 'express',
    label: 'POST /login',
    registration,
    body: { file, range: { start: rangeOf(text, '(req, res) => {').start, end: rangeOf(text, '});').end } },
    bounds: [{ bound: 'cpu', reason: 'pbkdf2Sync (node:crypto)', chain: [{ ...registration, label: 'POST /login' }, { ...call, label: 'pbkdf2Sync' }] }],
    bound: 'cpu',
    domain: file,
  };
}

let analyses = 0;
const overlays = new Map<string, string>();
/** The double's analyses wait for this: a test holds it closed to ask for a hover while an analysis is pending. */
let gate: Promise<void> = Promise.resolve();
let open = () => {};
const closeGate = () => {
  gate = new Promise((resolve) => (open = resolve));
};
const analyze = (): AnalysisResult => {
  analyses++;
  const text = overlays.get(file);
  return { handlers: text ? [handlerIn(text)] : [], findings: [], skipped: [], files: [...overlays.keys()] };
};
const fakeWorkspace: WorkspaceLike = {
  setOverlay: (f: string, text: string | undefined) => void (text === undefined ? overlays.delete(f) : overlays.set(f, text)),
  updateSettings: () => undefined,
  analyze,
  analyzeAsync: async () => {
    await gate;
    return analyze();
  },
};

describe('hover over in-memory streams', () => {
  let client: TestClient;
  let init: InitializeResult;
  let text = CODE;
  let version = 1;

  const hover = (position: Position) => client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position }) as Promise<Hover | null>;
  const markdown = (h: Hover | null) => {
    assert.ok(h, 'a hover');
    const contents = h.contents as MarkupContent;
    assert.equal(contents.kind, 'markdown');
    return contents.value;
  };

  before(async () => {
    const up = new PassThrough();
    const down = new PassThrough();
    startServer(createConnection(new StreamMessageReader(up), new StreamMessageWriter(down)), {
      createWorkspace: () => fakeWorkspace,
    });
    const connection = createProtocolConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
    client = new TestClient(connection);
    connection.listen();
    init = await connection.sendRequest(InitializeRequest.type, { processId: null, rootUri: pathToUri(root), workspaceFolders: [{ uri: pathToUri(root), name: 'app' }], capabilities: {} });
    await connection.sendNotification(InitializedNotification.type, {});
  });

  after(() => {
    client.connection.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  test('advertises hoverProvider', () => {
    assert.equal(init.capabilities.hoverProvider, true);
  });

  test('before the first analysis there is nothing to show; the hover does not analyse', async () => {
    const mark = client.diagnostics.length;
    closeGate();
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version, text } });
    assert.equal(await hover(rangeOf(text, "app.post('/login'").start), null);
    assert.equal(analyses, 0);
    open();
    await client.nextDiagnostics(uri, mark);
    assert.equal(analyses, 1);
  });

  test('on the registration: label, kind, bound, evidence and domain, over the registration range', async () => {
    const registration = rangeOf(text, "app.post('/login'");
    const h = await hover({ line: registration.start.line, character: registration.start.character + 4 });
    assert.deepEqual(h?.range, registration);
    const md = markdown(h);
    assert.match(md, /^\*\*POST \/login\*\* · Express route$/m);
    assert.match(md, /^Bound: \*\*`cpu`\*\*/m);
    assert.match(md, /^- `cpu` pbkdf2Sync \(node:crypto\) — \[src\/app\.ts:6\]\(file:\/\/.*\/src\/app\.ts#L6\)$/m);
    assert.match(md, /^Event-loop domain: `app\.ts`$/m);
    assert.equal(analyses, 1, 'answered from the last analysis');
  });

  test('on the first line of the body too; nothing inside the body or elsewhere', async () => {
    const bodyStart = rangeOf(text, '(req, res) => {').start;
    assert.match(markdown(await hover({ line: bodyStart.line, character: bodyStart.character + 20 })), /POST \/login/);
    assert.equal(await hover(rangeOf(text, 'res.json').start), null);
    assert.equal(await hover({ line: 0, character: 3 }), null);
  });

  test('after an edit, nothing until the new version is analysed, then the new ranges', async () => {
    const mark = client.diagnostics.length;
    const next = `// moved down\n${text}`;
    closeGate();
    void client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: ++version },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// moved down\n' }],
    });
    text = next;
    const registration = rangeOf(text, "app.post('/login'");
    assert.equal(await hover(registration.start), null, 'the last analysis is of version 1');
    open();
    await client.nextDiagnostics(uri, mark, (p) => p.version === version);
    assert.deepEqual((await hover(registration.start))?.range, registration);
  });

  test('after close there is nothing to show', async () => {
    const mark = client.diagnostics.length;
    await client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    await client.nextDiagnostics(uri, mark);
    assert.equal(await hover(rangeOf(text, "app.post('/login'").start), null);
  });
});
