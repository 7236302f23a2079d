import { commands, window, workspace, type ExtensionContext } from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { ExportFormat } from '../../shared/protocol';
import { AuditController } from './audit';
import { createLanguageClient } from './client';
import { installCommandLine } from './installDependency';
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
  const status = new StatusItem(languageClient);
  const audit = new AuditController(languageClient, status);
  context.subscriptions.push(
    output,
    status,
    audit,
    commands.registerCommand('looplens.auditWorkspace', () => audit.run({ interactive: true, reveal: true })),
    commands.registerCommand('looplens.openAuditView', () => audit.openView()),
    commands.registerCommand('looplens.exportAudit', (format?: ExportFormat) => exportAudit(audit, format)),
    commands.registerCommand('looplens.showOutput', () => output.show()),
    commands.registerCommand('looplens.installDependency', installDependency),
  );
  const ready = languageClient.start();
  ready.catch((err: unknown) => {
    output.error(`LoopLens server failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  });
  return { ready };
}

/** `looplens.exportAudit`: asks for the format when the caller (palette) gives none. */
async function exportAudit(audit: AuditController, format?: ExportFormat): Promise<void> {
  const chosen =
    format ??
    (
      await window.showQuickPick(
        [
          { label: 'Markdown', format: 'markdown' as const },
          { label: 'JSON', format: 'json' as const },
          { label: 'SARIF 2.1.0', format: 'sarif' as const },
        ],
        { title: 'Export the LoopLens audit as' },
      )
    )?.format;
  if (chosen) await audit.export(chosen);
}

/** Runs `npm install` for the server's install action in a new terminal; an error message for a malformed argument. */
function installDependency(arg: unknown): void {
  if (!workspace.isTrusted) {
    void window.showErrorMessage('LoopLens: npm install runs package scripts; trust the workspace first.');
    return;
  }
  const run = installCommandLine(arg);
  if (!run) {
    void window.showErrorMessage('LoopLens: cannot install the dependency (the code action sent no valid package or folder).');
    return;
  }
  const terminal = window.createTerminal({ name: 'LoopLens: npm install', cwd: run.cwd });
  terminal.show();
  terminal.sendText(run.commandLine);
}

/** Stops the language server (VS Code waits for the returned promise). */
export async function deactivate(): Promise<void> {
  const running = client;
  client = undefined;
  // stop() rejects when the server never started; there is nothing left to clean up then.
  await running?.stop().catch(() => undefined);
}
