import type { ExtensionContext, LogOutputChannel } from 'vscode';
import { workspace } from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type DocumentSelector,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

/** The client id: also the settings prefix, so `looplens.trace.server` controls LSP tracing. */
export const CLIENT_ID = 'looplens';

/**
 * The documents the server analyses: TypeScript and JavaScript (with JSX) on disk. `.mjs`/`.cjs`/`.mts`/`.cts`
 * already map to those languages in VS Code; the pattern entry covers them when a user re-associates them.
 */
export const DOCUMENT_SELECTOR: DocumentSelector = [
  { scheme: 'file', language: 'typescript' },
  { scheme: 'file', language: 'typescriptreact' },
  { scheme: 'file', language: 'javascript' },
  { scheme: 'file', language: 'javascriptreact' },
  { scheme: 'file', pattern: '**/*.{mjs,cjs,mts,cts}' },
];

/**
 * Creates (does not start) the language client that runs `dist/server.js` over Node IPC. The debug variant
 * opens an inspector on port 6009 so "Attach to Server" works from a development host.
 */
export function createLanguageClient(context: ExtensionContext, outputChannel: LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  // Project files the server may reload on; the client forwards their changes as workspace/didChangeWatchedFiles.
  const projectFiles = workspace.createFileSystemWatcher('**/{tsconfig*.json,jsconfig*.json,package.json}');
  context.subscriptions.push(projectFiles);
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    diagnosticCollectionName: CLIENT_ID,
    outputChannel,
    // Settings: the server registers for workspace/didChangeConfiguration itself and pulls the `looplens`
    // section (normalised by ./settings#toServerSettings on its side), so no configurationSection here.
    synchronize: { fileEvents: projectFiles },
  };
  return new LanguageClient(CLIENT_ID, 'LoopLens', serverOptions, clientOptions);
}
