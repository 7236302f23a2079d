import { writeFileSync } from 'node:fs';
import { applyEdits, offsetAt } from '../engine/fixes/applyEdits';
import type { CodeFix, Finding, TextEdit } from '../engine/types';

/** Planned `--fix` changes: the new text of each changed file and what was applied or skipped. */
export interface FixPlan {
  /** Absolute file → its full new text. */
  files: Map<string, string>;
  /** Fixes whose edits all went in. */
  applied: CodeFix[];
  /** Preferred fixes left out because an edit overlapped one already taken, or a file could not be read. */
  skipped: CodeFix[];
}

interface Span {
  start: number;
  end: number;
  newText: string;
}

/**
 * Two edits conflict when their ranges overlap or they start at the same offset (then their order would be
 * a guess), unless they are the same edit: fixes that add the same import share it.
 */
function conflicts(a: Span, b: Span): boolean {
  return !identical(a, b) && (a.start === b.start || (a.start < b.end && b.start < a.end));
}

function identical(a: Span, b: Span): boolean {
  return a.start === b.start && a.end === b.end && a.newText === b.newText;
}

/**
 * Chooses the fixes to apply: for each finding its preferred fix (`isPreferred`), in finding order, taken
 * whole or not at all — a fix with an edit conflicting with an edit already taken is skipped (the next
 * `--fix` run gets it). All edits are computed on the texts as they are now; each file's edits are then
 * applied together. `readText` returns an absolute file's current text and may throw (the fixes touching
 * that file are skipped). Pure: writes nothing.
 */
export function planFixes(
  findings: readonly Finding[],
  readText: (file: string) => string,
  fixesFor: (finding: Finding, text: string) => CodeFix[],
): FixPlan {
  const texts = new Map<string, string | undefined>();
  const text = (file: string) => {
    if (!texts.has(file)) {
      try {
        texts.set(file, readText(file));
      } catch {
        texts.set(file, undefined);
      }
    }
    return texts.get(file);
  };
  const taken = new Map<string, { edit: TextEdit; span: Span }[]>();
  const applied: CodeFix[] = [];
  const skipped: CodeFix[] = [];

  for (const finding of findings) {
    const source = text(finding.location.file);
    if (source === undefined) continue;
    const fix = fixesFor(finding, source).find((f) => f.isPreferred);
    if (!fix || fix.edits.length === 0) continue;
    const spans: { edit: TextEdit; span: Span }[] = [];
    for (const edit of fix.edits) {
      const t = text(edit.file);
      if (t === undefined) break;
      spans.push({ edit, span: spanOf(t, edit) });
    }
    const clash = (s: { edit: TextEdit; span: Span }, i: number) =>
      (taken.get(s.edit.file) ?? []).some((t) => conflicts(t.span, s.span)) ||
      spans.slice(0, i).some((o) => o.edit.file === s.edit.file && conflicts(o.span, s.span));
    if (spans.length < fix.edits.length || spans.some(clash)) {
      skipped.push(fix);
      continue;
    }
    for (const s of spans) {
      const list = taken.get(s.edit.file) ?? [];
      if (!list.some((t) => identical(t.span, s.span))) list.push(s);
      taken.set(s.edit.file, list);
    }
    applied.push(fix);
  }

  const files = new Map<string, string>();
  for (const [file, edits] of taken) files.set(file, applyEdits(text(file)!, edits.map((e) => e.edit)));
  return { files, applied, skipped };
}

function spanOf(text: string, edit: TextEdit): Span {
  return { start: offsetAt(text, edit.range.start), end: offsetAt(text, edit.range.end), newText: edit.newText };
}

/** Writes each planned file once. Throws the file system's error when a file cannot be written. */
export function writeFixes(plan: FixPlan): void {
  for (const [file, text] of plan.files) writeFileSync(file, text);
}
