/**
 * Whether an edit kept a file's shape: its text outside function bodies is unchanged, so are its declarations,
 * exports and signatures, and files that import it see the same types as before, provided the functions whose
 * body changed declare their return type or still infer the same one. Most keystrokes in a service are edits
 * of this kind; for them the analyses of the other files are kept (./incremental.ts), their references to the
 * file's functions moved to the new nodes.
 */
import { ts } from 'ts-morph';
import { isFunctionWithBody, type FunctionNode } from '../ast';

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
}

/** The outermost functions of `sf` in document order: those not inside another function's body. */
function outermostFunctions(sf: ts.SourceFile): FunctionNode[] {
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
  visit(sf);
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

/** `sf`'s text with the body of each of `fns` (outermost, in document order) cut out. */
function skeleton(sf: ts.SourceFile, fns: readonly FunctionNode[]): string {
  const parts: string[] = [];
  let at = 0;
  for (const fn of fns) {
    parts.push(sf.text.slice(at, fn.body!.pos));
    at = fn.body!.end;
  }
  parts.push(sf.text.slice(at));
  return parts.join('\u0000');
}

/**
 * Compares two versions of a TypeScript file. Returns how its functions moved when the text outside function
 * bodies is identical, else undefined (also for JavaScript, whose declarations TypeScript infers from code in
 * bodies: `this.x =` in a constructor, `module.exports =` anywhere). Whether the changed bodies still give their
 * functions the same return types is for the caller to check with the two checkers ({@link inferredReturnTypesMatch}).
 */
export function matchShape(before: ts.SourceFile, after: ts.SourceFile): ShapeMatch | undefined {
  if (/\.[cm]?jsx?$/i.test(after.fileName)) return undefined;
  const old = outermostFunctions(before);
  const now = outermostFunctions(after);
  if (old.length !== now.length || skeleton(before, old) !== skeleton(after, now)) return undefined;
  const moved = new Map<FunctionNode, FunctionNode>();
  const changed: [FunctionNode, FunctionNode][] = [];
  for (const [i, a] of old.entries()) {
    const b = now[i]!;
    moved.set(a, b);
    if (before.text.slice(a.body!.pos, a.body!.end) !== after.text.slice(b.body!.pos, b.body!.end)) {
      changed.push([a, b]);
      continue;
    }
    const inner = functionsUnder(a.body!);
    const innerNow = functionsUnder(b.body!);
    for (const [k, f] of inner.entries()) moved.set(f, innerNow[k]!);
  }
  return { moved, changed };
}

const TYPE_TEXT = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseFullyQualifiedType | ts.TypeFormatFlags.WriteTypeArgumentsOfSignature;

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

/**
 * For each changed function without a declared return type (nor a constructor or setter, which have none):
 * whether the old checker's inferred return type of the old version prints as the new checker's of the new
 * one. A body that declares its own types answers false: two different local `Row`s print alike.
 */
export function inferredReturnTypesMatch(changed: readonly [FunctionNode, FunctionNode][], before: ts.TypeChecker, after: ts.TypeChecker): boolean {
  for (const [a, b] of changed) {
    if (b.type || ts.isConstructorDeclaration(b) || ts.isSetAccessorDeclaration(b)) continue;
    if (declaresTypes(a.body!) || declaresTypes(b.body!)) return false;
    try {
      const old = before.getSignatureFromDeclaration(a);
      const now = after.getSignatureFromDeclaration(b);
      if (!old || !now) return false;
      if (before.typeToString(before.getReturnTypeOfSignature(old), undefined, TYPE_TEXT) !== after.typeToString(after.getReturnTypeOfSignature(now), undefined, TYPE_TEXT)) return false;
    } catch {
      return false;
    }
  }
  return true;
}
