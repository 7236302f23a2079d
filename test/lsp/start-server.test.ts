/**
 * startServer on in-memory streams (no child process): capabilities, the settings round-trip, and the whole
 * diagnostics → code action → versioned edit path with an engine double that returns chosen findings.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createConnection } from 'vscode-languageserver/node';
import {
  CodeActionRequest,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  InitializedNotification,
  InitializeRequest,
  TextDocumentSyncKind,
  type CodeAction,
  type InitializeResult,
} from 'vscode-languageserver-protocol';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { AuditWorkspaceRequest, type AuditWorkspaceResult } from '../../shared/protocol';
import { resolveSettings, type EngineSettings } from '../../server/src/engine/settings';
import type { AnalysisResult, Finding } from '../../server/src/engine/types';
import type { WorkspaceOptions } from '../../server/src/engine/workspace';
import { startServer } from '../../server/src/server';
import { pathToUri } from '../../server/src/uri';
import { finding, lines, nodeRangeAt, rangeOf } from '../fixes/helpers';
import { applyWorkspaceEdit, TestClient } from './client';

/** An engine double: remembers what the server told it and returns findings computed from the overlays. */
class FakeWorkspace {
  static all: FakeWorkspace[] = [];
  /** Findings per analysis; may throw to simulate an engine failure. */
  static produce: (ws: FakeWorkspace) => Finding[] = () => [];
  readonly overlays = new Map<string, string>();
  settings: EngineSettings;
  analyses = 0;

  constructor(readonly options: WorkspaceOptions) {
    this.settings = resolveSettings(options.settings);
    FakeWorkspace.all.push(this);
  }
  setOverlay(file: string, text: string | undefined): void {
    if (text === undefined) this.overlays.delete(file);
    else this.overlays.set(file, text);
  }
  updateSettings(s: Partial<EngineSettings>): void {
    this.settings = resolveSettings(s);
  }
  analyze(): AnalysisResult {
    this.analyses++;
    const findings = FakeWorkspace.produce(this);
    return { handlers: [], findings, skipped: [], files: [...new Set([...this.overlays.keys(), ...findings.map((f) => f.location.file)])] };
  }
}

const root = mkdtempSync(`${tmpdir()}/looplens-lsp-`).replace(/\\/g, '/');
const rootUri = pathToUri(root);
const file = `${root}/src/app.ts`;
const uri = pathToUri(file);
const other = `${root}/src/jobs.ts`;

const CODE = lines(
  "import express from 'express';",
  '',
  'const app = express();',
  "app.get('/avatars', async (req, res) => {",
  '  const urls: string[] = req.body.urls;',
  '  res.json(await Promise.all(urls.map(async (u) => fetch(u))));',
  '  for (const u of urls) console.log(u);',
  '});',
);

/** Findings the double reports for the current text of app.ts: a fan-out and a data loop, when present. */
function findingsFor(ws: FakeWorkspace): Finding[] {
  const text = ws.overlays.get(file);
  if (!text) return [];
  const out: Finding[] = [];
  if (text.includes('urls.map(async (u) => fetch(u))')) {
    const launch = rangeOf(text, 'async (u) => fetch(u)');
    out.push({
      ...finding('unbounded-fanout/promise-all', rangeOf(text, 'Promise.all(urls.map(async (u) => fetch(u)))'), {
        kind: 'limit-fanout',
        launch,
        limit: ws.settings.concurrencyIo,
        limitReason: 'looplens.concurrency.io setting',
      }, file),
      chain: [{ file, range: rangeOf(text, "app.get('/avatars'"), label: 'GET /avatars' }],
      related: [{ file: other, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, label: 'pool of 10' }],
    });
  }
  if (text.includes('for (const u of urls)')) {
    const loop = nodeRangeAt(text, 'for (const u of urls)');
    out.push(finding('blocking-cpu/data-loop', loop, { kind: 'yield-in-loop', loop, inAsyncFunction: true }, file));
  }
  return out;
}

