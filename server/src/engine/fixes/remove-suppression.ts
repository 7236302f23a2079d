/**
 * `looplens.remove-suppression`: deletes a suppression comment that silences nothing
 * (`looplens/unused-suppression`). A comment alone on its lines goes with its lines; a comment after code
 * goes with the blanks before it. Not preferred: `--fix` and fix-all never delete a comment someone wrote.
 */
import type { CodeFix, Finding } from '../types';
import { offsetAt } from './applyEdits';
import { findDirectives } from '../suppress';
import { editAt, lineStartAt, type FixSource } from './source';

export const REMOVE_SUPPRESSION = 'looplens.remove-suppression';

/**
 * The removal fix for an unused-suppression finding, or undefined when its range no longer holds a
 * suppression comment (the text changed since the analysis).
 */
export function removeSuppressionFix(finding: Finding, src: FixSource): CodeFix | undefined {
  const start = offsetAt(src.text, finding.location.range.start);
  const end = offsetAt(src.text, finding.location.range.end);
  const directive = findDirectives(src.sf).find((d) => offsetAt(src.text, d.range.start) === start && offsetAt(src.text, d.range.end) === end);
  if (!directive) return undefined;
  const lineStart = lineStartAt(src.text, start);
  const nl = src.text.indexOf('\n', end);
  const lineEnd = nl < 0 ? src.text.length : nl + 1;
  const aloneBefore = /^[ \t]*$/.test(src.text.slice(lineStart, start));
  const aloneAfter = /^[ \t]*\r?\n?$/.test(src.text.slice(end, lineEnd));
  let from = start;
  let to = end;
  if (aloneBefore && aloneAfter) {
    from = lineStart;
    to = lineEnd;
  } else if (aloneAfter) {
    while (from > lineStart && /[ \t]/.test(src.text[from - 1]!)) from--;
  } else {
    while (to < src.text.length && /[ \t]/.test(src.text[to]!)) to++;
  }
  return {
    fixId: REMOVE_SUPPRESSION,
    title: `Remove unused ${directive.text.split(' ')[0]} comment`,
    edits: [editAt(src, from, to, '')],
    isPreferred: false,
  };
}
