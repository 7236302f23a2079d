/**
 * `looplens.disable-next-line`: silences one finding with a comment on the line above it, indented like
 * that line, leaving a placeholder for the reason:
 *
 *   // looplens-disable-next-line blocking-cpu/sync-call -- TODO: say why this is safe here
 *   const hash = crypto.pbkdf2Sync(password, salt, 100_000, 64, 'sha512');
 */
import { ts } from 'ts-morph';
import type { CodeFix, Finding } from '../types';
import { offsetAt } from './applyEdits';
import { EditBuilder, eolOf, lineIndentAt, lineStartAt, type FixSource } from './source';

export const DISABLE_NEXT_LINE = 'looplens.disable-next-line';

/** The comment directive; the engine honours `// looplens-disable-next-line <ruleId>`. */
export const DISABLE_DIRECTIVE = 'looplens-disable-next-line';

/** What the inserted comment says after `--` until the user writes the real reason. */
export const DISABLE_REASON_PLACEHOLDER = 'TODO: say why this is safe here';

/**
 * The disable-comment fix for any finding. Undefined only when the finding's line starts inside a
 * multi-line string or template literal or JSX text, where a `//` line would change the program.
 */
export function disableNextLineFix(finding: Finding, src: FixSource): CodeFix | undefined {
  const start = offsetAt(src.text, finding.location.range.start);
  const lineStart = lineStartAt(src.text, start);
  if (insideText(src, lineStart)) return undefined;
  const indent = lineIndentAt(src.text, start);
  const comment = `${indent}// ${DISABLE_DIRECTIVE} ${finding.ruleId} -- ${DISABLE_REASON_PLACEHOLDER}${eolOf(src.text)}`;
  return {
    fixId: DISABLE_NEXT_LINE,
    title: `Disable ${finding.ruleId} for this line`,
    edits: new EditBuilder(src).insert(lineStart, comment).build(),
    isPreferred: false,
  };
}

/** True when `offset` lies strictly inside a string, template or JSX text token. */
function insideText(src: FixSource, offset: number): boolean {
  let inside = false;
  const visit = (n: ts.Node): void => {
    if (inside || n.getStart(src.sf) >= offset || n.end <= offset) return;
    if (ts.isStringLiteralLike(n) || ts.isTemplateLiteralToken(n) || ts.isJsxText(n)) inside = true;
    else n.forEachChild(visit);
  };
  src.sf.forEachChild(visit);
  return inside;
}
