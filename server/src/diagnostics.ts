/**
 * Finding → LSP Diagnostic, and back: the payload a quick fix needs rides on `Diagnostic.data`, stamped with
 * the document version it was computed for, so a code action on a stale diagnostic can be refused.
 */
import { DiagnosticSeverity, type Diagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver';
import { docsUrl } from './engine/rules/registry';
import type { ChainHop, FixData, Finding, Range, Severity } from './engine/types';

/** `Diagnostic.source` of every LoopLens diagnostic. */
export const SOURCE = 'looplens';

/** What `Diagnostic.data` carries. */
export interface DiagnosticData {
  ruleId: string;
  fix: FixData;
  /** The document version the finding was computed for; null for files not open in the editor. */
  version: number | null;
}

const SEVERITY: Record<Exclude<Severity, 'off'>, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/**
 * The diagnostic for a finding: `code` = rule id linking to its docs, `source` = `looplens`, the handler
 * chain and related places as related information (labels as messages), and {@link DiagnosticData}.
 * `uriOf` maps an absolute file path to the URI to report it under.
 */
export function toDiagnostic(finding: Finding, version: number | null, uriOf: (file: string) => string): Diagnostic {
  const hops = [...finding.chain.filter((hop) => !sameLocation(hop, finding)), ...finding.related];
  const relatedInformation: DiagnosticRelatedInformation[] = hops.map((hop) => ({
    location: { uri: uriOf(hop.file), range: hop.range },
    message: hop.label,
  }));
  const data: DiagnosticData = { ruleId: finding.ruleId, fix: finding.fix, version };
  return {
    range: finding.location.range,
    severity: SEVERITY[finding.severity] ?? DiagnosticSeverity.Warning,
    code: finding.ruleId,
    codeDescription: { href: docsUrl(finding.ruleId) },
    source: SOURCE,
    message: finding.message,
    ...(relatedInformation.length ? { relatedInformation } : {}),
    data,
  };
}

function sameLocation(hop: ChainHop, finding: Finding): boolean {
  const a = hop.range;
  const b = finding.location.range;
  return (
    hop.file === finding.location.file &&
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

/**
 * The finding a LoopLens diagnostic sent back by the client stands for (enough for the fix builders:
 * rule, file, range, fix data), or undefined when the diagnostic is not ours or its data is malformed.
 */
export function findingFromDiagnostic(diagnostic: Diagnostic, file: string): { finding: Finding; version: number | null } | undefined {
  if (diagnostic.source !== SOURCE || !isRange(diagnostic.range)) return undefined;
  const data = diagnostic.data as Partial<DiagnosticData> | undefined;
  if (!data || typeof data.ruleId !== 'string' || !isFixData(data.fix)) return undefined;
  if (data.version !== null && typeof data.version !== 'number') return undefined;
  const family = data.ruleId.split('/')[0] as Finding['family'];
  const finding: Finding = {
    ruleId: data.ruleId,
    family,
    severity: 'warning',
    message: typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value,
    location: { file, range: diagnostic.range },
    chain: [],
    related: [],
    fix: data.fix,
  };
  return { finding, version: data.version };
}

function isFixData(fix: unknown): fix is FixData {
  if (typeof fix !== 'object' || fix === null) return false;
  const f = fix as Record<string, unknown>;
  switch (f.kind) {
    case 'none':
      return true;
    case 'limit-fanout':
      return isRange(f.launch) && typeof f.limit === 'number' && typeof f.limitReason === 'string';
    case 'yield-in-loop':
      return isRange(f.loop) && typeof f.inAsyncFunction === 'boolean';
    default:
      return false;
  }
}

function isRange(r: unknown): r is Range {
  const isPos = (p: unknown) =>
    typeof p === 'object' && p !== null && Number.isInteger((p as { line: unknown }).line) && Number.isInteger((p as { character: unknown }).character);
  return typeof r === 'object' && r !== null && isPos((r as Range).start) && isPos((r as Range).end);
}
