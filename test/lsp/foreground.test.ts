/**
 * An edit holds the folder's load (engine/steps.ts `foreground`) only until its first answer: the session lets go
 * before the full analysis, which may itself wait for that load (after a reload there is no first look). Over
 * in-memory streams with an engine double whose analysis waits until the test lets it end.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { createConnection } from 'vscode-languageserver/node';
import { DidOpenTextDocumentNotification, InitializedNotification, InitializeRequest } from 'vscode-languageserver-protocol';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { resolveSettings, type EngineSettings } from '../../server/src/engine/settings';
import { foreground } from '../../server/src/engine/steps';
import type { AnalysisResult } from '../../server/src/engine/types';
import type { WorkspaceOptions } from '../../server/src/engine/workspace';
import { startServer } from '../../server/src/server';
import { pathToUri } from '../../server/src/uri';
import { TestClient } from './client';

const EMPTY: AnalysisResult = { handlers: [], findings: [], skipped: [], files: [] };

/** An engine with no first look whose analysis waits, as after a reload while the folder loads again. */
class LoadingWorkspace {
  static started = 0;
  static finish: (() => void) | undefined;
  settings: EngineSettings;
  constructor(readonly options: WorkspaceOptions) {
    this.settings = resolveSettings(options.settings);
  }
  setOverlay(): void {}
  updateSettings(s: Partial<EngineSettings>): void {
    this.settings = resolveSettings(s);
  }
  analyze(): AnalysisResult {
    return EMPTY;
  }
  analyzeAsync(): Promise<AnalysisResult> {
    LoadingWorkspace.started++;
    return new Promise((resolve) => (LoadingWorkspace.finish = () => resolve(EMPTY)));
  }
}

const root = mkdtempSync(`${tmpdir()}/looplens-foreground-`).replace(/\\/g, '/');
const uri = pathToUri(`${root}/src/app.ts`);

describe('the hold an edit puts on the load', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  it('is let go before the full analysis, which may wait for the load', async () => {
    const up = new PassThrough();
    const down = new PassThrough();
    startServer(createConnection(new StreamMessageReader(up), new StreamMessageWriter(down)), { createWorkspace: (o) => new LoadingWorkspace(o) });
    const connection = createProtocolConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
    const client = new TestClient(connection);
    connection.listen();
    try {
      await connection.sendRequest(InitializeRequest.type, { processId: null, rootUri: pathToUri(root), workspaceFolders: [{ uri: pathToUri(root), name: 'app' }], capabilities: {} });
      await connection.sendNotification(InitializedNotification.type, {});
      await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version: 1, text: 'export {};\n' } });
      // The server sends nothing before the analysis starts: poll (bounded, times nothing).
      for (let i = 0; i < 1_000 && LoadingWorkspace.started === 0; i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(LoadingWorkspace.started, 1, 'the full analysis is under way');
      assert.equal(foreground.held, false, 'the load is not held while the analysis waits for it');
      LoadingWorkspace.finish!();
      await client.waitFor(() => client.diagnostics.find((d) => d.uri === uri), 'diagnostics for app.ts', 5_000);
      assert.equal(foreground.held, false);
    } finally {
      connection.dispose();
    }
  });
});
