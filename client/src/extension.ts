import { commands, window, type ExtensionContext } from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { auditWorkspace } from './audit';
import { createLanguageClient } from './client';
import { ReportView } from './reportView';
import { StatusItem } from './status';

/** What `activate` returns: lets tests wait for the server instead of sleeping. */
export interface LoopLensApi {
  /** Resolves once the language server has started (rejects if it could not start). */
  ready: Promise<void>;
}

let client: LanguageClient | undefined;

/**
 * Starts the LoopLens language server and registers the commands and the status item. No analysis runs here:
 * the server does it all.
 */
export function activate(context: ExtensionContext): LoopLensApi {
  // vscode-languageclient 11 logs through a LogOutputChannel (`{ log: true }`); a plain channel makes start() throw.
  const output = window.createOutputChannel('LoopLens', { log: true });
  const languageClient = createLanguageClient(context, output);
  client = languageClient;
  const report = new ReportView();
  const status = new StatusItem(languageClient);
  context.subscriptions.push(
    output,
    report,
    status,
    commands.registerCommand('looplens.auditWorkspace', () =>
      auditWorkspace({ client: languageClient, report, onBusy: (busy) => status.setBusy(busy) }),
    ),
    commands.registerCommand('looplens.showOutput', () => output.show()),
  );
  const ready = languageClient.start();
  ready.catch((err: unknown) => {
    output.error(`LoopLens server failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  });
  return { ready };
}

/** Stops the language server (VS Code waits for the returned promise). */
export async function deactivate(): Promise<void> {
  const running = client;
  client = undefined;
  // stop() rejects when the server never started; there is nothing left to clean up then.
  await running?.stop().catch(() => undefined);
}
