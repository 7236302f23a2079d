/**
 * Small helpers over raw TypeScript compiler nodes. The engine walks raw nodes (not ts-morph wrappers) in its
 * hot loops: wrapping every node costs 2–3× a raw walk.
 */
import { ts } from 'ts-morph';
import type { Location, Range } from './types';

/** A function whose body runs when called: declaration, expression, arrow, method or accessor. */
export type FunctionNode =
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.MethodDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration
  | ts.ConstructorDeclaration;

/** True for function-like nodes that have a body. */
export function isFunctionWithBody(node: ts.Node): node is FunctionNode {
  return (
    (ts.isFunctionDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      ts.isArrowFunction(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node) ||
      ts.isConstructorDeclaration(node)) &&
    node.body !== undefined
  );
}

/** True when the function is declared `async`. */
export function isAsyncFunction(fn: ts.Node): boolean {
  return (
    ts.canHaveModifiers(fn) && (ts.getModifiers(fn) ?? []).some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)
  );
}

/** Zero-based range of [start, end) offsets in a source file. */
export function rangeOf(sf: ts.SourceFile, start: number, end: number): Range {
  const s = sf.getLineAndCharacterOfPosition(start);
  const e = sf.getLineAndCharacterOfPosition(end);
  return { start: { line: s.line, character: s.character }, end: { line: e.line, character: e.character } };
}

/** Normalises a path to forward slashes (ts-morph already does; Windows paths from callers may not). */
export function normalizePath(p: string): string {
  return p.replace(/\\/g, '/');
}

/** True when `path` is `root` or inside it (both absolute, forward slashes). */
export function isInside(path: string, root: string): boolean {
  const base = root.endsWith('/') ? root : `${root}/`;
  return path === root || path.startsWith(base);
}

/** The location of a node (from its first token, skipping trivia, to its end). */
export function locationOf(node: ts.Node, sf: ts.SourceFile = node.getSourceFile()): Location {
  return { file: normalizePath(sf.fileName), range: rangeOf(sf, node.getStart(sf), node.getEnd()) };
}

/** The location of a loop's header: `for (…)`, `while (…)`, or `xs.map` for an array-method loop. */
export function headerLocation(node: ts.Node, sf: ts.SourceFile = node.getSourceFile()): Location {
  const start = node.getStart(sf);
  let end = node.getEnd();
  if (ts.isIterationStatement(node, false)) {
    end = ts.isDoStatement(node) ? node.statement.getStart(sf) : node.statement.getStart(sf);
    // Trim the whitespace between `)` and the body.
    const text = sf.text;
    while (end > start && /\s/.test(text[end - 1]!)) end--;
  } else if (ts.isCallExpression(node)) {
    end = node.expression.getEnd();
  }
  return { file: normalizePath(sf.fileName), range: rangeOf(sf, start, end) };
}

/**
 * The location of a handler registration's head: `router.post('/x'` for a route call, `createServer` for a
 * server, the whole decorator, the exported name. Keeps squiggles to one line instead of the whole callback.
 */
export function registrationLocation(node: ts.Node, sf: ts.SourceFile = node.getSourceFile()): Location {
  const start = node.getStart(sf);
  let end = node.getEnd();
  if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
    const first = node.arguments?.[0];
    end = first && (ts.isStringLiteralLike(first) || ts.isTemplateExpression(first)) ? first.getEnd() : node.expression.getEnd();
  }
  return { file: normalizePath(sf.fileName), range: rangeOf(sf, start, end) };
}

/** The name of the method or function a call invokes: `b` for `a.b(…)`, `f` for `f(…)`. */
export function calleeName(call: ts.CallExpression | ts.NewExpression): string | undefined {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) return e.argumentExpression.text;
  return undefined;
}

/** The receiver of a method call: `a` for `a.b(…)`. */
export function receiverOf(call: ts.CallExpression): ts.Expression | undefined {
  const e = call.expression;
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) return e.expression;
  return undefined;
}

/** The innermost function containing a node, or undefined at module top level. */
export function enclosingFunction(node: ts.Node): FunctionNode | undefined {
  for (let n = node.parent; n; n = n.parent) if (isFunctionWithBody(n)) return n;
  return undefined;
}

/** A short, single-line text of a node for messages, cut to `max` characters. */
export function shortText(node: ts.Node, max = 40, sf: ts.SourceFile = node.getSourceFile()): string {
  const t = node.getText(sf).replace(/\s+/g, ' ');
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

/** Strips parentheses, `as`, `satisfies`, non-null and type assertions: `(x as T)!` → `x`. */
export function skipOuter(e: ts.Expression): ts.Expression {
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
    else return e;
  }
}

/** Whether a file is JavaScript (`.js`, `.jsx`, `.cjs`, `.mjs`), whose declarations TypeScript infers from code. */
export function isJavaScriptFile(fileName: string): boolean {
  return /\.[cm]?jsx?$/i.test(fileName);
}

/**
 * The names a top-level statement declares: its variables (destructured ones too), function, class, enum,
 * interface, type or namespace, or the bindings of an import.
 */
export function declaredNames(st: ts.Statement): string[] {
  const out: string[] = [];
  const bind = (n: ts.BindingName): void => {
    if (ts.isIdentifier(n)) out.push(n.text);
    else for (const e of n.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
  };
  if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) bind(d.name);
  else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isModuleDeclaration(st)) && st.name && ts.isIdentifier(st.name)) out.push(st.name.text);
  else if (ts.isImportDeclaration(st)) {
    const clause = st.importClause;
    if (clause?.name) out.push(clause.name.text);
    const bindings = clause?.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) out.push(bindings.name.text);
    else if (bindings) for (const e of bindings.elements) out.push(e.name.text);
  }
  return out;
}

/** Iterates a node's descendants depth-first; `visit` returns false to skip a node's children. */
export function walk(node: ts.Node, visit: (n: ts.Node) => boolean | void): void {
  const rec = (n: ts.Node): void => {
    if (visit(n) === false) return;
    ts.forEachChild(n, rec);
  };
  ts.forEachChild(node, rec);
}
