/**
 * Text and syntax helpers the fix builders share: parsing one file, offset ↔ position, finding the node at a
 * range, reading the file's indentation, line-ending and quote style, and choosing free identifier names.
 */
import { ts } from 'ts-morph';
import type { Position, Range, TextEdit } from '../types';
import { offsetAt } from './applyEdits';

/** One file as a fix builder sees it: its path, text and syntax tree (parents set). */
export interface FixSource {
  file: string;
  text: string;
  sf: ts.SourceFile;
}

/** Parses `text` as the file `file` (script kind from the extension; TS when unknown). Never throws. */
export function parseSource(file: string, text: string): FixSource {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKindOf(file));
  return { file, text, sf };
}

function scriptKindOf(file: string): ts.ScriptKind {
  if (/\.tsx$/i.test(file)) return ts.ScriptKind.TSX;
  if (/\.(jsx)$/i.test(file)) return ts.ScriptKind.JSX;
  if (/\.(c|m)?js$/i.test(file)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/** The zero-based line/character position of an offset in `text` (characters are UTF-16 code units). */
export function positionAt(text: string, offset: number): Position {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}

/** A {@link TextEdit} replacing offsets [start, end) of `src` with `newText`. */
export function editAt(src: FixSource, start: number, end: number, newText: string): TextEdit {
  return { file: src.file, range: { start: positionAt(src.text, start), end: positionAt(src.text, end) }, newText };
}

/**
 * The nodes whose span (without leading trivia) is exactly `range`, outermost first. Empty when the range
 * does not cover a node exactly (for instance when the text changed since the range was computed).
 */
export function nodesAtRange(src: FixSource, range: Range): ts.Node[] {
  const start = offsetAt(src.text, range.start);
  const end = offsetAt(src.text, range.end);
  const found: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    const nodeStart = node.getStart(src.sf);
    if (nodeStart > start || node.end < end) return;
    if (nodeStart === start && node.end === end) found.push(node);
    node.forEachChild(visit);
  };
  src.sf.forEachChild(visit);
  return found;
}

/** The whitespace that starts the line containing `offset`. */
export function lineIndentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** Offset of the first character of the line containing `offset`. */
export function lineStartAt(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** True when `offset` is the first non-blank character of its line. */
export function startsLine(text: string, offset: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStartAt(text, offset), offset));
}

/**
 * One level of indentation in this file: a tab if indented lines start with tabs, else the smallest space
 * indentation found (2 when the file has none). Lines continuing a block comment (` * …`) are ignored.
 */
export function indentUnit(text: string): string {
  let smallest = Infinity;
  for (const m of text.matchAll(/^([ \t]+)(\S)/gm)) {
    if (m[2] === '*') continue;
    if (m[1].startsWith('\t')) return '\t';
    smallest = Math.min(smallest, m[1].length);
  }
  return Number.isFinite(smallest) ? ' '.repeat(smallest) : '  ';
}

/** The line ending the file uses: `\r\n` if any line ends so, else `\n`. */
export function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** How the file writes statements and strings, so inserted code looks like the code around it. */
export interface CodeStyle {
  quote: "'" | '"';
  /** `;` or `` (the file leaves semicolons out). */
  semi: string;
  eol: string;
  indent: string;
}

/**
 * The file's style: the quote of its first import or require specifier (else `'`), whether its top-level
 * statements end with `;` (majority; `;` when undecided), its line ending and indentation unit.
 */
export function styleOf(src: FixSource): CodeStyle {
  let quote: "'" | '"' = "'";
  const firstSpecifier = findFirst(src.sf, (n) => ts.isStringLiteral(n) && isModuleSpecifier(n));
  if (firstSpecifier && src.text[firstSpecifier.getStart(src.sf)] === '"') quote = '"';
  let withSemi = 0;
  let without = 0;
  for (const st of src.sf.statements) {
    if (!ts.isImportDeclaration(st) && !ts.isVariableStatement(st) && !ts.isExpressionStatement(st)) continue;
    if (src.text[st.end - 1] === ';') withSemi++;
    else without++;
  }
  return { quote, semi: without > withSemi ? '' : ';', eol: eolOf(src.text), indent: indentUnit(src.text) };
}

