/**
 * A small LSP test client over a protocol connection: records what the server sends (diagnostics,
 * configuration requests, progress, log messages), answers `workspace/configuration`, and waits for
 * conditions with a deadline (no sleeps: every message re-checks the waiters).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createConnection } from 'vscode-languageserver/node';
import {
  ConfigurationRequest,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  WorkDoneProgress,
  type ConfigurationParams,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { applyEdits } from '../../server/src/engine/fixes/applyEdits';
import { startServer, type StartServerOptions } from '../../server/src/server';
import type { Session } from '../../server/src/session';
import { pathToUri } from '../../server/src/uri';

const REPO = join(import.meta.dirname, '..', '..');
/** The built server the process-level tests run. */
export const SERVER = join(REPO, 'dist', 'server.js');


export class TestClient {
  readonly diagnostics: PublishDiagnosticsParams[] = [];
  readonly configurationRequests: ConfigurationParams[] = [];
  readonly progress: { token: string | number; value: { kind: string; message?: string; percentage?: number } }[] = [];
  readonly logs: string[] = [];
  /** What `workspace/configuration` answers for the `looplens` section, per scope URI (`*`: any). */
  settings: Record<string, unknown> = {};
  private readonly waiters = new Set<() => void>();

  constructor(readonly connection: ProtocolConnection) {
    connection.onNotification(PublishDiagnosticsNotification.type, (p) => this.record(() => this.diagnostics.push(p)));
    connection.onNotification(LogMessageNotification.type, (p) => this.record(() => this.logs.push(p.message)));
    connection.onRequest(ConfigurationRequest.type, (p) => {
      this.record(() => this.configurationRequests.push(p));
      return p.items.map((item) => (item.section === 'looplens' ? (this.settings[item.scopeUri ?? ''] ?? this.settings['*'] ?? null) : null));
    });
    connection.onRequest(RegistrationRequest.type, () => undefined);
  }

  /** Records progress reported on `token`. */
  watchProgress(token: string): void {
    this.connection.onProgress(WorkDoneProgress.type, token, (value) => this.record(() => this.progress.push({ token, value })));
  }

  /**
   * Resolves with the first truthy value of `check()`, re-checked after every message from the server;
   * rejects with `what` after `ms` milliseconds. The default deadline is generous because a cold server loads
   * the TypeScript program (lib and @types/node) before its first diagnostics, which took over 15 s on a
   * 2-core CI machine at load 11; it bounds a hang, it does not time anything.
   */
  waitFor<T>(check: () => T | undefined | false, what: string, ms = 60_000): Promise<T> {
    const first = check();
    if (first) return Promise.resolve(first);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      const waiter = () => {
        const value = check();
        if (!value) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(value);
      };
      this.waiters.add(waiter);
    });
  }

  /** The next diagnostics published for `uri` after `after` publishes (any uri) that satisfy `ok`. */
  nextDiagnostics(uri: string, after: number, ok: (p: PublishDiagnosticsParams) => boolean = () => true): Promise<PublishDiagnosticsParams> {
    return this.waitFor(() => this.diagnostics.slice(after).find((p) => p.uri === uri && ok(p)), `diagnostics for ${uri}`);
  }

  private record(add: () => void): void {
    add();
    for (const w of [...this.waiters]) w();
  }
}

/**
 * Applies a code action's workspace edit to `text`, the client's copy of `uri` at `version`, the way an
 * editor does: a `TextDocumentEdit` stamped with another version is refused (throws `stale edit refused`).
 */
export function applyWorkspaceEdit(edit: WorkspaceEdit | undefined, uri: string, text: string, version: number): string {
  if (!edit) throw new Error('no edit');
  const docEdits = (edit.documentChanges ?? []).filter((c): c is TextDocumentEdit => 'textDocument' in c && c.textDocument.uri === uri);
  for (const change of docEdits) {
    if (change.textDocument.version !== null && change.textDocument.version !== version) throw new Error('stale edit refused');
  }
  const edits = [...docEdits.flatMap((c) => c.edits), ...(edit.changes?.[uri] ?? [])];
  return applyEdits(text, edits.map((e) => ({ range: e.range, newText: 'newText' in e ? e.newText : '' })));
}

/** Diagnostics with this rule id. */
export function withCode(diagnostics: readonly Diagnostic[], code: string): Diagnostic[] {
  return diagnostics.filter((d) => d.code === code);
}

/** Newest modification time (ms) of the files the server bundle is built from. */
function newestSource(): number {
  let newest = 0;
  for (const dir of ['server/src', 'shared']) {
    for (const entry of readdirSync(join(REPO, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  for (const f of ['package.json', 'scripts/build.mjs']) newest = Math.max(newest, statSync(join(REPO, f)).mtimeMs);
  return newest;
}

/** Builds dist/ when dist/server.js is missing or older than a source file. */
export function buildIfStale(): void {
  if (existsSync(SERVER) && statSync(SERVER).mtimeMs >= newestSource()) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8', timeout: 240_000 });
  assert.equal(r.status, 0, `npm run build failed:\n${r.stdout}\n${r.stderr}`);
}

/**
 * A started server on in-memory streams (the real engine unless `options` passes a double; the audit then runs
 * in the worker thread), initialised on the one folder `root` with configuration and work-done progress support,
 * and `settings` as the `looplens` section for every scope. `stop` ends the session (its audit worker) and the
 * connection.
 */
export async function serveFolder(
  root: string,
  options: StartServerOptions = {},
  settings: unknown = { concurrency: { io: 8 }, yieldEvery: 1000 },
): Promise<{ client: TestClient; session: Session; stop: () => void }> {
  const up = new PassThrough();
  const down = new PassThrough();
  const session = startServer(createConnection(new StreamMessageReader(up), new StreamMessageWriter(down)), { debounceMs: 20, ...options });
  const connection = createProtocolConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
  const client = new TestClient(connection);
  client.settings = { '*': settings };
  connection.listen();
  const rootUri = pathToUri(root);
  await connection.sendRequest(InitializeRequest.type, {
    processId: null,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: 'service' }],
    capabilities: { workspace: { configuration: true }, window: { workDoneProgress: true } },
  });
  await connection.sendNotification(InitializedNotification.type, {});
  return {
    client,
    session,
    stop: () => {
      session.dispose();
      connection.dispose();
    },
  };
}
