import type { ExtensionContext, LogOutputChannel } from 'vscode';
import { Uri, workspace } from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type DocumentSelector,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { explicitSettings } from './explicitSettings';
import { createErrorHandler } from './errorHandler';

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
  // Project and config files the server reloads on; the client forwards their changes as
  // workspace/didChangeWatchedFiles.
  const projectFiles = workspace.createFileSystemWatcher('**/{tsconfig*.json,jsconfig*.json,package.json,.looplensrc.json,.looplensrc,looplens.config.json}');
  // Source files created or deleted outside the editor (a checkout, a code generator): the server adds them to
  // or removes them from its loaded programs. Content changes of open files arrive as didChange instead.
  const sourceFiles = workspace.createFileSystemWatcher('**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}', false, true, false);
  context.subscriptions.push(projectFiles, sourceFiles);
  // The server's setting keys (section-relative), from the manifest so they are declared once.
  const properties = (context.extension.packageJSON as { contributes: { configuration: { properties: Record<string, unknown> } } }).contributes.configuration.properties;
  const keys = Object.keys(properties)
    .filter((k) => k !== `${CLIENT_ID}.trace.server`)
    .map((k) => k.slice(CLIENT_ID.length + 1));
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    diagnosticCollectionName: CLIENT_ID,
    outputChannel,
    // Settings: the server registers for workspace/didChangeConfiguration itself and pulls the `looplens`
    // section, so no configurationSection here. It gets only the keys the user set (./explicitSettings.ts):
    // defaults and the config file are applied on the server's side.
    synchronize: { fileEvents: [projectFiles, sourceFiles] },
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) return answers;
          return params.items.map((item, i) => {
            if (item.section !== CLIENT_ID) return answers[i];
            const config = workspace.getConfiguration(CLIENT_ID, item.scopeUri ? Uri.parse(item.scopeUri) : undefined);
            return explicitSettings(keys, (key) => config.inspect(key));
          });
        },
      },
    },
    errorHandler: createErrorHandler({ log: (message) => outputChannel.error(message) }),
  };
  return new LanguageClient(CLIENT_ID, 'LoopLens', serverOptions, clientOptions);
}
