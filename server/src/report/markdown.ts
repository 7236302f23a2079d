import type { AnalysisResult, Finding, Handler, Location } from '../engine/types';
import { compareLocations, groupByFile, sortFindings } from './order';
import { displayPath } from './paths';
import { summaryLine } from './text';

/**
 * Engine text (messages, labels, paths) as inline Markdown: kept as written, since messages put code in code
 * spans on purpose (where escapes would show literally), but on one line.
 */
function inline(text: string): string {
  return text.replace(/\r?\n/g, ' ');
}

/** {@link inline} text for a table cell, where a pipe would end the cell even inside a code span. */
function cell(text: string): string {
  return inline(text).replace(/\|/g, '\\|');
}

/** The bound class, with the classes it is made of when it is `mixed`: `mixed (cpu + io)`. */
function boundCell(h: Handler): string {
  if (h.bound !== 'mixed') return h.bound;
  const parts = (['cpu', 'io', 'threadpool', 'memory'] as const).filter((b) => h.bounds.some((e) => e.bound === b));
  return `mixed (${parts.join(' + ')})`;
}

/**
 * Renders an analysis as a Markdown report: a summary, a table of handlers (route or event, kind,
 * `file:line` of the registration, bound class, rule ids of its findings), the findings grouped per file with
 * the chain from handler to construct, and skipped files. Paths are relative to `root` (absolute); lines are
 * 1-based. Used by the CLI (`--format markdown`) and the editor's audit command.
 */
export function renderMarkdownReport(result: AnalysisResult, root: string): string {
  const where = (l: Location) => `${displayPath(root, l.file)}:${l.range.start.line + 1}`;
  const findings = sortFindings(result.findings);
  const out = ['# LoopLens audit', '', summaryLine(result), ''];

  if (result.handlers.length > 0) {
    out.push('## Handlers', '', '| Handler | Kind | Registered at | Bound | Findings |', '| --- | --- | --- | --- | --- |');
    const byHandler = (h: Handler) => findings.filter((f) => f.handler?.id === h.id).map((f) => `\`${f.ruleId}\``);
    const handlers = [...result.handlers].sort((a, b) => compareLocations(a.registration, b.registration));
    for (const h of handlers) {
      const ids = byHandler(h);
      out.push(`| ${cell(h.label)} | ${h.kind} | \`${cell(where(h.registration))}\` | ${boundCell(h)} | ${ids.length ? ids.join(', ') : '—'} |`);
    }
    out.push('');
  }

  if (findings.length > 0) {
    out.push('## Findings', '');
    for (const [file, list] of groupByFile(findings)) {
      out.push(`### ${inline(displayPath(root, file))}`, '');
      for (const f of list) out.push(...findingItem(f, where));
      out.push('');
    }
  }

  if (result.skipped.length > 0) {
    out.push('## Skipped files', '');
    for (const s of result.skipped) out.push(`- \`${inline(displayPath(root, s.file))}\`: ${inline(s.reason)}`);
    out.push('');
  }
  return out.join('\n');
}

/** One finding as a list item, with its handler and chain as nested items. */
function findingItem(f: Finding, where: (l: Location) => string): string[] {
  const { line, character } = f.location.range.start;
  const lines = [`- **${f.severity}** \`${f.ruleId}\` at line ${line + 1}, column ${character + 1}: ${inline(f.message)}`];
  if (f.handler) lines.push(`  - handler: ${inline(f.handler.label)} (\`${inline(where(f.handler.registration))}\`)`);
  if (f.chain.length > 1) lines.push(`  - path: ${f.chain.map((h) => `${inline(h.label)} (\`${inline(where(h))}\`)`).join(' → ')}`);
  for (const r of f.related) lines.push(`  - related: ${inline(r.label)} (\`${inline(where(r))}\`)`);
  return lines;
}
