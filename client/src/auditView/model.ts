/**
 * The audit view's data, derived from the server's audit result: handlers grouped by event-loop domain
 * (process), with their findings, folders and bound-class counts. Pure: no `vscode` import, so it is unit-tested.
 */
import type { AuditBound, AuditFinding, AuditHandler, AuditRoot, AuditWorkspaceResult } from '../../../shared/protocol';

/** Bound classes in the order the view lists them: the danger first. */
export const BOUND_ORDER: readonly AuditBound[] = ['cpu', 'mixed', 'io', 'threadpool', 'memory', 'none'];

export const BOUND_LABEL: Record<AuditBound, string> = {
  cpu: 'CPU-bound',
  mixed: 'CPU-bound with waits',
  io: 'I/O-bound',
  threadpool: 'thread-pool-bound',
  memory: 'memory-bound',
  none: 'no measurable work',
};

export const FAMILIES = ['blocking-cpu', 'unbounded-fanout', 'mixed-bound', 'looplens'] as const;
export const SEVERITIES = ['error', 'warning', 'info'] as const;

/** A handler row: the handler, where it is shown, and its findings. */
export interface HandlerRow {
  handler: AuditHandler;
  /** Registration file relative to the root (forward slashes). */
  relFile: string;
  /** Folder of the registration file relative to the root (`.` at the top). */
  folder: string;
  findings: AuditFinding[];
}

/** A finding row with its display path and folder. */
export interface FindingRow {
  finding: AuditFinding;
  relFile: string;
  folder: string;
  /** Label of the handler that reaches it, when known. */
  handlerLabel?: string;
}

/** One event-loop domain (process) of one root. */
export interface DomainModel {
  /** The domain as the engine names it (absolute entry path, or `worker:<path>`). */
  id: string;
  /** Shown name: the entry file relative to the root, `worker <file>` for worker threads. */
  name: string;
  root: string;
  handlers: HandlerRow[];
  findings: FindingRow[];
  /** Handlers per bound class. */
  counts: Record<AuditBound, number>;
}

export interface AuditModel {
  domains: DomainModel[];
  /** Findings not reached from any handler, per root. */
  unattached: FindingRow[];
  /** Folders (relative to their root) to filter by, sorted; at most two levels deep. */
  folders: string[];
  totals: { files: number; handlers: number; findings: number; skipped: number; roots: number };
  /** Suggested concurrency limits of fan-out fixes: limit and reason, with how many findings suggest it. */
  limits: { limit: number; reason: string; count: number }[];
}

function relative(root: string, file: string): string {
  return file.startsWith(root + '/') ? file.slice(root.length + 1) : file;
}

/** The folder of a relative path: `.` at the top. */
export function folderOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '.' : rel.slice(0, i);
}

/** A filter entry for a folder: its first two levels (`src/api/v1/x.ts` → `src/api`). */
export function filterFolder(folder: string): string {
  return folder.split('/').slice(0, 2).join('/');
}

function domainName(root: string, domain: string): string {
  if (domain.startsWith('worker:')) return `worker ${relative(root, domain.slice('worker:'.length))}`;
  return relative(root, domain);
}

const severityRank = (s: AuditFinding['severity']) => SEVERITIES.indexOf(s);

/**
 * Builds the view model. Domains are sorted by blocking (CPU-bound or mixed) handlers, most first, then size
 * and name; handlers within a domain by bound class (CPU first), then findings (most first), then file and line.
 */
export function buildModel(result: AuditWorkspaceResult): AuditModel {
  const domains: DomainModel[] = [];
  const unattached: FindingRow[] = [];
  const folders = new Set<string>();
  const limits = new Map<string, { limit: number; reason: string; count: number }>();
  for (const root of result.roots ?? []) addRoot(root);

  function addRoot(root: AuditRoot): void {
    const byDomain = new Map<string, DomainModel>();
    const rowById = new Map<string, { row: HandlerRow; domain: DomainModel }>();
    for (const handler of root.handlers) {
      let domain = byDomain.get(handler.domain);
      if (!domain) {
        domain = { id: handler.domain, name: domainName(root.root, handler.domain), root: root.root, handlers: [], findings: [], counts: { cpu: 0, mixed: 0, io: 0, threadpool: 0, memory: 0, none: 0 } };
        byDomain.set(handler.domain, domain);
      }
      const relFile = relative(root.root, handler.file);
      const row: HandlerRow = { handler, relFile, folder: folderOf(relFile), findings: [] };
      folders.add(filterFolder(row.folder));
      domain.handlers.push(row);
      domain.counts[handler.bound]++;
      rowById.set(handler.id, { row, domain });
    }
    for (const finding of root.findings) {
      const relFile = relative(root.root, finding.file);
      const owner = finding.handlerId ? rowById.get(finding.handlerId) : undefined;
      const row: FindingRow = { finding, relFile, folder: folderOf(relFile), ...(owner ? { handlerLabel: owner.row.handler.label } : {}) };
      folders.add(filterFolder(row.folder));
      if (owner) {
        owner.row.findings.push(finding);
        owner.domain.findings.push(row);
      } else unattached.push(row);
      if (finding.limit !== undefined) {
        const key = `${finding.limit}\0${finding.limitReason ?? ''}`;
        const entry = limits.get(key) ?? { limit: finding.limit, reason: finding.limitReason ?? '', count: 0 };
        entry.count++;
        limits.set(key, entry);
      }
    }
    for (const d of byDomain.values()) {
      d.handlers.sort(
        (a, b) =>
          BOUND_ORDER.indexOf(a.handler.bound) - BOUND_ORDER.indexOf(b.handler.bound) ||
          b.findings.length - a.findings.length ||
          a.relFile.localeCompare(b.relFile) ||
          a.handler.range.start.line - b.handler.range.start.line,
      );
      d.findings.sort(
        (a, b) => severityRank(a.finding.severity) - severityRank(b.finding.severity) || a.relFile.localeCompare(b.relFile) || a.finding.range.start.line - b.finding.range.start.line,
      );
      domains.push(d);
    }
  }

  const blocking = (d: DomainModel) => d.counts.cpu + d.counts.mixed;
  domains.sort((a, b) => blocking(b) - blocking(a) || b.handlers.length - a.handlers.length || a.name.localeCompare(b.name));
  return {
    domains,
    unattached,
    folders: [...folders].sort(),
    totals: { files: result.files, handlers: result.handlers, findings: result.findings, skipped: result.skipped, roots: result.roots?.length ?? 0 },
    limits: [...limits.values()].sort((a, b) => b.count - a.count || a.limit - b.limit),
  };
}
