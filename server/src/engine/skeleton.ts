/**
 * Declaration modules of the dependencies parsed only when the checker needs them. A program parses every file it
 * takes in, to find that file's imports, but an analysis binds and reads only the declaration modules its calls
 * reach (`@budibase/server` src: 3,004 of 4,581 files, 15.5 of 28.4 MB of text, are never bound; parsing them
 * took 0.75 s of the audit). So the project's file system (./project.ts) reads such a file as its skeleton: a
 * short text that a parse turns into the same imports, triple-slash directives and module-ness as the file's own
 * text (finding them costs 0.15 s there). The binder (./bind.ts) fills the skeleton with the parse of the file's
 * text, in place, before it binds the file: the program, ts-morph's cache and a redirect to the file (a second
 * copy of a package) all hold the same `ts.SourceFile`.
 *
 * A file keeps its own text, parsed at once, when the checker needs it bound from the start (./bind.ts
 * `bindsEagerly`): a script, a module augmentation (`declare module "x"`, `declare global`), a UMD global
 * (`export as namespace`); and when its text does not scan (an unbalanced `}`, an unclosed comment or string, a
 * Unicode escape, a merge conflict marker).
 *
 * A skeleton is filled from the text it was made from, kept with its `ts.SourceFile`: a package reinstalled
 * while the editor runs does not mix the program's old imports with a new tree. That keeps the text of every
 * declaration module never bound (`@budibase/server` src: 15.5 MB).
 */
import * as fs from 'node:fs';
import { ts } from 'ts-morph';

const K = ts.SyntaxKind;

/**
 * The last line of every skeleton the file system reads, numbered by read: a file whose text ends with one is taken
 * for a skeleton. The number tells two reads of one file apart (two projects, or one loaded again), so that each
 * skeleton is filled from the text it was made from.
 */
const MARKER = /\/\* looplens: skeleton \d+ \*\/\n$/;
let reads = 0;

/**
 * Tokens that begin a top-level statement of a declaration file. A copied import or export statement that has no
 * `;` ends before one of them that starts a line, as automatic semicolon insertion ends it.
 */
const STATEMENT_START = new Set<ts.SyntaxKind>([
  K.ImportKeyword,
  K.ExportKeyword,
  K.DeclareKeyword,
  K.InterfaceKeyword,
  K.TypeKeyword,
  K.NamespaceKeyword,
  K.ModuleKeyword,
  K.FunctionKeyword,
  K.ClassKeyword,
  K.AbstractKeyword,
  K.ConstKeyword,
  K.LetKeyword,
  K.VarKeyword,
  K.EnumKeyword,
  K.AtToken,
]);

/**
 * What the skeleton's scan stops at: the characters that open a comment, string or template or change the brace
 * depth, and the keywords of the statements it looks at (not in a longer name). Everything between is skipped
 * by the regex engine: TypeScript's scanner, which builds every token, took 0.3 s over `@budibase/server`'s
 * dependencies.
 */
