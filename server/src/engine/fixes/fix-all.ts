/**
 * Fix-all for one file: applies the preferred fix of each finding in turn, each computed on the text the
 * previous ones produced, so later fixes see earlier ones (a second p-limit wrap reuses the limiter and
 * import the first added; a second yield counter in the same function gets a free name). The result is
 * expressed as edits against the original text, as `source.fixAll` and `--fix` need.
 */
import type { EngineSettings } from '../settings';
import type { BlockingFixData, CodeFix, FixData, Finding, Range, TextEdit } from '../types';
import { offsetAt } from './applyEdits';
import { fixesFor } from './index';
import { positionAt } from './source';

/** What fix-all would do to one file. */
export interface FixAllPlan {
  /** The file's text after every applied fix. */
  text: string;
  /** Non-overlapping edits, sorted, against the ORIGINAL text; applying them gives `text`. */
  edits: TextEdit[];
  /** The preferred fixes that went in, in the order they were applied. */
  applied: CodeFix[];
  /** Findings with a preferred fix that could not be placed because an earlier fix rewrote their range. */
  skipped: Finding[];
}

/** An edit in original-text offsets. */
interface Span {
  start: number;
  end: number;
  newText: string;
}

/**
 * Plans fix-all for `file` (absolute path) whose current text is `text`. Findings in other files are
 * ignored; findings are taken in document order. Pure; throws only on internal errors.
 */
export function planFixAll(file: string, text: string, findings: readonly Finding[], settings: EngineSettings): FixAllPlan {
  const ordered = findings
    .filter((f) => f.location.file === file)
    .map((f) => ({ f, at: offsetAt(text, f.location.range.start) }))
    .sort((a, b) => a.at - b.at)
    .map((x) => x.f);
  let spans: Span[] = [];
  let current = text;
  const applied: CodeFix[] = [];
  const skipped: Finding[] = [];
  for (const finding of ordered) {
    const mapped = mapFinding(finding, (r) => mapRange(spans, text, current, r));
    if (!mapped) {
      if (fixesFor(finding, text, settings).some((f) => f.isPreferred)) skipped.push(finding);
      continue;
    }
    const fix = fixesFor(mapped, current, settings).find((f) => f.isPreferred && !f.disabled && !f.creates?.length);
    if (!fix) continue;
    const edits = fix.edits
      .filter((e) => e.file === file)
      .map((e) => ({ start: offsetAt(current, e.range.start), end: offsetAt(current, e.range.end), newText: e.newText }))
      .sort((a, b) => b.start - a.start);
    for (const e of edits) {
      spans = compose(spans, current, e);
      current = current.slice(0, e.start) + e.newText + current.slice(e.end);
    }
    applied.push(fix);
  }
  const edits = spans.map((s) => ({
    file,
    range: { start: positionAt(text, s.start), end: positionAt(text, s.end) },
    newText: s.newText,
  }));
  return { text: current, edits, applied, skipped };
}

/** The finding with every range moved into the current text, or undefined when one cannot be moved. */
function mapFinding(finding: Finding, map: (r: Range) => Range | undefined): Finding | undefined {
  const range = map(finding.location.range);
  if (!range) return undefined;
  let fix: FixData = finding.fix;
  if (fix.kind === 'limit-fanout') {
    const launch = map(fix.launch);
    if (!launch) return undefined;
    fix = { ...fix, launch };
  } else if (fix.kind === 'yield-in-loop') {
    const loop = map(fix.loop);
    if (!loop) return undefined;
    fix = { ...fix, loop };
  }
  return { ...finding, location: { ...finding.location, range }, fix: { ...fix, ...mapBlocking(fix, map) } };
}

/**
 * The blocking-cpu parts of fix data moved into the current text; a part with a range that cannot be moved is
 * left out (so its fix is not offered). The worker offload is never preferred and is always left out.
 */
function mapBlocking(fix: FixData, map: (r: Range) => Range | undefined): BlockingFixData {
  const out: BlockingFixData = { swap: undefined, conversion: undefined, offload: undefined };
  if (fix.swap) {
    const call = map(fix.swap.call);
    if (call) out.swap = { ...fix.swap, call };
  }
  if (fix.conversion) {
    const fn = map(fix.conversion.fn);
    const calls = (fix.conversion.calls ?? []).map(map);
    if (fn && calls.every((c) => c)) out.conversion = { ...fix.conversion, fn, calls: calls as Range[] };
  }
  return out;
}

function mapRange(spans: readonly Span[], original: string, current: string, r: Range): Range | undefined {
  const start = mapOffset(spans, offsetAt(original, r.start), 'start');
  const end = mapOffset(spans, offsetAt(original, r.end), 'end');
  if (start === undefined || end === undefined || end < start) return undefined;
  return { start: positionAt(current, start), end: positionAt(current, end) };
}

/**
 * Moves an original offset into the current text. Text inserted exactly at a range's start goes before
 * the range; text inserted exactly at its end goes after. Undefined when the offset was replaced.
 */
function mapOffset(spans: readonly Span[], offset: number, side: 'start' | 'end'): number | undefined {
  let shift = 0;
  for (const s of spans) {
    const delta = s.newText.length - (s.end - s.start);
    if (s.end < offset) shift += delta;
    else if (s.start > offset) break;
    else if (s.start === s.end) shift += side === 'start' ? delta : 0; // insertion exactly at the offset
    else if (s.end === offset) shift += delta;
    else if (s.start === offset) break;
    else return undefined;
  }
  return offset + shift;
}

/** Adds `edit` (current-text offsets) to `spans` (original-text offsets), merging spans it touches. */
function compose(spans: readonly Span[], current: string, edit: Span): Span[] {
  let shift = 0;
  const placed = spans.map((s) => {
    const curStart = s.start + shift;
    shift += s.newText.length - (s.end - s.start);
    return { s, curStart, curEnd: curStart + s.newText.length };
  });
  const touched = placed.filter((p) => p.curStart <= edit.end && p.curEnd >= edit.start);
  const before = placed.filter((p) => p.curEnd < edit.start && !touched.includes(p));
  const shiftBefore = before.reduce((sum, p) => sum + p.s.newText.length - (p.s.end - p.s.start), 0);
  const shiftTouched = touched.reduce((sum, p) => sum + p.s.newText.length - (p.s.end - p.s.start), 0);
  const first = touched[0];
  const last = touched[touched.length - 1];
  const curStart = first ? Math.min(first.curStart, edit.start) : edit.start;
  const curEnd = last ? Math.max(last.curEnd, edit.end) : edit.end;
  const origStart = first && first.curStart <= edit.start ? first.s.start : edit.start - shiftBefore;
  const origEnd = last && last.curEnd >= edit.end ? last.s.end : edit.end - shiftBefore - shiftTouched;
  const merged: Span = {
    start: origStart,
    end: origEnd,
    newText: current.slice(curStart, edit.start) + edit.newText + current.slice(edit.end, curEnd),
  };
  return [...spans.filter((s) => !touched.some((t) => t.s === s)), merged].sort((a, b) => a.start - b.start || a.end - b.end);
}
