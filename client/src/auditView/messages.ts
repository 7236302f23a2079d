/** The messages the audit view's script posts (see ./html), checked before use. Pure: no `vscode` import. */
import type { AuditRange, ExportFormat } from '../../../shared/protocol';

/** A message from the webview's script (see ./html); anything else is ignored. */
export type ViewMessage = { type: 'open'; file: string; range: AuditRange } | { type: 'refresh' } | { type: 'export'; format: ExportFormat };

const isPosition = (p: unknown): p is { line: number; character: number } =>
  !!p && typeof p === 'object' && Number.isInteger((p as { line: unknown }).line) && Number.isInteger((p as { character: unknown }).character);

/** Validates a message from the webview: its content is not trusted (the page renders workspace text). */
export function parseViewMessage(m: unknown): ViewMessage | undefined {
  if (!m || typeof m !== 'object') return undefined;
  const msg = m as Record<string, unknown>;
  if (msg.type === 'refresh') return { type: 'refresh' };
  if (msg.type === 'export' && (msg.format === 'markdown' || msg.format === 'json' || msg.format === 'sarif')) return { type: 'export', format: msg.format };
  if (msg.type === 'open' && typeof msg.file === 'string') {
    const range = msg.range as { start?: unknown; end?: unknown } | undefined;
    if (range && isPosition(range.start) && isPosition(range.end)) return { type: 'open', file: msg.file, range: { start: range.start, end: range.end } };
  }
  return undefined;
}

