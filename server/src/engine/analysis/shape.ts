/**
 * Whether an edit kept a file's shape: its text outside function bodies is unchanged, except for whole
 * declarations added or removed, so its other declarations, exports and signatures are unchanged too. Files that
 * import it then see the same types as before, provided the functions whose body changed declare their return
 * type or still infer the same one, and no importer names an added or removed declaration. Most keystrokes in a
 * service are edits of this kind (in a body, or a new helper); for them the analyses of the other files are
 * kept (./incremental.ts), their references to the file's functions moved to the new nodes.
 */
import { ts } from 'ts-morph';
import { declaredNames, isFunctionWithBody, isJavaScriptFile, type FunctionNode } from '../ast';

/** How an edit that kept a file's shape changed its functions. */
export interface ShapeMatch {
  /**
   * Old function → new function, for every function of the file except those nested in a changed body (which
   * may have come or gone). Both are in document order, so the k-th function of an unchanged stretch of text
   * is the k-th of the new one.
   */
  moved: Map<FunctionNode, FunctionNode>;
  /** The outermost functions whose body text changed, as [old, new]. */
  changed: [FunctionNode, FunctionNode][];
  /**
   * The old functions the edit left in place: their text and all the text before them are unchanged, so the
   * new function sits at the same offsets and lines (its facts' locations hold as they are).
   */
  unshifted: Set<FunctionNode>;
  /**
   * The names declared by the top-level statements added or removed (functions, classes, variables, types,
   * imports). No other statement of the file mentions them; whether an importer does is for the caller to check.
   */
  names: string[];
}

/** The outermost functions under `root` in document order: those not inside another function's body. */
function outermostFunctions(root: ts.Node): FunctionNode[] {
  const out: FunctionNode[] = [];
  const visit = (n: ts.Node): void => {
    if (isFunctionWithBody(n)) {
      out.push(n);
      // A function in a parameter default lies outside the body: it is outermost too.
      ts.forEachChild(n, (c) => (c === n.body ? undefined : visit(c)));
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(root);
  return out;
}

/** Every function under `node`, in document order. */
function functionsUnder(node: ts.Node): FunctionNode[] {
  const out: FunctionNode[] = [];
  const visit = (n: ts.Node): void => {
    if (isFunctionWithBody(n)) out.push(n);
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(node, visit);
  return out;
}

/** A top-level statement (or the end-of-file token), its functions and its text without their bodies. */
interface Part {
  node: ts.Node;
  fns: FunctionNode[];
  skeleton: string;
}

function partsOf(sf: ts.SourceFile): Part[] {
  return [...sf.statements, sf.endOfFileToken].map((node) => {
    const fns = outermostFunctions(node);
    const parts: string[] = [];
    // From the first token: comments and blank lines between statements change no declaration.
    let at = node.getStart(sf);
    for (const fn of fns) {
      parts.push(sf.text.slice(at, fn.body!.pos));
      at = fn.body!.end;
    }
    parts.push(sf.text.slice(at, node.end));
    return { node, fns, skeleton: parts.join('\u0000') };
  });
}

/**
 * The names a statement added or removed as a whole declares, or undefined when it is not a plain declaration
 * (an export list, a default export, an ambient or global declaration, an enum or namespace, an expression)
 * and so may change what the rest of the file or its importers see.
 */
function plainDeclarationNames(st: ts.Node): string[] | undefined {
  const modifiers = ts.canHaveModifiers(st) ? (ts.getModifiers(st) ?? []) : [];
  if (modifiers.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword || m.kind === ts.SyntaxKind.DefaultKeyword)) return undefined;
  const named = (ts.isFunctionDeclaration(st) && st.body) || ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) ? st.name !== undefined : ts.isVariableStatement(st) || ts.isImportDeclaration(st);
  return named ? declaredNames(st as ts.Statement) : undefined;
}

/**
 * The module variables a file exports (`export const X`, `export { X }`, `export default X`): what a body does to
 * them (`X.push(…)`) decides their size wherever they are imported (./provenance.ts, ./size.ts).
 */
function exportedVariables(sf: ts.SourceFile): string[] {
  const variables = new Set<string>();
  const exported = new Set<string>();
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    const isExported = (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    for (const d of st.declarationList.declarations) {
      if (!ts.isIdentifier(d.name)) continue;
      variables.add(d.name.text);
      if (isExported) exported.add(d.name.text);
    }
  }
  for (const st of sf.statements) {
    if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const e of st.exportClause.elements) exported.add((e.propertyName ?? e.name).text);
    } else if (ts.isExportAssignment(st) && ts.isIdentifier(st.expression)) exported.add(st.expression.text);
  }
  return [...exported].filter((n) => variables.has(n));
}

