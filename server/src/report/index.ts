import type { AnalysisResult } from '../engine/types';
import { jsonReport, renderJson } from './json';
import { renderMarkdownReport } from './markdown';
import { buildSarifLog, type SarifOptions } from './sarif';
import { renderText } from './text';
import { jsonPieces } from './pieces';

/** Output formats of the audit report. */
export const FORMATS = ['text', 'json', 'sarif', 'markdown'] as const;
export type ReportFormat = (typeof FORMATS)[number];

/**
 * Renders `result` in `format`, with paths relative to `root` (the audited folder, absolute).
 * `sarif` needs the tool version and optionally line texts for fingerprints. Returns text ending in a newline.
 */
export function renderReport(format: ReportFormat, result: AnalysisResult, root: string, sarif: SarifOptions): string {
  return [...reportPieces(format, result, root, sarif)].join('');
}

/**
 * {@link renderReport}'s text as pieces (./pieces.ts): the JSON and SARIF reports a finding or so at a time, for
 * a report written to a stream or a file without being held whole; text and Markdown in one piece.
 */
export function* reportPieces(format: ReportFormat, result: AnalysisResult, root: string, sarif: SarifOptions): Generator<string> {
  switch (format) {
    case 'text':
      yield renderText(result, root);
      return;
    case 'json':
      yield* jsonPieces(jsonReport(result, root));
      yield '\n';
      return;
    case 'sarif':
      yield* jsonPieces(buildSarifLog(result, root, sarif));
      yield '\n';
      return;
    case 'markdown':
      yield renderMarkdownReport(result, root);
  }
}

export { renderJson, renderMarkdownReport, renderText, buildSarifLog };
export { writePieces } from './pieces';