const STOP = /[{}`'"/]|(?<![\p{ID_Continue}$\u200c\u200d])(?:import|export|declare|module|global)(?![\p{ID_Continue}$\u200c\u200d])/gu;
/** A string literal from its opening quote; no match: not closed on its line. */
const DOUBLE_QUOTED = /"(?:[^"\\\r\n]|\\[\s\S])*"/y;
const SINGLE_QUOTED = /'(?:[^'\\\r\n]|\\[\s\S])*'/y;
/** The text of a template literal up to its end or its next `${`, from after the backtick or `}`. */
const TEMPLATE_TEXT = /(?:[^`\\$]|\\[\s\S]|\$(?!\{))*(`|\$\{)/y;
/** A Unicode escape (68 of 25,960 declaration files in our and two real services' dependencies) or a line of a merge conflict marker. */
const UNSCANNABLE = /\\u(?:[0-9a-fA-F]{4}|\{)|^(?:<{7}|={7}|>{7}|\|{7})/m;

/**
 * Whether the scan refuses `text` whatever it holds: a Unicode escape can spell a keyword the scan would not
 * see, and merge conflict markers hide text from the parser.
 */
export function refusesToScan(text: string): boolean {
  return UNSCANNABLE.test(text);
}

/**
 * The skeleton of a declaration file's text (`.d.ts`, `.d.mts`, `.d.cts`), or undefined when the file must be
 * parsed as it is (see the module comment). The skeleton is, in this order:
 * - the text before the first token, verbatim: the `/// <reference>` directives and pragmas TypeScript reads
 *   there only;
 * - each top-level import declaration, `import x = require()` and `export … from` statement, verbatim;
 * - each `import("x")` type, anywhere in the file, as `type __<n> = import("x");` with its attributes;
 * - `export {};`, since the file is a module.
 * Parsed, it gives the program the imports (specifiers in the same order, with the same resolution modes) and
 * directives the file's text gives it (test/engine/skeleton.test.ts compares the two on every declaration file
 * of the project's dependencies). Never throws.
 */
export function declarationSkeleton(text: string): string | undefined {
  if (refusesToScan(text)) return undefined;
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, /* skipTrivia */ true, ts.LanguageVariant.Standard, text);
  /** The kind of the token at `pos` and of the `n - 1` after it. */
  const tokensAt = (pos: number, n: number): ts.SyntaxKind[] => {
    scanner.resetTokenState(pos);
    const kinds: ts.SyntaxKind[] = [];
    for (let i = 0; i < n; i++) kinds.push(scanner.scan());
    return kinds;
  };
  const statements: string[] = [];
  const importTypes: string[] = [];
  let isModule = false;
  let depth = 0;
  /** The brace depth at each open template literal: its `}` continues the template, not a block. */
  const templates: number[] = [];
  /** From `from` (just after a backtick or a template's `}`): where the template's text ends, -1 if never. */
  const templateText = (from: number): number => {
    TEMPLATE_TEXT.lastIndex = from;
    const m = TEMPLATE_TEXT.exec(text);
    if (!m) return -1;
    if (m[1] === '${') templates.push(depth);
    return TEMPLATE_TEXT.lastIndex;
  };
  /** The comments passed since the last stop that was not one, `[start, end)` each: white space to skip back over. */
  let comments: (readonly [number, number])[] = [];
  STOP.lastIndex = 0;
  for (let m = STOP.exec(text); m; m = STOP.exec(text)) {
    const at = m.index;
    let next = STOP.lastIndex;
    switch (m[0]) {
      case '/': {
        const c = text.charCodeAt(at + 1);
        if (c === 0x2f) {
          const eol = text.indexOf('\n', at);
          next = eol < 0 ? text.length : eol;
          comments.push([at, next]);
        } else if (c === 0x2a) {
          const close = text.indexOf('*/', at + 2);
          if (close < 0) return undefined;
          next = close + 2;
          comments.push([at, next]);
        }
        break;
      }
      case '"':
      case "'": {
        const literal = m[0] === '"' ? DOUBLE_QUOTED : SINGLE_QUOTED;
        literal.lastIndex = at;
        if (!literal.test(text)) return undefined;
        next = literal.lastIndex;
        break;
      }
      case '`':
        next = templateText(at + 1);
        break;
      case '{':
        depth++;
        break;
      case '}':
        if (templates.length > 0 && templates[templates.length - 1] === depth) {
          templates.pop();
          next = templateText(at + 1);
        } else if (--depth < 0) {
          return undefined;
        }
        break;
      default:
        if (isMember(text, at, comments)) break;
        if (m[0] === 'import') {
          const kinds = tokensAt(at, 5);
          const after = kinds[1];
          if (after === K.OpenParenToken) {
            scanner.resetTokenState(at);
            scanner.scan();
            const end = closingParen(scanner);
            if (end === undefined) return undefined;
            importTypes.push(text.slice(at, end));
            next = end;
          } else if (depth === 0 && startsImport(after)) {
            // `import x = N.y` (an alias of a namespace) is the one import that does not make a file a module.
            if (!isNamespaceAlias(kinds)) isModule = true;
            next = copyStatement(scanner, text, at, statements);
          }
        } else if (depth === 0) {
          const kinds = tokensAt(at, 3);
          switch (m[0]) {
            case 'export': {
              // Not a statement: a tuple element labelled `export` (`[export: string]`).
              if (!startsExport(kinds[1])) break;
              isModule = true;
              if (kinds[1] === K.AsKeyword) return undefined; // `export as namespace X`: a UMD global
              const reexport = kinds[1] === K.OpenBraceToken || kinds[1] === K.AsteriskToken || kinds[1] === K.ImportKeyword || (kinds[1] === K.TypeKeyword && (kinds[2] === K.OpenBraceToken || kinds[2] === K.AsteriskToken));
              if (reexport) next = copyStatement(scanner, text, at, statements);
              break;
            }
            // `declare global`, `declare module "x"`: an augmentation (or, in a script, an ambient module).
            case 'declare':
              if (kinds[1] === K.GlobalKeyword || (kinds[1] === K.ModuleKeyword && kinds[2] === K.StringLiteral)) return undefined;
              break;
            case 'module':
              if (kinds[1] === K.StringLiteral) return undefined;
              break;
            case 'global':
              if (kinds[1] === K.OpenBraceToken) return undefined;
              break;
          }
        }
    }
    if (next < 0) return undefined;
    if (m[0] !== '/' || comments.length === 0 || comments[comments.length - 1][0] !== at) comments = [];
    STOP.lastIndex = next;
  }
  if (!isModule || depth !== 0 || templates.length > 0) return undefined;
  scanner.resetTokenState(0);
  scanner.scan();
  const head = text.slice(0, scanner.getTokenStart());
  return `${head}${statements.join('\n')}\n${importTypes.map((t, i) => `type __${i} = ${t};`).join('\n')}\nexport {};\n`;
}