function isModuleSpecifier(n: ts.Node): boolean {
  const p = n.parent;
  return (
    (ts.isImportDeclaration(p) && p.moduleSpecifier === n) ||
    (ts.isCallExpression(p) && ts.isIdentifier(p.expression) && p.expression.text === 'require')
  );
}

/** The first node (depth-first, in source order) satisfying `pred`, or undefined. */
export function findFirst(root: ts.Node, pred: (n: ts.Node) => boolean): ts.Node | undefined {
  let hit: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (hit) return;
    if (pred(n)) hit = n;
    else n.forEachChild(visit);
  };
  root.forEachChild(visit);
  return hit;
}

/**
 * The names used as bindings or references anywhere under `root`: every identifier except property names
 * after `.`, keys of object literals and class members, and the imported name in `import { a as b }`.
 * Used to pick a name that shadows nothing and is shadowed by nothing.
 */
export function namesUsedIn(root: ts.Node): Set<string> {
  const names = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && !isPropertyName(n)) names.add(n.text);
    n.forEachChild(visit);
  };
  visit(root);
  return names;
}

function isPropertyName(id: ts.Identifier): boolean {
  const p = id.parent;
  if (!p) return false;
  if (ts.isPropertyAccessExpression(p)) return p.name === id;
  if (ts.isQualifiedName(p)) return p.right === id;
  if (ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p)) return p.name === id;
  if (ts.isPropertySignature(p) || ts.isMethodSignature(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p)) return p.name === id;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p)) return p.propertyName === id;
  return false;
}

/** `base` if unused, else `base2`, `base3`, … — the first not in `taken`. */
export function freeName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}${i}`)) return `${base}${i}`;
}

/** The nearest enclosing function-like node with a body (not `node` itself), or undefined at top level. */
export function enclosingFunction(node: ts.Node): ts.SignatureDeclaration | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (ts.isFunctionLike(p) && 'body' in p && p.body) return p;
  }
  return undefined;
}

/** True when the function-like node carries the `async` modifier. */
export function isAsync(fn: ts.Node): boolean {
  return ts.canHaveModifiers(fn) && (ts.getModifiers(fn) ?? []).some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
}

/**
 * Collects the edits of one fix by offset and turns them into {@link TextEdit}s that never overlap:
 * insertions at the same offset (and an insertion at the start of a replacement) are joined in the order
 * they were added. Throws `Error('overlapping edits')` when two replacements overlap — a bug in the builder.
 */
export class EditBuilder {
  private readonly spans: { start: number; end: number; text: string }[] = [];

  constructor(private readonly src: FixSource) {}

  insert(offset: number, text: string): this {
    return this.replace(offset, offset, text);
  }

  replace(start: number, end: number, text: string): this {
    this.spans.push({ start, end, text });
    return this;
  }

  build(): TextEdit[] {
    const sorted = this.spans.map((s, i) => ({ ...s, i })).sort((a, b) => a.start - b.start || a.end - b.end || a.i - b.i);
    const merged: { start: number; end: number; text: string }[] = [];
    for (const s of sorted) {
      const prev = merged[merged.length - 1];
      if (prev && s.start < prev.end) throw new Error('overlapping edits');
      if (prev && prev.start === s.start && prev.start === prev.end) {
        prev.end = s.end;
        prev.text += s.text;
      } else merged.push({ ...s });
    }
    return merged.map((s) => editAt(this.src, s.start, s.end, s.text));
  }
}

/**
 * True when a statement inserted just before `offset` must end with `;` even in a file without semicolons:
 * the next code starts with `(`, `[`, `` ` ``, `+`, `-` or `/`, which would otherwise continue it.
 */
export function needsSemicolonBefore(text: string, offset: number): boolean {
  const rest = text.slice(offset).replace(/^(\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*/, '');
  return /^[([`+\-/]/.test(rest);
}
