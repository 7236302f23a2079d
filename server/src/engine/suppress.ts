/**
 * Suppression comments, in `//` or `/* *\/` form, the directive first in the comment:
 *
 *   // looplens-disable-next-line <rule>[, <rule>…] -- <reason>   the line after the comment
 *   // looplens-disable-line <rule> -- <reason>                    the comment's own line
 *   /* looplens-disable <rule> -- <reason> *\/ … /* looplens-enable *\/   everything in between
 *
 * `<rule>` is a rule id (`blocking-cpu/sync-call`) or a family (`blocking-cpu`); no rule means every rule.
 * Everything after ` -- ` is the reason, for people: it is not parsed. A `looplens-disable` without a matching
 * `looplens-enable` runs to the end of the file; `looplens-enable` with no rules ends every open disable,
 * `looplens-enable <rule>` ends the open disables that name that rule. The syntax follows ESLint's
 * disable comments (https://eslint.org/docs/latest/use/configure/rules#disabling-rules).
 *
 * Only comments count: the same words in a string, a template or JSX text are not directives (each candidate
 * is located in the syntax tree's trivia). A directive that silences nothing in a run is "unused"; the
 * analysis reports it as `looplens/unused-suppression`.
 */
import { ts } from 'ts-morph';
import type { Position, Range } from './types';

export type DirectiveKind = 'disable-next-line' | 'disable-line' | 'disable' | 'enable';

/** One suppression comment. */
export interface Directive {
  kind: DirectiveKind;
  /** Rule ids or families named, as written (empty: every rule). */
  rules: string[];
  /** The text after ` -- `, trimmed; undefined when there is none. */
  reason?: string;
  /** The whole comment, zero-based. */
  range: Range;
  /** The directive as written up to the reason: `looplens-disable-next-line blocking-cpu/sync-call`. */
  text: string;
}

/** A `looplens-disable` with the part of the file it covers: from the end of its comment to the start of the enable. */
interface Region {
  directive: Directive;
  from: Position;
  /** Undefined: to the end of the file. */
  to?: Position;
}

const CANDIDATE = /looplens-(?:disable-next-line|disable-line|disable|enable)\b/g;
const DIRECTIVE = /^(?:\/\/|\/\*)\s*looplens-(disable-next-line|disable-line|disable|enable)(?=\s|\*\/|$)([\s\S]*)$/;

/** Whether a directive naming `named` (ids or families; empty = all) covers a finding of `ruleId`. */
export function namesRule(named: readonly string[], ruleId: string): boolean {
  return named.length === 0 || named.some((r) => r === ruleId || ruleId.startsWith(r + '/'));
}

/**
 * The comment of `sf` containing offset `pos`, or undefined when `pos` is in code, a string, a template or
 * JSX text. Walks down the tokens containing `pos`: a position before a token's start is in its trivia.
 */
function commentAt(sf: ts.SourceFile, pos: number): ts.CommentRange | undefined {
  let node: ts.Node = sf;
  for (;;) {
    const child = node.getChildren(sf).find((c) => !isJsDoc(c) && c.pos <= pos && pos < c.end);
    if (!child) return undefined;
    if (pos < child.getStart(sf)) {
      // Trivia before a token: comments on the previous token's line count as its trailing ones.
      const ranges = [...(ts.getTrailingCommentRanges(sf.text, child.pos) ?? []), ...(ts.getLeadingCommentRanges(sf.text, child.pos) ?? [])];
      return ranges.find((r) => r.pos <= pos && pos < r.end);
    }
    if (child.getChildCount(sf) === 0) return undefined;
    node = child;
  }
}

function isJsDoc(n: ts.Node): boolean {
  return n.kind >= ts.SyntaxKind.FirstJSDocNode && n.kind <= ts.SyntaxKind.LastJSDocNode;
}