/**
 * Whether the keyword at `at` is a member name (`x.import`, `x?.global`): the last character before it, past
 * white space and `comments` (those passed since the last other stop), is a dot, and not the last of a spread
 * (`[...import("x").T]`).
 */
function isMember(text: string, at: number, comments: readonly (readonly [number, number])[]): boolean {
  let i = at - 1;
  for (let c = comments.length - 1; ; c--) {
    while (i >= 0 && /\s/.test(text[i])) i--;
    if (c < 0 || i + 1 !== comments[c][1]) break;
    i = comments[c][0] - 1;
  }
  return text[i] === '.' && text[i - 1] !== '.';
}

/**
 * Appends to `statements` the top-level statement starting at `start`, verbatim, and returns where it ends: at
 * its `;`, or, without one, before the next token that starts a line and a statement once the statement has its
 * module specifier or `=` (`import\ntype { A } from "a"` is one statement), or at the end of the text.
 */
function copyStatement(scanner: ts.Scanner, text: string, start: number, statements: string[]): number {
  scanner.resetTokenState(start);
  let depth = 0;
  let end = start;
  let complete = false;
  for (let token = scanner.scan(); token !== K.EndOfFileToken; token = scanner.scan()) {
    if (depth === 0 && complete && scanner.hasPrecedingLineBreak() && STATEMENT_START.has(token)) break;
    if (token === K.OpenBraceToken) depth++;
    else if (token === K.CloseBraceToken) depth--;
    else if (token === K.StringLiteral || token === K.EqualsToken) complete = true;
    end = scanner.getTokenEnd();
    if (token === K.SemicolonToken && depth === 0) break;
  }
  statements.push(text.slice(start, end));
  return end;
}

const isWord = (k: ts.SyntaxKind): boolean => k === K.Identifier || (k >= K.FirstKeyword && k <= K.LastKeyword);

/**
 * Whether `import` followed by a token of this kind starts an import declaration (`import x`, `import {`,
 * `import *`, `import "x"`, `import type`) rather than naming a tuple element (`[import: string]`) or starting
 * `import.meta` or an import type.
 */
function startsImport(next: ts.SyntaxKind): boolean {
  return isWord(next) || next === K.OpenBraceToken || next === K.AsteriskToken || next === K.StringLiteral;
}

/** Whether `export` followed by a token of this kind starts a statement rather than naming a tuple element (`[export?: string]`). */
function startsExport(next: ts.SyntaxKind): boolean {
  return isWord(next) || next === K.OpenBraceToken || next === K.AsteriskToken || next === K.EqualsToken || next === K.AtToken;
}

/**
 * With the scanner on `import` followed by `(`: moves it to the matching `)` and returns where that ends, or
 * undefined at the end of the text.
 */
function closingParen(scanner: ts.Scanner): number | undefined {
  let parens = 0;
  for (let token = scanner.scan(); token !== K.EndOfFileToken; token = scanner.scan()) {
    if (token === K.OpenParenToken) parens++;
    else if (token === K.CloseParenToken && --parens === 0) return scanner.getTokenEnd();
  }
  return undefined;
}

/** Given the kinds of the first tokens of an import statement: whether it is `import [type] x = N.y`, not a module's import. */
function isNamespaceAlias(kinds: readonly ts.SyntaxKind[]): boolean {
  let n = 1;
  if (kinds[n] === K.TypeKeyword && kinds[n + 1] !== K.EqualsToken) n++;
  return kinds[n] !== K.OpenBraceToken && kinds[n] !== K.AsteriskToken && kinds[n] !== K.StringLiteral && kinds[n + 1] === K.EqualsToken && kinds[n + 2] !== K.RequireKeyword;
}

/**
 * The texts skeletons were made from, by file path, newest last, until a program's binding takes each for its
 * skeleton's file ({@link adoptSkeletons}) or a fill for its own. At most {@link READS_KEPT} per path: a read whose
 * file no program binds (a project loaded and dropped at once) is forgotten after a few more.
 */
const pending = new Map<string, { skeleton: string; text: string }[]>();
const READS_KEPT = 2;
/** The text of each skeleton file a program holds, until it is filled; it goes with the file. */
const sources = new WeakMap<ts.SourceFile, string>();

/**
 * The skeleton to read for the declaration file `path` (absolute, forward slashes) whose text is `text`, or
 * `text` itself when it has none ({@link declarationSkeleton}). Remembers `text` for {@link fillSkeleton}.
 */
