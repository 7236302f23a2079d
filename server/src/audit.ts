/**
 * `looplens/auditWorkspace`: analyse every root, publish diagnostics for every file with findings (open or
 * not), report `$/progress` with file counts on the client's token, and answer with the Markdown report and
 * the handlers and findings the audit view draws. `looplens/exportAudit` renders the last audit with the
 * CLI's report renderers, so an export from the view and `looplens audit --format …` match.
 */
import { posix } from 'node:path';
import { LSPErrorCodes, ResponseError, ErrorCodes, type CancellationToken, type Connection } from 'vscode-languageserver';
import type {
  AuditFinding,
  AuditHandler,
  AuditRoot,
  AuditWorkspaceParams,
  AuditWorkspaceResult,
  ExportAuditParams,
  ExportAuditResult,
  ExportFormat,
} from '../../shared/protocol';
import { mergeResults } from './cli/audit';
import { lineReader } from './cli/lines';
import { VERSION } from './cli/version';
import type { AnalysisStep } from './engine/steps';
import type { AnalysisResult, Finding, Handler } from './engine/types';
import { renderReport } from './report';
import { renderMarkdownReport } from './report/markdown';
import { plural } from './report/text';
import type { WorkspaceEntry } from './workspaces';

/** What the audit needs from the session. */
export interface AuditDeps {
  connection: Connection;
  /** The roots to audit. */
  entries(): WorkspaceEntry[];
  /**
   * Analyses a whole root, calling `onStep` as it goes; undefined when the engine failed (already logged) or
   * the token was cancelled. Throws a response error that fails the whole audit when the analysis cannot go
   * on at all (the audit worker died).
   */
  analyze(entry: WorkspaceEntry, token: CancellationToken, onStep: (step: AnalysisStep) => void): Promise<AnalysisResult | undefined>;
  /** Publishes diagnostics for the analysed files; `published` collects the URIs published to. */
  publish(result: AnalysisResult, published: Set<string>): void;
  /** Called once after every root: clears diagnostics of files published before but not this time. */
  finish(published: Set<string>): void;
}

/** One root's analysis as the last audit left it (what {@link renderAuditExport} renders). */
export interface AuditedRoot {
  root: string;
  result: AnalysisResult;
}

/** Least time between two `$/progress` reports, in milliseconds: the engine reports every ~5 ms slice. */
const PROGRESS_EVERY_MS = 100;
/** Evidence items sent per handler: the view lists them in a tooltip. */
const MAX_EVIDENCE = 20;

/** Share of a root's progress bar each phase ends at (parsing is quick per file; following handlers is the bulk). */
const PHASE_END: Record<AnalysisStep['phase'], [number, number]> = { parse: [0, 0.3], discover: [0.3, 0.4], handlers: [0.4, 1] };

/** The progress message for a step, e.g. `Analysed 120/530 files (40/301 handlers)`. */
export function stepMessage(step: AnalysisStep): string {
  switch (step.phase) {
    case 'parse':
      return `Reading ${step.filesDone}/${step.files} files`;
    case 'discover':
      return `Finding handlers in ${step.filesDone}/${step.files} files`;
    case 'handlers':
      return `Analysed ${step.filesDone}/${step.files} files (${step.handlersDone ?? 0}/${step.handlers ?? 0} handlers)`;
  }
}

function stepFraction(step: AnalysisStep): number {
  const [from, to] = PHASE_END[step.phase];
  const done = step.phase === 'handlers' && step.handlers ? (step.handlersDone ?? 0) / step.handlers : step.files ? step.filesDone / step.files : 1;
  return from + (to - from) * done;
}

const cancelled = () => new ResponseError(LSPErrorCodes.RequestCancelled, 'LoopLens audit cancelled');

/**
 * Runs the audit. Progress: `begin`, then at most every {@link PROGRESS_EVERY_MS} a `report` with the phase's
 * file counts and a percentage over all roots, `end` when done (also on failure or cancellation). Throws a
 * `RequestCancelled` response error as soon as `deps.analyze` gives up on the cancelled token (the server's
 * worker is terminated at once; an in-process engine checks the token between files and handlers); a root
 * whose analysis fails is left out. `onAudited` receives the analysed roots.
 */
