/**
 * The custom requests between the LoopLens client (extension) and server, declared once. Both sides import
 * this file; it imports nothing from `vscode` or the engine.
 */

/** client → server: analyse every file of every workspace folder and publish diagnostics for all of them. */
export const AuditWorkspaceRequest = 'looplens/auditWorkspace';

export interface AuditWorkspaceParams {
  /** Optional token the client created with `window/workDoneProgress/create`; the server reports on it. */
  workDoneToken?: string | number;
}

export interface AuditWorkspaceResult {
  /** The Markdown report: each handler with route/event, file:line, bound class and findings. */
  markdown: string;
  files: number;
  handlers: number;
  findings: number;
  skipped: number;
}
