import type { AnalysisResult } from '../engine/types';
import { renderJson } from './json';
import { renderMarkdownReport } from './markdown';
import { buildSarifLog, type SarifOptions } from './sarif';
import { renderText } from './text';

/** Output formats of the audit report. */
export const FORMATS = ['text', 'json', 'sarif', 'markdown'] as const;
export type ReportFormat = (typeof FORMATS)[number];

/**
 * Renders `result` in `format`, with paths relative to `root` (the audited folder, absolute).
 * `sarif` needs the tool version and optionally line texts for fingerprints. Returns text ending in a newline.
 */
export function renderReport(format: ReportFormat, result: AnalysisResult, root: string, sarif: SarifOptions): string {
  switch (format) {
    case 'text':
      return renderText(result, root);
    case 'json':
      return renderJson(result, root);
    case 'sarif':
      return JSON.stringify(buildSarifLog(result, root, sarif), null, 2) + '\n';
    case 'markdown':
      return renderMarkdownReport(result, root);
  }
}

export { renderJson, renderMarkdownReport, renderText, buildSarifLog };
