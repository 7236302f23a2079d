import { randomUUID } from 'node:crypto';
import { CancellationTokenSource, ProgressLocation, Uri, commands, window, workspace, type CancellationToken, type Disposable } from 'vscode';
import { WorkDoneProgress, type LanguageClient } from 'vscode-languageclient/node';
import {
  AuditWorkspaceRequest,
  ExportAuditRequest,
  type AuditWorkspaceParams,
  type AuditWorkspaceResult,
  type ExportAuditParams,
  type ExportAuditResult,
  type ExportFormat,
} from '../../shared/protocol';
import { AuditPanel } from './auditView/panel';
import { progressAdapter } from './progress';

/** What the audit reports to the status item: running (with the server's progress message) or idle. */
export interface AuditStatus {
  setBusy(busy: boolean, message?: string): void;
}

/** Quiet period after the last save before the open view re-runs the audit, in milliseconds. */
const REFRESH_AFTER_SAVE_MS = 1500;
const SCRIPT = /\.(c|m)?[jt]sx?$/i;

const EXPORTS: Record<ExportFormat, { extension: string; filter: string }> = {
  markdown: { extension: 'md', filter: 'Markdown' },
  json: { extension: 'json', filter: 'JSON' },
  sarif: { extension: 'sarif', filter: 'SARIF' },
};

/**
 * Runs workspace audits and owns the audit view. `run` from the command shows a cancellable notification
 * with the server's `$/progress` ("Analysed 120/530 files") and opens the view; while the view is open, a
 * save of a TypeScript/JavaScript file (or a file created or deleted) re-runs the audit quietly after
 * {@link REFRESH_AFTER_SAVE_MS}, with progress in the status bar. A new audit cancels the running one.
 */
export class AuditController implements Disposable {
  readonly panel: AuditPanel;
  private running: CancellationTokenSource | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly subscriptions: Disposable[] = [];

  constructor(
    private readonly client: LanguageClient,
    private readonly status: AuditStatus,
  ) {
    this.panel = new AuditPanel({ refresh: () => void this.run({ interactive: true, reveal: false }), export: (format) => void this.export(format) });
    const watcher = workspace.createFileSystemWatcher('**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}', false, true, false);
    this.subscriptions.push(
      watcher,
      watcher.onDidCreate((uri) => this.changed(uri)),
      watcher.onDidDelete((uri) => this.changed(uri)),
      workspace.onDidSaveTextDocument((doc) => this.changed(doc.uri)),
    );
  }

  /** The `looplens.openAuditView` command: shows the last audit, or runs one when there is none yet. */
  async openView(): Promise<AuditWorkspaceResult | undefined> {
    if (this.panel.current) {
      this.panel.show();
      return this.panel.current;
    }
    return this.run({ interactive: true, reveal: true });
  }

  /**
   * Audits the workspace. Resolves to the server's result (tests check it), or `undefined` when cancelled
   * (by the user or a newer audit) or failed (shown and logged when `interactive`).
   */
  async run(options: { interactive: boolean; reveal: boolean }): Promise<AuditWorkspaceResult | undefined> {
    this.running?.cancel();
    const source = new CancellationTokenSource();
    this.running = source;
    this.status.setBusy(true);
    this.panel.setBusy(true);
    try {
      const result = options.interactive
        ? await window.withProgress({ location: ProgressLocation.Notification, title: 'LoopLens: auditing workspace', cancellable: true }, (progress, token) => {
            token.onCancellationRequested(() => source.cancel());
            return this.request(source.token, (step) => progress.report(step));
          })
        : await this.request(source.token, () => undefined);
      if (!result) {
        this.client.info('Audit cancelled.');
        return undefined;
      }
      this.client.info(`Audit: ${result.files} files, ${result.handlers} handlers, ${result.findings} findings, ${result.skipped} skipped.`);
      if (options.reveal || this.panel.isOpen) this.panel.show(result, !options.reveal);
      return result;
    } catch (err) {
      this.client.error('Audit failed', err, false);
      if (options.interactive) {
        void window
          .showErrorMessage(`LoopLens: the audit failed: ${err instanceof Error ? err.message : String(err)}`, 'Show Output')
          .then((choice) => choice && this.client.outputChannel.show());
      }
      return undefined;
    } finally {
      if (this.running === source) {
        this.running = undefined;
        this.status.setBusy(false);
        this.panel.setBusy(false);
      }
      source.dispose();
    }
  }

  /** Sends the audit request with a work-done token; undefined when the token was cancelled. */
  private async request(token: CancellationToken, report: (step: { message?: string; increment?: number }) => void): Promise<AuditWorkspaceResult | undefined> {
    const workDoneToken = `looplens-audit-${randomUUID()}`;
    const adapt = progressAdapter();
    const listener = this.client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
      const step = adapt(value);
      report(step);
      if (value.kind !== 'end' && step.message) this.status.setBusy(true, step.message);
    });
    try {
      const params: AuditWorkspaceParams = { workDoneToken };
      return await this.client.sendRequest<AuditWorkspaceResult>(AuditWorkspaceRequest, params, token).catch((err: unknown) => {
        if (token.isCancellationRequested) return undefined;
        throw err;
      });
    } finally {
      listener.dispose();
    }
  }

  /** Asks the server to render the last audit in `format` (the CLI's renderers), then saves it where the user picks. */
  async export(format: ExportFormat): Promise<Uri | undefined> {
    try {
      const params: ExportAuditParams = { format };
      const out = await this.client.sendRequest<ExportAuditResult>(ExportAuditRequest, params);
      const { extension, filter } = EXPORTS[format];
      const target = await window.showSaveDialog({
        defaultUri: Uri.file(`${out.base}/looplens-audit.${extension}`),
        filters: { [filter]: [extension] },
        saveLabel: `Export ${filter}`,
        title: `Export the LoopLens audit as ${filter}`,
      });
      if (!target) return undefined;
      await workspace.fs.writeFile(target, Buffer.from(out.content, 'utf8'));
      void window.showInformationMessage(`LoopLens: audit exported to ${workspace.asRelativePath(target)}.`, 'Open').then(
        (choice) => choice && commands.executeCommand('vscode.open', target),
      );
      return target;
    } catch (err) {
      this.client.error('Export failed', err, false);
      void window.showErrorMessage(`LoopLens: the export failed: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  /** A script changed on disk: re-run the audit shortly if the view is open. */
  private changed(uri: Uri): void {
    if (!this.panel.isOpen || uri.scheme !== 'file' || !SCRIPT.test(uri.path)) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.run({ interactive: false, reveal: false }), REFRESH_AFTER_SAVE_MS);
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.running?.cancel();
    for (const s of this.subscriptions) s.dispose();
    this.panel.dispose();
  }
}
