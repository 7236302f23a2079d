import type { Position, TextEdit } from '../types';

/** Converts a zero-based line/character position to an offset in `text`. Clamps past-the-end positions. */
export function offsetAt(text: string, pos: Position): number {
  let line = 0;
  let offset = 0;
  while (line < pos.line) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
    line++;
  }
  const lineEnd = text.indexOf('\n', offset);
  const max = lineEnd < 0 ? text.length : lineEnd;
  return Math.min(offset + pos.character, max);
}

/**
 * Applies edits to one file's text. Edits must not overlap; they are applied from the end so earlier
 * offsets stay valid. Throws `Error('overlapping edits')` when two edits overlap.
 */
export function applyEdits(text: string, edits: readonly Pick<TextEdit, 'range' | 'newText'>[]): string {
  const spans = edits
    .map((e) => ({ start: offsetAt(text, e.range.start), end: offsetAt(text, e.range.end), newText: e.newText }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  let lastStart = Infinity;
  for (const s of spans) {
    if (s.end > lastStart) throw new Error('overlapping edits');
    out = out.slice(0, s.start) + s.newText + out.slice(s.end);
    lastStart = s.start;
  }
  return out;
}
