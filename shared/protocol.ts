/**
 * The custom requests between the LoopLens client (extension) and server, declared once. Both sides import
 * this file; it imports nothing from `vscode` or the engine (the audit shapes below are plain copies of the
 * engine's, with absolute forward-slash paths and zero-based LSP ranges).
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
  /** What the audit view shows: one entry per analysed root (workspace folder). */
  roots: AuditRoot[];
}

/** How a handler spends its time (the engine's `BoundClass`): `mixed` is CPU evidence plus I/O or thread-pool waits. */
export type AuditBound = 'cpu' | 'mixed' | 'io' | 'threadpool' | 'memory' | 'none';

/** A zero-based, half-open range, as in LSP. */
export interface AuditRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/** One analysed root. */
export interface AuditRoot {
  /** Absolute forward-slash path of the folder. */
  root: string;
  /** Files analysed and skipped. */
  files: number;
  skipped: number;
  handlers: AuditHandler[];
  findings: AuditFinding[];
}

/** A handler: a function that runs on the event loop when a request, event, job or timer arrives. */
export interface AuditHandler {
  /** Unique within its root: `file:line:character` of the registration. */
  id: string;
  /** Framework or event source: `express`, `koa`, `listener`, `timer` … */
  kind: string;
  /** Route or event: `POST /export`, `socket 'data'`, `setInterval`. */
  label: string;
  /** Where it is registered: absolute file and range. */
  file: string;
  range: AuditRange;
  /** The event-loop domain (process) it runs in: an entry file's absolute path, or `worker:<path>`. */
  domain: string;
  /** The dominant bound class. */
  bound: AuditBound;
  /** Why: each piece of evidence with the place it is (at most 20 per handler). */
  evidence: { bound: AuditBound; reason: string; file: string; line: number }[];
}

/** A finding, reduced to what the view shows. */
export interface AuditFinding {
  ruleId: string;
  /** `blocking-cpu` | `unbounded-fanout` | `mixed-bound` | `looplens`. */
  family: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  file: string;
  range: AuditRange;
  /** Id of the handler that reaches it, when there is one. */
  handlerId?: string;
  /** The fan-out fix's suggested concurrency limit and where that number comes from. */
  limit?: number;
  limitReason?: string;
}

/** client → server: render the last audit as a report, with the same renderers as the CLI's `--format`. */
export const ExportAuditRequest = 'looplens/exportAudit';

/** Formats the audit view exports. */
export type ExportFormat = 'markdown' | 'json' | 'sarif';

export interface ExportAuditParams {
  format: ExportFormat;
}

export interface ExportAuditResult {
  /** The report text (ends with a newline). */
  content: string;
  /** The folder paths in the report are relative to (absolute, forward slashes). */
  base: string;
}
