/**
 * The audit in its worker thread (server/src/auditRunner.ts, auditWorker.ts), through the real server over
 * in-memory streams: a Cancel while the project loads answers RequestCancelled and ends progress for good; the
 * next audit (a fresh worker) finds what an uncancelled audit finds, as does one more on the kept worker; and a
 * worker that dies fails the audit with a logged error while the server keeps answering.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CancellationTokenSource, ErrorCodes, LSPErrorCodes, ResponseError } from 'vscode-languageserver-protocol';
import { AuditWorkspaceRequest, ExportAuditRequest, type AuditWorkspaceResult } from '../../shared/protocol';
import { pathToUri } from '../../server/src/uri';
import { serveFolder, type TestClient } from './client';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'fanout-service');

function copyFixture(): string {
  const root = mkdtempSync(join(tmpdir(), 'looplens-audit-worker-')).replace(/\\/g, '/');
  cpSync(FIXTURE, root, { recursive: true });
  return root;
}

/** The progress values reported on `token`, in order. */
const progressOf = (client: TestClient, token: string) => client.progress.filter((p) => p.token === token).map((p) => p.value);

describe('audit worker: cancel, then audit again', () => {
  let root: string;
  let server: Awaited<ReturnType<typeof serveFolder>>;
  let reference: AuditWorkspaceResult;

  before(async () => {
    root = copyFixture();
    // The uncancelled audit to compare with, from a server of its own.
    const fresh = await serveFolder(root);
    try {
      reference = (await fresh.client.connection.sendRequest(AuditWorkspaceRequest, {})) as AuditWorkspaceResult;
    } finally {
      fresh.stop();
    }
    server = await serveFolder(root);
  });

  after(() => {
    server.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('Cancel while the project loads: RequestCancelled, the worker stops, and no $/progress after end', async () => {
    const { client } = server;
    client.watchProgress('load');
    const source = new CancellationTokenSource();
    const pending = client.connection.sendRequest(AuditWorkspaceRequest, { workDoneToken: 'load' }, source.token);
    const outcome = pending.then(
      () => 'finished' as const,
      (err: unknown) => err,
    );
    await client.waitFor(() => progressOf(client, 'load').some((v) => v.kind === 'report' && /^Reading \d+\/\d+ files$/.test(v.message ?? '')), 'a report of the parse phase', 60_000);
    source.cancel();
    const err = await outcome;
    assert.ok(err instanceof ResponseError && err.code === LSPErrorCodes.RequestCancelled, String(err));
    await client.waitFor(() => client.logs.some((l) => l.startsWith('LoopLens: audit worker stopped (audit cancelled)')), 'the worker stopped');
    const values = progressOf(client, 'load');
    assert.equal(values.at(-1)!.kind, 'end', 'end is the last progress value');
    assert.equal(values.filter((v) => v.kind === 'end').length, 1);
    const reports = values.filter((v) => v.kind === 'report').map((v) => v.message);
    assert.ok(reports.every((m) => /^Reading \d+\/\d+ files$/.test(m ?? '')), `stopped before discovery: ${reports.join(' | ')}`);
  });

  test('the next audit (a new worker) and one more (the kept worker) find what an uncancelled audit finds', async () => {
    const { client } = server;
    const again = (await client.connection.sendRequest(AuditWorkspaceRequest, {})) as AuditWorkspaceResult;
    assert.deepEqual(again, reference);
    assert.ok(reference.findings > 0 && reference.roots[0]!.findings.some((f) => f.ruleId === 'unbounded-fanout/promise-all'));
    const started = client.logs.filter((l) => l === 'LoopLens: audit worker started').length;
    const third = (await client.connection.sendRequest(AuditWorkspaceRequest, {})) as AuditWorkspaceResult;
    assert.deepEqual(third, reference);
    assert.equal(client.logs.filter((l) => l === 'LoopLens: audit worker started').length, started, 'the third audit reused the worker');
    const uri = pathToUri(`${root}/src/app.ts`);
    const published = client.diagnostics.filter((d) => d.uri === uri).at(-1);
    assert.ok(published?.diagnostics.some((d) => d.code === 'unbounded-fanout/promise-all'), 'the audit published the file it analysed in the worker');
  });
});

describe('audit worker: a worker that dies', () => {
  let root: string;
  let server: Awaited<ReturnType<typeof serveFolder>>;

  before(async () => {
    root = copyFixture();
    // A heap far too small for the TypeScript compiler: the worker runs out of memory as it starts, as one
    // would on a project too large for the machine.
    server = await serveFolder(root, { auditWorker: { resourceLimits: { maxOldGenerationSizeMb: 4, maxYoungGenerationSizeMb: 1 } } });
  });

  after(() => {
    server.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('fails the audit with a logged error; the server keeps answering, and the editor path still works', async () => {
    const { client } = server;
    client.watchProgress('dies');
    await assert.rejects(client.connection.sendRequest(AuditWorkspaceRequest, { workDoneToken: 'dies' }), (err: ResponseError<unknown>) => {
      assert.equal(err.code, ErrorCodes.InternalError);
      assert.match(err.message, new RegExp(`^LoopLens audit of ${root} failed: the audit worker stopped: `));
      return true;
    });
    assert.ok(client.logs.some((l) => l.startsWith(`LoopLens: analysis of ${root} failed: AuditWorkerError: the audit worker stopped`)), client.logs.join('\n'));
    await client.waitFor(() => progressOf(client, 'dies').some((v) => v.kind === 'end'), 'progress end');
    // A second audit fails the same way rather than hanging on the dead worker.
    await assert.rejects(client.connection.sendRequest(AuditWorkspaceRequest, {}), (err: ResponseError<unknown>) => err.code === ErrorCodes.InternalError);
    // The server is alive: an export is refused for want of an audit, and an opened file is analysed on the main thread.
    await assert.rejects(client.connection.sendRequest(ExportAuditRequest, { format: 'json' }), (err: ResponseError<unknown>) => err.code === ErrorCodes.InvalidRequest);
    const uri = pathToUri(`${root}/src/app.ts`);
    const before = client.diagnostics.length;
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: readFileSync(`${root}/src/app.ts`, 'utf8') } });
    // A generous deadline: on a loaded machine the cold analysis can take longer than waitFor's default 15 s.
    const published = await client.waitFor(() => client.diagnostics.slice(before).find((p) => p.uri === uri && p.diagnostics.length > 0), `diagnostics for ${uri}`, 120_000);
    assert.ok(published.diagnostics.some((d) => d.code === 'unbounded-fanout/promise-all'));
    // Now that the editor has the root's program loaded, the audit runs on it here and needs no worker.
    const started = client.logs.filter((l) => l === 'LoopLens: audit worker started').length;
    const audit = (await client.connection.sendRequest(AuditWorkspaceRequest, {})) as AuditWorkspaceResult;
    assert.ok(audit.roots[0]!.findings.some((f) => f.ruleId === 'unbounded-fanout/promise-all'), JSON.stringify(audit.roots[0]?.findings.map((f) => f.ruleId)));
    assert.equal(client.logs.filter((l) => l === 'LoopLens: audit worker started').length, started, 'no worker started for a loaded root');
    // Closing the file keeps the root's program loaded on this thread: still no worker (it would die here).
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    const closed = (await client.connection.sendRequest(AuditWorkspaceRequest, {})) as AuditWorkspaceResult;
    assert.deepEqual(closed.roots[0]!.findings, audit.roots[0]!.findings);
    assert.equal(client.logs.filter((l) => l === 'LoopLens: audit worker started').length, started, 'no worker started after the file closed');
  });
});