export function readAsSkeleton(path: string, text: string): string {
  const body = declarationSkeleton(text);
  if (body === undefined) return text;
  const skeleton = `${body}/* looplens: skeleton ${++reads} */\n`;
  const list = pending.get(path) ?? [];
  list.push({ skeleton, text });
  pending.set(path, list.slice(-READS_KEPT));
  return skeleton;
}

/** The text `sf` (a skeleton) was made from, if pending; `take` removes it from {@link pending}. */
function pendingText(sf: ts.SourceFile, take: boolean): string | undefined {
  const list = pending.get(sf.fileName);
  const i = list?.findIndex((e) => e.skeleton === sf.text) ?? -1;
  if (i < 0) return undefined;
  const { text } = list![i];
  if (take) list!.splice(i, 1);
  if (list!.length === 0) pending.delete(sf.fileName);
  return text;
}

/**
 * Keeps, for each skeleton of `files` whose text is pending, that text with the file, so that texts live as long
 * as their files: the preload calls it for each file it parses, before another project can read the same file
 * (./preload.ts), and the binding for each program, whose files the program may have read itself (./bind.ts).
 * Cheap when nothing is pending.
 */
export function adoptSkeletons(files: readonly ts.SourceFile[]): void {
  if (pending.size === 0) return;
  for (const sf of files) {
    if (!pending.has(sf.fileName) || sources.has(sf)) continue;
    const text = pendingText(sf, true);
    if (text !== undefined) sources.set(sf, text);
  }
}

/**
 * The text `sf` stands for: for a skeleton, the text it was made from when that is known (the editor opening a
 * dependency's declaration file sends that text, which is no change), else `sf`'s own.
 */
export function standsFor(sf: ts.SourceFile): string {
  return (isSkeleton(sf) && (sources.get(sf) ?? pendingText(sf, false))) || sf.text;
}

/** Whether `sf` is a skeleton not filled yet. */
export function isSkeleton(sf: ts.SourceFile): boolean {
  return sf.isDeclarationFile && MARKER.test(sf.text.slice(-40));
}

/**
 * The text `sf`, a skeleton, was made from: kept with it, or pending; else (a read dropped from {@link pending}
 * before a program took it) its file's, read again, if that gives the same skeleton; undefined when the file has
 * changed so, or cannot be read.
 */
function sourceOf(sf: ts.SourceFile): string | undefined {
  const kept = sources.get(sf) ?? pendingText(sf, true);
  if (kept !== undefined) {
    sources.delete(sf);
    return kept;
  }
  try {
    const text = fs.readFileSync(sf.fileName, 'utf8');
    return declarationSkeleton(text) === sf.text.replace(MARKER, '') ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The properties of a `ts.SourceFile` that are the program's, not the parse's: where the file is, which package
 * scope it is in, what the program collected from it (imports, from the skeleton: the same specifiers and modes),
 * ts-morph's version of it, and its node id.
 */
const PROGRAM_OWNED = new Set(['fileName', 'path', 'resolvedPath', 'originalFileName', 'packageJsonLocations', 'packageJsonScope', 'impliedNodeFormat', 'imports', 'moduleAugmentations', 'ambientModuleNames', 'version', 'id', 'redirectInfo']);

/**
 * Fills the skeleton `sf`, in place, with the parse of the text it was made from, as the bundled ts-morph parses a
 * declaration file (scripts/build.mjs): JSDoc only in comments with `@see` or `@link` (`ParseForTypeErrors`, as
 * `tsc`), and no walk to set parent pointers, which the binder sets (the top-level statements point to the file
 * at once). Does nothing for a file that is not a skeleton, or that
 * something bound as it was; nor when that text is gone (see {@link sourceOf}): the file then stays a skeleton,
 * its exports unknown to the checker. Throws what the parser throws.
 */
export function fillSkeleton(sf: ts.SourceFile): void {
  if (!isSkeleton(sf) || (sf as { locals?: unknown }).locals !== undefined) return;
  const text = sourceOf(sf);
  if (text === undefined) return;
  const options = { languageVersion: sf.languageVersion, jsDocParsingMode: ts.JSDocParsingMode.ParseForTypeErrors };
  const full = ts.createLanguageServiceSourceFile(sf.fileName, ts.ScriptSnapshot.fromString(text), options, (sf as { version?: string }).version ?? '0', false, (sf as { scriptKind?: ts.ScriptKind }).scriptKind);
  const target = sf as unknown as Record<string, unknown>;
  const source = full as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(target), ...Object.keys(source)])) {
    if (!PROGRAM_OWNED.has(key)) target[key] = source[key];
  }
  for (const statement of sf.statements) (statement as { parent: ts.Node }).parent = sf;
  (sf.endOfFileToken as { parent: ts.Node }).parent = sf;
}
