/**
 * The LoopLens language server: capabilities and wiring only. `startServer` takes any connection (stdio,
 * IPC, or in-memory streams in tests); the behaviour lives in {@link Session}.
 */
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import pkg from '../../package.json';
import { AuditWorkspaceRequest, ExportAuditRequest, type AuditWorkspaceParams, type ExportAuditParams } from '../../shared/protocol';
import { FIX_ALL_KIND } from './codeActions';
import { Session, type SessionOptions } from './session';

export type StartServerOptions = SessionOptions;

/**
 * Registers every handler on `connection` and starts listening. Returns the session (tests inspect it).
 * The connection must not be listening yet.
 */
export function startServer(connection: Connection, options: StartServerOptions = {}): Session {
  const documents = new TextDocuments(TextDocument);
  const session = new Session(connection, documents, options);
  let dynamicConfiguration = false;

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    session.support.configuration = caps.workspace?.configuration === true;
    session.support.versionedEdits = caps.workspace?.workspaceEdit?.documentChanges === true;
    dynamicConfiguration = caps.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    const folders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: '' }] : []);
    for (const folder of folders) session.workspaces.addFolder(folder.uri);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND, CodeActionKind.RefactorRewrite], resolveProvider: false },
        hoverProvider: true,
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'looplens', version: pkg.version },
    };
  });

  connection.onInitialized(() => {
    if (dynamicConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'looplens' });
    try {
      connection.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const f of e.removed) session.workspaces.removeFolder(f.uri);
        for (const f of e.added) session.workspaces.addFolder(f.uri);
        session.refreshAll();
      });
    } catch {
      // The client does not send folder changes; the folders from initialize stay.
    }
  });

  documents.onDidChangeContent((e) => session.changed(e.document));
  documents.onDidClose((e) => session.closed(e.document));
  connection.onDidChangeConfiguration(() => session.configurationChanged());
  connection.onDidChangeWatchedFiles((e) => session.watchedFilesChanged(e.changes.map((c) => c.uri)));
  connection.onCodeAction((params) => session.codeActions(params));
  connection.onHover((params) => session.hover(params));
  connection.onRequest(AuditWorkspaceRequest, (params: AuditWorkspaceParams | undefined, token) => session.audit(params, token));
  connection.onRequest(ExportAuditRequest, (params: ExportAuditParams) => session.exportAudit(params));
  connection.onShutdown(() => session.dispose());

  documents.listen(connection);
  connection.listen();
  return session;
}
