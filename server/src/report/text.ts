import type { AnalysisResult, Finding } from '../engine/types';
import { groupByFile, sortFindings } from './order';
import { displayPath } from './paths';

/** `n thing` / `n things`. */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}

/** The one-line summary that closes the text report, e.g. `3 problems (1 error, 2 warnings) in 2 files; …`. */
export function summaryLine(result: AnalysisResult): string {
  const count = (s: Finding['severity']) => result.findings.filter((f) => f.severity === s).length;
  const files = new Set(result.findings.map((f) => f.location.file)).size;
  const scope = `${plural(result.files.length, 'file')} analysed, ${plural(result.handlers.length, 'handler')}`;
  const skipped = result.skipped.length > 0 ? `, ${result.skipped.length} skipped` : '';
  if (result.findings.length === 0) return `No problems found (${scope}${skipped}).`;
  const parts = [plural(count('error'), 'error'), plural(count('warning'), 'warning')];
  const info = count('info');
  if (info > 0) parts.push(`${info} info`);
  return `${plural(result.findings.length, 'problem')} (${parts.join(', ')}) in ${plural(files, 'file')} (${scope}${skipped}).`;
}

/**
 * Renders an analysis for a terminal: one line per finding, `file:line:col  severity  message  rule-id`
 * (1-based line and column, paths relative to `base`), files separated by a blank line, then skipped files
 * and a summary line. Returns the text with a trailing newline.
 */
export function renderText(result: AnalysisResult, base: string): string {
  const out: string[] = [];
  for (const [file, findings] of groupByFile(sortFindings(result.findings))) {
    const shown = displayPath(base, file);
    const rows = findings.map((f) => [
      `${shown}:${f.location.range.start.line + 1}:${f.location.range.start.character + 1}`,
      f.severity,
      f.message,
      f.ruleId,
    ]);
    const widths = [0, 1].map((col) => Math.max(...rows.map((r) => r[col]!.length)));
    for (const r of rows) out.push(`${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]}  ${r[3]}`);
    out.push('');
  }
  if (result.skipped.length > 0) {
    out.push('Skipped:');
    for (const s of result.skipped) out.push(`  ${displayPath(base, s.file)}: ${s.reason}`);
    out.push('');
  }
  out.push(summaryLine(result));
  return out.join('\n') + '\n';
}