/** Whether `text` holds `name` as a whole identifier. */
export function mentionsName(text: string, name: string): boolean {
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    if (!/[\w$]/.test(text[at - 1] ?? '') && !/[\w$]/.test(text[at + name.length] ?? '')) return true;
  }
  return false;
}

/**
 * Compares two versions of a TypeScript file. Returns how its functions moved when the text outside function
 * bodies is identical but for whole declarations added or removed that no other statement mentions, and no
 * changed body names a module variable the file exports (it may grow it), else undefined (also for JavaScript, whose declarations TypeScript infers from code in
 * bodies: `this.x =` in a constructor, `module.exports =` anywhere). Whether the changed bodies still give their
 * functions the same return types is for the caller to check with the two checkers ({@link inferredReturnTypesMatch}).
 */
export function matchShape(before: ts.SourceFile, after: ts.SourceFile): ShapeMatch | undefined {
  if (isJavaScriptFile(after.fileName)) return undefined;
  const old = partsOf(before);
  const now = partsOf(after);
  // The statements added or removed lie between the longest unchanged head and tail.
  let head = 0;
  while (head < old.length && head < now.length && old[head]!.skeleton === now[head]!.skeleton) head++;
  let tail = 0;
  while (tail < old.length - head && tail < now.length - head && old[old.length - 1 - tail]!.skeleton === now[now.length - 1 - tail]!.skeleton) tail++;
  const names: string[] = [];
  const added = [...old.slice(head, old.length - tail), ...now.slice(head, now.length - tail)];
  // A script's top-level declarations are global: files that never import it would see the new ones.
  if (added.length > 0 && !(ts.isExternalModule(before) && ts.isExternalModule(after))) return undefined;
  for (const p of added) {
    const declared = plainDeclarationNames(p.node);
    if (!declared) return undefined;
    names.push(...declared);
  }
  const keptOld = [...old.slice(0, head), ...old.slice(old.length - tail)];
  const keptNew = [...now.slice(0, head), ...now.slice(now.length - tail)];
  // A kept statement naming one (even in a body left as it was) would now see another declaration, or none.
  const textOf = (parts: Part[], sf: ts.SourceFile) => parts.map((p) => sf.text.slice(p.node.getStart(sf), p.node.end)).join('\n');
  const rest = names.length > 0 ? [textOf(keptOld, before), textOf(keptNew, after)] : [];
  if (names.some((n) => rest.some((t) => mentionsName(t, n)))) return undefined;
  const moved = new Map<FunctionNode, FunctionNode>();
  const changed: [FunctionNode, FunctionNode][] = [];
  const fnPairs = keptOld.flatMap((p, i) => p.fns.map((fn, k) => [fn, keptNew[i]!.fns[k]!] as const));
  const variables = exportedVariables(after);
  for (const [a, b] of fnPairs) {
    moved.set(a, b);
    const oldBody = before.text.slice(a.body!.pos, a.body!.end);
    const newBody = after.text.slice(b.body!.pos, b.body!.end);
    if (oldBody !== newBody) {
      if (variables.some((v) => mentionsName(oldBody, v) || mentionsName(newBody, v))) return undefined;
      changed.push([a, b]);
      continue;
    }
    const inner = functionsUnder(a.body!);
    const innerNow = functionsUnder(b.body!);
    for (const [k, f] of inner.entries()) moved.set(f, innerNow[k]!);
  }
  let same = 0;
  const most = Math.min(before.text.length, after.text.length);
  while (same < most && before.text.charCodeAt(same) === after.text.charCodeAt(same)) same++;
  const unshifted = new Set<FunctionNode>();
  for (const [a, b] of moved) if (a.end <= same && a.pos === b.pos && a.end === b.end) unshifted.add(a);
  return { moved, changed, names, unshifted };
}

