/**
 * The REAL built server (`dist/server.js --stdio`) as a child process, driven over JSON-RPC like an editor
 * would: initialize with a temp copy of test/lsp/fixtures/fanout-service → didOpen → diagnostics → hover on
 * the handler → quick fix → versioned edit → didChange (the old diagnostic is now stale) → audit with progress → shutdown/exit.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CodeActionRequest,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  ShutdownRequest,
  type CodeAction,
  type Diagnostic,
  type Hover,
  type InitializeResult,
  type MarkupContent,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { AuditWorkspaceRequest, type AuditWorkspaceResult } from '../../shared/protocol';
import { pathToUri } from '../../server/src/uri';
import { rangeOf, SERIAL_LOOP } from '../fixes/helpers';
import { applyWorkspaceEdit, buildIfStale, SERVER, TestClient, withCode } from './client';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'fanout-service');
const RULE = 'unbounded-fanout/promise-all';

describe('dist/server.js over stdio', () => {
  let child: ChildProcessWithoutNullStreams;
  let client: TestClient;
  let stderr = '';
  let root: string;
  let uri: string;
  let text: string;
  let init: InitializeResult;
  let first: PublishDiagnosticsParams;
  const exited = () => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));

  before(async () => {
    buildIfStale();
    root = mkdtempSync(join(tmpdir(), 'looplens-server-')).replace(/\\/g, '/');
    cpSync(FIXTURE, root, { recursive: true });
    uri = pathToUri(`${root}/src/app.ts`);
    text = readFileSync(`${root}/src/app.ts`, 'utf8');
    child = spawn(process.execPath, [SERVER, '--stdio'], { cwd: root });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    client = new TestClient(connection);
    client.settings = { '*': { concurrency: { io: 8 }, yieldEvery: 1000 } };
    connection.listen();
    init = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToUri(root),
      workspaceFolders: [{ uri: pathToUri(root), name: 'fanout-service' }],
      capabilities: { workspace: { configuration: true, workspaceEdit: { documentChanges: true } } },
    });
    await connection.sendNotification(InitializedNotification.type, {});
  });

  after(() => {
    client?.connection.dispose();
    if (child && child.exitCode === null) child.kill();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('initialize answers the capabilities', () => {
    assert.equal(init.serverInfo?.name, 'looplens');
    assert.deepEqual(init.capabilities.codeActionProvider, { codeActionKinds: ['quickfix', 'source.fixAll.looplens', 'refactor.rewrite'], resolveProvider: false });
    assert.equal(init.capabilities.hoverProvider, true);
  });

  test('didOpen publishes diagnostics for version 1', async () => {
    const mark = client.diagnostics.length;
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version: 1, text } });
    first = await client.nextDiagnostics(uri, mark);
    assert.equal(first.version, 1, stderr);
  });

  test('a fan-out in an Express handler is unbounded-fanout/promise-all', () => {
    const [d] = withCode(first.diagnostics, RULE);
    assert.ok(d, `no ${RULE} among ${JSON.stringify(first.diagnostics.map((x) => x.code))}`);
    assert.equal(d.source, 'looplens');
    assert.match(d.codeDescription?.href ?? '', /docs\/rules\/unbounded-fanout\/promise-all\.md$/);
    assert.equal((d.data as { version: number }).version, 1);
    assert.match(typeof d.message === 'string' ? d.message : d.message.value, /POST \/avatars\/refresh/);
  });

  test('hovering the route registration shows the handler, its bound class, evidence and domain', async () => {
    const registration = rangeOf(text, "app.post('/avatars/refresh'");
    const hover = (await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri },
      position: { line: registration.start.line, character: registration.start.character + 2 },
    })) as Hover | null;
    assert.ok(hover, `no hover; server log: ${client.logs.join('\n')}`);
    const md = (hover.contents as MarkupContent).value;
    assert.match(md, /^\*\*POST \/avatars\/refresh\*\* · Express route$/m, md);
    assert.match(md, /^Bound: \*\*`io`\*\*/m, md);
    assert.match(md, /^- `io` .*\[src\/app\.ts:8\]\(file:\/\/.*#L8\)$/m, md);
    assert.match(md, /^Event-loop domain: `app\.ts`$/m, md);
  });

  test('the quick fix wraps the callback with p-limit; the fixed text has no finding', async () => {
    const diagnostics = withCode(first.diagnostics, RULE);
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: diagnostics[0].range,
      context: { diagnostics },
    })) as CodeAction[];
    const wrap = actions.find((a) => a.isPreferred);
    assert.equal(wrap?.title, 'Limit to 8 concurrent calls with p-limit (looplens.concurrency.io setting)');
    const fixed = applyWorkspaceEdit(wrap.edit, uri, text, 1);
    assert.equal(
      fixed,
      text
        .replace("import express from 'express';\n", "import express from 'express';\nimport pLimit from 'p-limit';\n\nconst limit = pLimit(8);\n")
        .replace('items.map(async (i) => fetch(i))', 'items.map((i) => limit(async () => fetch(i)))'),
    );

    const mark = client.diagnostics.length;
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: text.split('\n').length, character: 0 } }, text: fixed }],
    });
    const second = await client.nextDiagnostics(uri, mark, (p) => p.version === 2);
    assert.deepEqual(withCode(second.diagnostics, RULE), []);
    text = fixed;
  });

  test('after didChange, the version-1 diagnostic is stale: no fix for it, and its edits are refused', async () => {
    const ask = (d: Diagnostic) =>
      client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } }) as Promise<CodeAction[]>;
    const [stale] = withCode(first.diagnostics, RULE);
    assert.deepEqual(await ask(stale), []);
    const range = rangeOf(text, 'Promise.all');
    const current = await ask({ ...stale, range, data: { ruleId: RULE, fix: { kind: 'none' }, version: 2 } });
    const disable = current.find((a) => a.title === `Disable ${RULE} for this line`);
    assert.ok(disable, 'a diagnostic of the current version gets its fixes');
    assert.throws(() => applyWorkspaceEdit(disable.edit, uri, text, 1), /stale edit refused/);
  });

  test('looplens/auditWorkspace reports progress and returns the Markdown report', async () => {
    client.watchProgress('audit');
    const result = (await client.connection.sendRequest(AuditWorkspaceRequest, { workDoneToken: 'audit' })) as AuditWorkspaceResult;
    assert.equal(result.files, 1);
    assert.match(result.markdown, /LoopLens/);
    await client.waitFor(() => client.progress.some((p) => p.value.kind === 'end'), 'progress end');
    const kinds = client.progress.map((p) => p.value.kind);
    assert.deepEqual([kinds[0], kinds.at(-1)], ['begin', 'end']);
    assert.ok(kinds.slice(1, -1).every((k) => k === 'report') && kinds.length >= 3, kinds.join(' '));
    assert.equal(client.progress.at(-2)?.value.message, 'Analysed 1 file');
    assert.deepEqual(result.roots[0]?.handlers.map((h) => [h.label, h.bound]), [['POST /avatars/refresh', 'io']]);
  });

  test('a serial for…of awaiting each item is offered refactor.rewrite actions at the cursor, without a diagnostic, sized by what it reaches', async () => {
    const jobsUri = pathToUri(`${root}/src/jobs.ts`);
    const jobs = SERIAL_LOOP;
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: jobsUri, languageId: 'typescript', version: 1, text: jobs } });
    const cursor = rangeOf(jobs, 'unlink(p)').start;
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: jobsUri },
      range: { start: cursor, end: cursor },
      context: { diagnostics: [], only: ['refactor'] },
    })) as CodeAction[];
    assert.deepEqual(actions.map((a) => [a.kind, a.title, a.isPreferred]), [
      ['refactor.rewrite', 'Run 4 iterations at a time with p-map (libuv threadpool: UV_THREADPOOL_SIZE default 4)', true],
      ['refactor.rewrite', 'Run iterations in chunks of 4, no dependency (libuv threadpool: UV_THREADPOOL_SIZE default 4)', false],
    ]);
    assert.equal(
      applyWorkspaceEdit(actions[0]!.edit, jobsUri, jobs, 1),
      jobs.replace("';\n", "';\nimport pMap from 'p-map';\n").replace('  for (const p of paths) {', '  await pMap(paths, async (p) => {').replace('  }\n}', '  }, { concurrency: 4 });\n}'),
    );
    const quick = (await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: jobsUri }, range: { start: cursor, end: cursor }, context: { diagnostics: [], only: ['quickfix'] } })) as CodeAction[];
    assert.deepEqual(quick, [], 'not a quick fix');
  });

  test('shutdown then exit ends the process with code 0', async () => {
    await client.connection.sendRequest(ShutdownRequest.type);
    const code = exited();
    await client.connection.sendNotification(ExitNotification.type);
    assert.equal(await code, 0, stderr);
  });
});
