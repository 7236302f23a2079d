import type { ExtensionContext, LogOutputChannel } from 'vscode';
import { workspace } from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type DocumentSelector,
  type LanguageClientOptions,
  type Middleware,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { toServerSettings } from './settings';

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
 * Normalises the `looplens` section the server pulls with `workspace/configuration`, so the server always
 * receives a complete, valid settings object (see {@link toServerSettings}).
 */
const middleware: Middleware = {
  workspace: {
    configuration: async (params, token, next) => {
      const result = await next(params, token);
      if (!Array.isArray(result)) return result;
      return result.map((value, i) => (params.items[i]?.section === CLIENT_ID ? toServerSettings(value) : value));
    },
  },
};

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
  const projectFiles = workspace.createFileSystemWatcher('**/{tsconfig.json,jsconfig.json,package.json}');
  context.subscriptions.push(projectFiles);
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    diagnosticCollectionName: CLIENT_ID,
    outputChannel,
    // Sends workspace/didChangeConfiguration when a looplens.* setting changes; the server then re-pulls.
    synchronize: { configurationSection: CLIENT_ID, fileEvents: projectFiles },
    middleware,
  };
  return new LanguageClient(CLIENT_ID, 'LoopLens', serverOptions, clientOptions);
}
