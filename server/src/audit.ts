/**
 * `looplens/auditWorkspace`: analyse every root, publish diagnostics for every file with findings (open or
 * not), report `$/progress` on the client's token, and answer with the Markdown report.
 */
import { LSPErrorCodes, ResponseError, type CancellationToken, type Connection } from 'vscode-languageserver';
import type { AuditWorkspaceParams, AuditWorkspaceResult } from '../../shared/protocol';
import type { AnalysisResult } from './engine/types';
import { renderMarkdownReport } from './report/markdown';
import type { WorkspaceEntry } from './workspaces';

/** What the audit needs from the session. */
export interface AuditDeps {
  connection: Connection;
  /** The roots to audit. */
  entries(): WorkspaceEntry[];
  /** Analyses a whole root; undefined when the engine failed (already logged). */
  analyze(entry: WorkspaceEntry, token: CancellationToken): Promise<AnalysisResult | undefined>;
  /** Publishes diagnostics for the analysed files; `published` collects the URIs published to. */
  publish(result: AnalysisResult, published: Set<string>): void;
  /** Called once after every root: clears diagnostics of files published before but not this time. */
  finish(published: Set<string>): void;
}

/**
 * Runs the audit. Progress: `begin` with the number of roots, a `report` after each root with the running
 * file count and percentage, `end` when done (also on failure). Throws a `RequestCancelled` response error when the
 * token is cancelled between roots; a root whose analysis fails is left out of the totals.
 */
export async function runAudit(deps: AuditDeps, params: AuditWorkspaceParams | undefined, token: CancellationToken): Promise<AuditWorkspaceResult> {
  const entries = deps.entries();
  const progress = deps.connection.window.attachWorkDoneProgress(params?.workDoneToken);
  const totals: AuditWorkspaceResult = { markdown: '', files: 0, handlers: 0, findings: 0, skipped: 0 };
  const reports: string[] = [];
  const published = new Set<string>();
  progress.begin('LoopLens audit', 0, `Analysing ${entries.length} ${entries.length === 1 ? 'folder' : 'folders'}`, false);
  try {
    for (const [i, entry] of entries.entries()) {
      if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'LoopLens audit cancelled');
      const result = await deps.analyze(entry, token);
      if (result) {
        deps.publish(result, published);
        totals.files += result.files.length;
        totals.handlers += result.handlers.length;
        totals.findings += result.findings.length;
        totals.skipped += result.skipped.length;
        reports.push(renderMarkdownReport(result, entry.root));
      }
      const percentage = Math.round(((i + 1) / entries.length) * 100);
      progress.report(percentage, `${totals.files} files analysed (${i + 1}/${entries.length} folders)`);
    }
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'LoopLens audit cancelled');
    deps.finish(published);
  } finally {
    progress.done();
  }
  totals.markdown = reports.length ? reports.join('\n') : '# LoopLens audit\n\nNo folder could be analysed.\n';
  return totals;
}
