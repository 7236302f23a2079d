import { randomUUID } from 'node:crypto';
import { ProgressLocation, commands, window } from 'vscode';
import { WorkDoneProgress, type LanguageClient } from 'vscode-languageclient/node';
import { AuditWorkspaceRequest, type AuditWorkspaceParams, type AuditWorkspaceResult } from '../../shared/protocol';
import { progressAdapter } from './progress';
import type { ReportView } from './reportView';

/** What {@link auditWorkspace} needs from the rest of the extension. */
export interface AuditDeps {
  client: LanguageClient;
  report: ReportView;
  /** Called with `true` when the audit starts and `false` when it ends (status item). */
  onBusy(busy: boolean): void;
}

/**
 * The `looplens.auditWorkspace` command: asks the server to analyse every workspace file inside a cancellable
 * notification that shows the server's `$/progress`, then opens the Markdown report; the server publishes the
 * diagnostics to the Problems panel itself. Resolves to the server's result (so tests can check it), or
 * `undefined` when the user cancelled or the request failed (the error is shown and logged).
 */
export async function auditWorkspace(deps: AuditDeps): Promise<AuditWorkspaceResult | undefined> {
  const { client, report } = deps;
  deps.onBusy(true);
  try {
    const result = await window.withProgress(
      { location: ProgressLocation.Notification, title: 'LoopLens: auditing workspace', cancellable: true },
      async (progress, token) => {
        const workDoneToken = `looplens-audit-${randomUUID()}`;
        const adapt = progressAdapter();
        const listener = client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => progress.report(adapt(value)));
        try {
          const params: AuditWorkspaceParams = { workDoneToken };
          return await client.sendRequest<AuditWorkspaceResult>(AuditWorkspaceRequest, params, token).catch((err: unknown) => {
            if (token.isCancellationRequested) return undefined;
            throw err;
          });
        } finally {
          listener.dispose();
        }
      },
    );
    if (!result) {
      client.info('Audit cancelled.');
      return undefined;
    }
    client.info(`Audit: ${result.files} files, ${result.handlers} handlers, ${result.findings} findings, ${result.skipped} skipped.`);
    await report.show(result.markdown);
    void announce(result);
    return result;
  } catch (err) {
    client.error('Audit failed', err, false);
    void window.showErrorMessage(`LoopLens: the audit failed: ${err instanceof Error ? err.message : String(err)}`, 'Show Output').then(
      (choice) => choice && client.outputChannel.show(),
    );
    return undefined;
  } finally {
    deps.onBusy(false);
  }
}

/** A non-blocking summary with a shortcut to the Problems panel. */
async function announce(result: AuditWorkspaceResult): Promise<void> {
  const summary = `LoopLens: ${result.findings} finding${result.findings === 1 ? '' : 's'} in ${result.files} files (${result.handlers} handlers).`;
  if (result.findings === 0) {
    await window.showInformationMessage(summary);
    return;
  }
  if ((await window.showInformationMessage(summary, 'Open Problems')) === 'Open Problems') {
    await commands.executeCommand('workbench.actions.view.problems');
  }
}