/** `UseTypeOfFunction`: a function-typed member prints as `typeof fast`, so two functions of one signature differ. */
const TYPE_TEXT = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseFullyQualifiedType | ts.TypeFormatFlags.WriteTypeArgumentsOfSignature | ts.TypeFormatFlags.UseTypeOfFunction;

/** Whether a function body declares a type (`interface`, `type`, `class`, `enum`), whose name a return type may print. */
function declaresTypes(body: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n) || ts.isClassLike(n) || ts.isEnumDeclaration(n)) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(body);
  return found;
}

/** How a signature's inferred result prints: its return type and its type predicate (`r is A`), if any. */
function resultText(checker: ts.TypeChecker, fn: FunctionNode): string | undefined {
  const sig = checker.getSignatureFromDeclaration(fn);
  if (!sig) return undefined;
  const predicate = checker.getTypePredicateOfSignature(sig);
  return `${checker.typeToString(checker.getReturnTypeOfSignature(sig), undefined, TYPE_TEXT)}|${predicate ? checker.typePredicateToString(predicate, undefined, TYPE_TEXT) : ''}`;
}

/**
 * For each changed function without a declared return type (nor a setter, which has none): whether the old
 * checker's inferred return type and type predicate of the old version print as the new checker's of the new
 * one. False for a changed constructor, whose assignments can type its class's properties, and for a body that
 * declares its own types: two different local `Row`s print alike.
 */
export function inferredReturnTypesMatch(changed: readonly [FunctionNode, FunctionNode][], before: ts.TypeChecker, after: ts.TypeChecker): boolean {
  for (const [a, b] of changed) {
    if (ts.isConstructorDeclaration(b)) return false;
    if (b.type || ts.isSetAccessorDeclaration(b)) continue;
    if (declaresTypes(a.body!) || declaresTypes(b.body!)) return false;
    try {
      const old = resultText(before, a);
      if (old === undefined || old !== resultText(after, b)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** `require()` and `import()`, with the module's path when it is a string literal. */
const DYNAMIC_IMPORT = /\b(?:require|import)\s*\(\s*(?:(['"])([^'"\n]*)\1)?/g;

/**
 * Whether an importer of a file whose edit added or removed the declarations `names` (ShapeMatch.names) may see
 * them: it spells one of them; it loads a changed file with `require()` or `import()` (`loadsChanged` resolves
 * the path), or any module by a computed path; it re-exports a module as a namespace (`export * as m`); or it
 * uses a namespace import as a value (`Object.values(m)`, `typeof m`) rather than only to read properties
 * (`m.fetch`, which spells what it reads). False when `names` is empty.
 */
export function importerMaySee(sf: ts.SourceFile, names: readonly string[], loadsChanged: (specifier: string, from: ts.SourceFile) => boolean): boolean {
  if (names.length === 0) return false;
  if (names.some((n) => mentionsName(sf.text, n))) return true;
  for (const m of sf.text.matchAll(DYNAMIC_IMPORT)) if (m[2] === undefined || loadsChanged(m[2], sf)) return true;
  const namespaces = new Set<string>();
  for (const st of sf.statements) {
    if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamespaceExport(st.exportClause)) return true;
    const bindings = ts.isImportDeclaration(st) ? st.importClause?.namedBindings : undefined;
    if (bindings && ts.isNamespaceImport(bindings)) namespaces.add(bindings.name.text);
  }
  return namespaces.size > 0 && !onlyPropertyReads(sf, namespaces);
}

/**
 * Whether every identifier spelled as one of `names` in `sf` (namespace imports) is the import itself or reads a
 * property: `ns.x`, `ns?.x`, the type `ns.T`. A property name spelled alike (`a.ns`) counts too: it only says no
 * more often.
 */
function onlyPropertyReads(sf: ts.SourceFile, names: ReadonlySet<string>): boolean {
  const visit = (n: ts.Node): boolean => {
    if (ts.isIdentifier(n)) {
      if (!names.has(n.text)) return false;
      const p = n.parent;
      return !(ts.isNamespaceImport(p) || (ts.isPropertyAccessExpression(p) && p.expression === n) || (ts.isQualifiedName(p) && p.left === n));
    }
    return ts.forEachChild(n, visit) === true;
  };
  return !visit(sf);
}