describe('startServer over in-memory streams', () => {
  let client: TestClient;
  let init: InitializeResult;
  let version = 1;
  let text = CODE;

  const codeActions = (diagnostics: import('vscode-languageserver-protocol').Diagnostic[], only?: string[]) =>
    client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics, ...(only ? { only } : {}) },
    }) as Promise<CodeAction[]>;

  /** Sends a full-text change (as one incremental edit over the whole document) and returns the new version. */
  const change = (next: string) => {
    const end = { line: text.split('\n').length, character: 0 };
    void client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: ++version },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end }, text: next }],
    });
    text = next;
    return version;
  };

  before(async () => {
    FakeWorkspace.produce = findingsFor;
    const up = new PassThrough();
    const down = new PassThrough();
    startServer(createConnection(new StreamMessageReader(up), new StreamMessageWriter(down)), {
      createWorkspace: (o) => new FakeWorkspace(o),
      debounceMs: 20,
    });
    const connection = createProtocolConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
    client = new TestClient(connection);
    client.settings = { [rootUri]: { concurrency: { io: 3 }, yieldEvery: 50 } };
    connection.listen();
    init = await connection.sendRequest(InitializeRequest.type, {
      processId: null,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: 'app' }],
      capabilities: { workspace: { configuration: true, workspaceEdit: { documentChanges: true }, didChangeConfiguration: { dynamicRegistration: true } } },
    });
    await connection.sendNotification(InitializedNotification.type, {});
  });

  after(() => {
    client.connection.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  test('advertises incremental sync, quick fixes, source.fixAll.looplens and refactor.rewrite', () => {
    const caps = init.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: TextDocumentSyncKind.Incremental });
    assert.deepEqual(caps.codeActionProvider, { codeActionKinds: ['quickfix', 'source.fixAll.looplens', 'refactor.rewrite'], resolveProvider: false });
    assert.equal(init.serverInfo?.name, 'looplens');
  });

  test('didOpen: settings read for the folder, then diagnostics with rule, docs link, chain and fix data', async () => {
    const mark = client.diagnostics.length;
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version, text } });
    const published = await client.nextDiagnostics(uri, mark);
    assert.deepEqual(client.configurationRequests[0]?.items, [{ scopeUri: rootUri, section: 'looplens' }]);
    assert.equal(FakeWorkspace.all.length, 1);
    assert.equal(FakeWorkspace.all[0].options.root, root);
    assert.equal(FakeWorkspace.all[0].settings.concurrencyIo, 3);
    assert.equal(published.version, 1);
    const fanout = published.diagnostics.find((d) => d.code === 'unbounded-fanout/promise-all');
    assert.ok(fanout, 'fan-out diagnostic');
    assert.equal(fanout.source, 'looplens');
    assert.equal(fanout.severity, DiagnosticSeverity.Warning);
    assert.equal(fanout.codeDescription?.href, 'https://github.com/looplens/looplens/blob/main/docs/rules/unbounded-fanout/promise-all.md');
    assert.deepEqual(
      fanout.relatedInformation?.map((r) => [r.location.uri, r.message]),
      [
        [uri, 'GET /avatars'],
        [pathToUri(other), 'pool of 10'],
      ],
    );
    assert.deepEqual(Object.keys(fanout.data as object).sort(), ['fix', 'ruleId', 'version']);
    assert.equal((fanout.data as { version: number }).version, 1);
  });

  test('quick fix: versioned p-limit edit with the configured limit; disable comment beside it', async () => {
    const published = client.diagnostics.filter((p) => p.uri === uri).at(-1)!;
    const fanout = published.diagnostics.filter((d) => d.code === 'unbounded-fanout/promise-all');
    const actions = await codeActions(fanout);
    assert.deepEqual(
      actions.map((a) => [a.title, a.kind, a.isPreferred]),
      [
        ['Limit to 3 concurrent calls with p-limit (looplens.concurrency.io setting)', 'quickfix', true],
        ['Limit to 3 concurrent calls with p-map (looplens.concurrency.io setting)', 'quickfix', false],
        ['Limit to 3 concurrent calls in chunks of 3, no dependency (looplens.concurrency.io setting)', 'quickfix', false],
        ['Disable unbounded-fanout/promise-all for this line', 'quickfix', false],
      ],
    );
    const fixed = applyWorkspaceEdit(actions[0].edit, uri, text, version);
    assert.match(fixed, /^import pLimit from 'p-limit';\n\nconst limit = pLimit\(3\);$/m);
    assert.match(fixed, /urls\.map\(\(u\) => limit\(async \(\) => fetch\(u\)\)\)/);
  });

  test('settings round-trip: yieldEvery from the client, re-read after didChangeConfiguration', async () => {
    const loopDiag = () => client.diagnostics.filter((p) => p.uri === uri).at(-1)!.diagnostics.filter((d) => d.code === 'blocking-cpu/data-loop');
    const before = await codeActions(loopDiag());
    assert.equal(before[0]?.title, 'Yield to the event loop every 50 iterations (looplens.yieldEvery setting)');

    client.settings = { [rootUri]: { concurrency: { io: 5 }, yieldEvery: 10 } };
    const requests = client.configurationRequests.length;
    const mark = client.diagnostics.length;
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    await client.nextDiagnostics(uri, mark);
    assert.ok(client.configurationRequests.length > requests, 'settings asked for again');
    assert.equal(FakeWorkspace.all[0].settings.concurrencyIo, 5);
    const afterChange = await codeActions(loopDiag());
    assert.equal(afterChange[0]?.title, 'Yield to the event loop every 10 iterations (looplens.yieldEvery setting)');
  });

  // Whether the three notifications reach the server in one turn (and so share one run, as debounce.test.ts
  // pins) depends on how the streams deliver them; under load they can arrive one by one.
  test('edits in quick succession: diagnostics for the last version, at most one analysis each; stale diagnostics get no fix', async () => {
    const stale = client.diagnostics.filter((p) => p.uri === uri).at(-1)!.diagnostics;
    const analyses = FakeWorkspace.all[0].analyses;
    const mark = client.diagnostics.length;
    change(text.replace('console.log(u)', 'console.log(u, 1)'));
    change(text.replace('console.log(u, 1)', 'console.log(u, 2)'));
    const last = change(text.replace('console.log(u, 2)', 'console.log(u, 3)'));
    const published = await client.nextDiagnostics(uri, mark, (p) => p.version === last);
    assert.equal(published.version, last);
    assert.ok(FakeWorkspace.all[0].analyses - analyses >= 1 && FakeWorkspace.all[0].analyses - analyses <= 3, `${FakeWorkspace.all[0].analyses - analyses} analyses`);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(client.diagnostics.filter((p) => p.uri === uri).at(-1)!.version, last, 'no older version published after the last');
    assert.deepEqual(await codeActions(stale), [], 'diagnostics of an older version are refused');
    const fresh = await codeActions(published.diagnostics);
    assert.ok(fresh.length > 0);
    assert.throws(() => applyWorkspaceEdit(fresh[0].edit, uri, text, version - 1), /stale edit refused/);
  });

  test('source.fixAll.looplens applies every preferred fix', async () => {
    const actions = await codeActions([], ['source.fixAll']);
    assert.deepEqual(actions.map((a) => a.kind), ['source.fixAll.looplens']);
    const fixed = applyWorkspaceEdit(actions[0].edit, uri, text, version);
    assert.match(fixed, /import pLimit from 'p-limit';\nimport \{ setImmediate \} from 'node:timers\/promises';/);
    assert.match(fixed, /limit\(async \(\) => fetch\(u\)\)/);
    assert.match(fixed, /if \(\+\+iterations % 10 === 0\) await setImmediate\(\);/);
  });

  test('audit: progress on the token, diagnostics for unopened files, Markdown back', async () => {
    const jobsFinding = finding('blocking-cpu/sync-call', { start: { line: 2, character: 2 }, end: { line: 2, character: 20 } }, { kind: 'none' }, other);
    FakeWorkspace.produce = (ws) => [...findingsFor(ws), jobsFinding];
    client.watchProgress('audit-1');
    const mark = client.diagnostics.length;
    const result = (await client.connection.sendRequest(AuditWorkspaceRequest, { workDoneToken: 'audit-1' })) as AuditWorkspaceResult;
    assert.equal(result.findings, 3);
    assert.match(result.markdown, /blocking-cpu\/sync-call/);
    const jobs = await client.nextDiagnostics(pathToUri(other), mark);
    assert.equal(jobs.version, undefined);
    assert.equal((jobs.diagnostics[0].data as { version: unknown }).version, null);
    assert.deepEqual(client.progress.map((p) => p.value.kind), ['begin', 'report', 'end']);
    assert.equal(client.progress[1].value.message, 'Analysed 2 files');
    assert.deepEqual(result.roots.map((r) => [r.root, r.files, r.findings.map((f) => f.ruleId)]), [
      [root, 2, ['unbounded-fanout/promise-all', 'blocking-cpu/data-loop', 'blocking-cpu/sync-call']],
    ]);

    FakeWorkspace.produce = findingsFor;
    const mark2 = client.diagnostics.length;
    await client.connection.sendRequest(AuditWorkspaceRequest, {});
    const cleared = await client.nextDiagnostics(pathToUri(other), mark2);
    assert.deepEqual(cleared.diagnostics, [], 'a file without findings any more is cleared');
  });

  test('an engine failure is logged and answered with nothing; the server keeps serving', async () => {
    FakeWorkspace.produce = () => {
      throw new Error('engine exploded');
    };
    const logs = client.logs.length;
    const result = (await client.connection.sendRequest(AuditWorkspaceRequest, {})) as AuditWorkspaceResult;
    assert.equal(result.findings, 0);
    await client.waitFor(() => client.logs.slice(logs).find((m) => m.includes('engine exploded')), 'the error in the log');
    change(text + '\n');
    await client.waitFor(() => client.logs.slice(logs).filter((m) => m.includes('engine exploded')).length >= 2, 'the second error in the log');
    const actions = await codeActions([{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 'x', source: 'looplens', data: { ruleId: 'r/x', fix: 'garbage', version } }]);
    assert.deepEqual(actions, [], 'malformed diagnostic data is ignored');
    FakeWorkspace.produce = findingsFor;
  });

  test('didClose clears the diagnostics and the state; files outside the folder get their own root', async () => {
    const mark = client.diagnostics.length;
    await client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    const cleared = await client.nextDiagnostics(uri, mark);
    assert.deepEqual(cleared.diagnostics, []);
    assert.deepEqual(await codeActions([], ['source.fixAll']), []);

    const outside = mkdtempSync(`${tmpdir()}/looplens-loose-`).replace(/\\/g, '/');
    try {
      const looseUri = pathToUri(`${outside}/script.js`);
      const mark2 = client.diagnostics.length;
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: looseUri, languageId: 'javascript', version: 1, text: 'run();\n' } });
      await client.nextDiagnostics(looseUri, mark2);
      assert.equal(FakeWorkspace.all.at(-1)?.options.root, outside);
      assert.ok(client.configurationRequests.some((r) => r.items[0]?.scopeUri === pathToUri(outside)));
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