export async function runAudit(
  deps: AuditDeps,
  params: AuditWorkspaceParams | undefined,
  token: CancellationToken,
  onAudited: (roots: AuditedRoot[]) => void = () => undefined,
): Promise<AuditWorkspaceResult> {
  const entries = deps.entries();
  const progress = deps.connection.window.attachWorkDoneProgress(params?.workDoneToken);
  const totals: AuditWorkspaceResult = { markdown: '', files: 0, handlers: 0, findings: 0, skipped: 0, roots: [] };
  const reports: string[] = [];
  const audited: AuditedRoot[] = [];
  const published = new Set<string>();
  progress.begin('LoopLens audit', 0, `Analysing ${entries.length} ${entries.length === 1 ? 'folder' : 'folders'}`, false);
  try {
    for (const [i, entry] of entries.entries()) {
      if (token.isCancellationRequested) throw cancelled();
      let lastReport = 0;
      const prefix = entries.length > 1 ? `${posix.basename(entry.root)} (${i + 1}/${entries.length}): ` : '';
      const result = await deps.analyze(entry, token, (step) => {
        const now = performance.now();
        if (now - lastReport < PROGRESS_EVERY_MS) return;
        lastReport = now;
        progress.report(Math.round(((i + stepFraction(step)) / entries.length) * 100), prefix + stepMessage(step));
      });
      if (token.isCancellationRequested) throw cancelled();
      if (result) {
        deps.publish(result, published);
        totals.files += result.files.length;
        totals.handlers += result.handlers.length;
        totals.findings += result.findings.length;
        totals.skipped += result.skipped.length;
        totals.roots.push(toAuditRoot(entry.root, result));
        reports.push(renderMarkdownReport(result, entry.root));
        audited.push({ root: entry.root, result });
      }
      progress.report(Math.round(((i + 1) / entries.length) * 100), `${prefix}Analysed ${plural(result?.files.length ?? 0, 'file')}`);
    }
    deps.finish(published);
  } finally {
    progress.done();
  }
  onAudited(audited);
  totals.markdown = reports.length ? reports.join('\n') : '# LoopLens audit\n\nNo folder could be analysed.\n';
  return totals;
}

/** The view's copy of one root's analysis: absolute paths, handler evidence trimmed to {@link MAX_EVIDENCE}. */
export function toAuditRoot(root: string, result: AnalysisResult): AuditRoot {
  const handler = (h: Handler): AuditHandler => ({
    id: h.id,
    kind: h.kind,
    label: h.label,
    file: h.registration.file,
    range: h.registration.range,
    domain: h.domain,
    bound: h.bound,
    evidence: h.bounds.slice(0, MAX_EVIDENCE).map((b) => {
      const at = b.chain[b.chain.length - 1] ?? h.registration;
      return { bound: b.bound, reason: b.reason, file: at.file, line: at.range.start.line };
    }),
  });
  const finding = (f: Finding): AuditFinding => ({
    ruleId: f.ruleId,
    family: f.family,
    severity: f.severity,
    message: f.message,
    file: f.location.file,
    range: f.location.range,
    ...(f.handler ? { handlerId: f.handler.id } : {}),
    ...(f.fix.kind === 'limit-fanout' ? { limit: f.fix.limit, limitReason: f.fix.limitReason } : {}),
  });
  return { root, files: result.files.length, skipped: result.skipped.length, handlers: result.handlers.map(handler), findings: result.findings.map(finding) };
}

const EXPORT_FORMATS: readonly unknown[] = ['markdown', 'json', 'sarif'] satisfies ExportFormat[];

/** The deepest folder containing every path (absolute, forward slashes). */
function commonFolder(paths: readonly string[]): string {
  const split = paths.map((p) => p.split('/'));
  const first = split[0] ?? [];
  let n = 0;
  while (n < first.length && split.every((s) => s[n] === first[n])) n++;
  return first.slice(0, n).join('/') || '/';
}

/**
 * Renders the last audit in `format` with the CLI's renderers (`renderReport`): one root is rendered against
 * itself, several are merged and rendered against their common folder, as the CLI does for several paths.
 * Throws an `InvalidRequest` response error when no audit has run yet.
 */
export function renderAuditExport(roots: readonly AuditedRoot[], params: ExportAuditParams): ExportAuditResult {
  if (!EXPORT_FORMATS.includes(params?.format)) throw new ResponseError(ErrorCodes.InvalidParams, `Unknown export format: ${String(params?.format)}`);
  if (roots.length === 0) throw new ResponseError(ErrorCodes.InvalidRequest, 'No audit to export yet: run "LoopLens: Audit Workspace" first.');
  const base = roots.length === 1 ? roots[0]!.root : commonFolder(roots.map((r) => r.root));
  const result = roots.length === 1 ? roots[0]!.result : mergeResults(roots.map((r) => r.result));
  return { base, content: renderReport(params.format, result, base, { toolVersion: VERSION, lineText: lineReader() }) };
}
