import type { AnalysisResult } from '../engine/types';
import { sortFindings } from './order';
import { relativizeResult } from './relativize';
import { toSlash } from './paths';

/** The JSON report's value (see {@link renderJson}), for {@link jsonPieces} to write in pieces. */
export function jsonReport(result: AnalysisResult, root: string): object {
  const rel = relativizeResult({ ...result, findings: sortFindings(result.findings) }, root);
  return { root: toSlash(root), ...rel };
}

/**
 * Renders the analysis as JSON: `{ root, handlers, findings, skipped, files }` — the {@link AnalysisResult}
 * with paths relative to `root` (the audited folder, absolute, forward slashes), findings sorted by location.
 * Ranges stay zero-based as in the engine. Returns pretty-printed JSON with a trailing newline.
 */
export function renderJson(result: AnalysisResult, root: string): string {
  return JSON.stringify(jsonReport(result, root), null, 2) + '\n';
}