/** Parses one comment's text (with its `//` or `/* *\/`) into a directive, or undefined when it is not one. */
export function parseDirective(comment: string, range: Range): Directive | undefined {
  const m = DIRECTIVE.exec(comment);
  if (!m) return undefined;
  const kind = m[1] as DirectiveKind;
  let rest = m[2]!;
  if (comment.startsWith('/*')) rest = rest.replace(/\*\/$/, '');
  const sep = /(?:^|\s)--(?:\s|$)/.exec(rest);
  const list = sep ? rest.slice(0, sep.index) : rest;
  const reason = sep ? rest.slice(sep.index + sep[0].length).trim() : undefined;
  const rules = list.split(/[\s,]+/).filter(Boolean);
  return {
    kind,
    rules,
    ...(reason ? { reason } : {}),
    range,
    text: [`looplens-${kind}`, rules.join(', ')].filter(Boolean).join(' '),
  };
}

/** Every suppression directive of a file, in source order. */
export function findDirectives(sf: ts.SourceFile): Directive[] {
  const out: Directive[] = [];
  let last = -1;
  for (const m of sf.text.matchAll(CANDIDATE)) {
    if (m.index < last) continue; // a second keyword inside a comment already read
    const c = commentAt(sf, m.index);
    if (!c) continue;
    last = c.end;
    const range = { start: sf.getLineAndCharacterOfPosition(c.pos), end: sf.getLineAndCharacterOfPosition(c.end) };
    const d = parseDirective(sf.text.slice(c.pos, c.end), range);
    if (d) out.push(d);
  }
  return out;
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** The suppressions of one file and which of them silenced something. */
class FileSuppressions {
  readonly directives: Directive[];
  private readonly regions: Region[] = [];
  private readonly used = new Set<Directive>();

  constructor(sf: ts.SourceFile) {
    this.directives = findDirectives(sf);
    const open: Region[] = [];
    for (const d of this.directives) {
      if (d.kind === 'disable') {
        const region: Region = { directive: d, from: d.range.end };
        open.push(region);
        this.regions.push(region);
      } else if (d.kind === 'enable') {
        for (let i = open.length - 1; i >= 0; i--) {
          const r = open[i]!;
          if (d.rules.length === 0 || r.directive.rules.some((x) => d.rules.includes(x))) {
            r.to = d.range.start;
            open.splice(i, 1);
          }
        }
      }
    }
  }

  /** Whether a finding of `ruleId` starting at `at` is silenced; marks the directives that silence it as used. */
  suppresses(at: Position, ruleId: string): boolean {
    let hit = false;
    for (const d of this.directives) {
      const covers =
        (d.kind === 'disable-next-line' && at.line === d.range.end.line + 1) || (d.kind === 'disable-line' && at.line === d.range.start.line);
      if (covers && namesRule(d.rules, ruleId)) {
        this.used.add(d);
        hit = true;
      }
    }
    for (const r of this.regions) {
      if (!before(at, r.from) && (!r.to || before(at, r.to)) && namesRule(r.directive.rules, ruleId)) {
        this.used.add(r.directive);
        hit = true;
      }
    }
    return hit;
  }

  /** The disable directives that silenced nothing so far. */
  unused(): Directive[] {
    return this.directives.filter((d) => d.kind !== 'enable' && !this.used.has(d));
  }
}

/**
 * The suppressions seen during one analysis, per source file (parsed on first use). Ask
 * {@link Suppressions.suppresses} for every finding before deciding to report it, then
 * {@link Suppressions.unused} for the directives that silenced nothing.
 */
export class Suppressions {
  /** By file name: the programs of one analysis each have their own SourceFile of a shared file. */
  private readonly files = new Map<string, FileSuppressions>();

  private of(sf: ts.SourceFile): FileSuppressions {
    let f = this.files.get(sf.fileName);
    if (!f) this.files.set(sf.fileName, (f = new FileSuppressions(sf)));
    return f;
  }

  /** True when a finding of `ruleId` starting at `at` (zero-based) in `sf` is silenced by a directive. */
  suppresses(sf: ts.SourceFile, at: Position, ruleId: string): boolean {
    return this.of(sf).suppresses(at, ruleId);
  }

  /** The disable directives of `sf` that silenced no finding in this analysis. */
  unused(sf: ts.SourceFile): Directive[] {
    return this.of(sf).unused();
  }
}
