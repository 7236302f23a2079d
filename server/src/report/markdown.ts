import type { AnalysisResult } from '../engine/types';

/**
 * Renders an analysis as a Markdown report: each handler with route/event, file:line, bound class and
 * findings, then the findings. Paths are shown relative to `root`. Used by the CLI and the editor's audit.
 * (Minimal version; the report module's owner extends it.)
 */
export function renderMarkdownReport(result: AnalysisResult, root: string): string {
  const rel = (f: string) => (f.startsWith(root + '/') ? f.slice(root.length + 1) : f);
  const lines = ['# LoopLens audit', '', `${result.files.length} files, ${result.handlers.length} handlers, ${result.findings.length} findings`, ''];
  for (const f of result.findings) {
    lines.push(`- \`${f.ruleId}\` ${rel(f.location.file)}:${f.location.range.start.line + 1} — ${f.message}`);
  }
  return lines.join('\n') + '\n';
}
