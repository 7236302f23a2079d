/**
 * What counts as a loop, whether its trip count depends on data, and whether it yields to the event loop.
 * Array methods with callbacks (`xs.map(cb)`, `xs.filter(cb)` …) are loops too; `includes`/`indexOf` on an
 * array are linear scans.
 */
import { ts } from 'ts-morph';
import { calleeName, isFunctionWithBody, receiverOf, skipOuter } from '../ast';
import { isArrayLike, isFixedSize } from './size';

/** Array methods that call their callback once per element. */
export const ITERATION_METHODS = new Set([
  'map', 'filter', 'forEach', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex', 'findLast',
  'findLastIndex', 'flatMap', 'sort', 'toSorted',
]);

/**
 * Array methods that scan the whole array without a callback: O(n) per call. (`shift`/`splice` are O(n) too, but
 * in service code they mostly run on short local arrays; counting them cost more false reports than it found.)
 */
export const SCAN_METHODS = new Set(['includes', 'indexOf', 'lastIndexOf']);

/** A loop statement or an array-method call with a callback. */
export type LoopNode = ts.IterationStatement | ts.CallExpression;

/** The callback of an array-method loop (inline function or reference). */
export function loopCallback(call: ts.CallExpression): ts.Expression | undefined {
  return call.arguments[0];
}

/** True for `xs.map(cb)`-style calls on an array receiver. */
export function isArrayMethodLoop(checker: ts.TypeChecker, node: ts.Node): node is ts.CallExpression {
  if (!ts.isCallExpression(node)) return false;
  const name = calleeName(node);
  const recv = receiverOf(node);
  return !!name && !!recv && ITERATION_METHODS.has(name) && node.arguments.length > 0 && isArrayLike(checker, recv);
}

/**
 * True for `xs.includes(x)`-style scans on a data-sized array, and for copies of a growing accumulator
 * (`[...acc, x]`, `{ ...acc, [k]: v }`, `acc.concat(x)` inside a reduce): each is O(n), so inside a loop the
 * loop is O(n²).
 */
export function isDataScan(checker: ts.TypeChecker, node: ts.Node): boolean {
  if ((ts.isSpreadElement(node) || ts.isSpreadAssignment(node)) && ts.isIdentifier(node.expression)) return isReduceAccumulator(node.expression);
  if (ts.isCallExpression(node) && calleeName(node) === 'concat') {
    const recv = receiverOf(node);
    if (recv && ts.isIdentifier(recv) && isReduceAccumulator(recv)) return true;
  }
  if (!ts.isCallExpression(node)) return false;
  const name = calleeName(node);
  const recv = receiverOf(node);
  return !!name && !!recv && SCAN_METHODS.has(name) && isArrayLike(checker, recv) && !isFixedSize(checker, recv);
}

/** True when an identifier is the accumulator parameter of a `reduce` callback it appears in. */
function isReduceAccumulator(id: ts.Identifier): boolean {
  for (let p: ts.Node | undefined = id.parent; p; p = p.parent) {
    if (isFunctionWithBody(p)) {
      const first = p.parameters[0];
      const call = p.parent;
      return (
        !!first && ts.isIdentifier(first.name) && first.name.text === id.text &&
        ts.isCallExpression(call) && (calleeName(call) === 'reduce' || calleeName(call) === 'reduceRight') && call.arguments[0] === p
      );
    }
  }
  return false;
}

/**
 * The collection a loop or scan walks: the receiver of `xs.map(…)`/`xs.includes(…)`, the iterated expression of
 * `for…of`/`for…in`, `xs` in `for (…; i < xs.length; …)`; undefined for `while` loops and other bounds.
 */
export function loopCollection(loop: ts.Node): ts.Expression | undefined {
  if (ts.isCallExpression(loop)) return receiverOf(loop);
  if (ts.isForOfStatement(loop) || ts.isForInStatement(loop)) return loop.expression;
  if (ts.isForStatement(loop) && loop.condition) {
    const c = skipOuter(loop.condition);
    if (ts.isBinaryExpression(c)) {
      const bound = skipOuter(c.right);
      if (ts.isPropertyAccessExpression(bound) && bound.name.text === 'length') return bound.expression;
    }
  }
  return undefined;
}

/**
 * Whether a collection holds rows (objects, or the characters of a text) rather than fields (primitives such
 * as column names, role ids, keys). Nested work is quadratic in the data only when the inner collection grows
 * with it too: rows × rows, or ids × ids; rows × their columns is linear in the rows. `any` counts as a field
 * (an untyped row's value); other types that are not arrays or sets (strings, Maps, iterables) count as rows.
 */
export function holdsRows(checker: ts.TypeChecker, collection: ts.Expression | undefined): boolean {
  if (!collection) return true;
  try {
    const t = checker.getNonNullableType(checker.getTypeAtLocation(collection));
    // `any` (a field of an untyped row, `row[column]`) says nothing about size: not counted as rows.
    if (t.flags & ts.TypeFlags.Any) return false;
    if (t.flags & ts.TypeFlags.StringLike) return true;
    const arrays = t.isUnion() ? t.types : [t];
    for (const a of arrays) {
      if (!checker.isArrayType(a) && !checker.isTupleType(a)) {
        const args = checker.getTypeArguments(a as ts.TypeReference);
        const name = a.getSymbol()?.getName();
        if ((name === 'Set' || name === 'ReadonlyArray' || name === 'ReadonlySet') && args[0]) {
          if (!isPrimitive(args[0])) return true;
          continue;
        }
        return true;
      }
      const el = checker.getTypeArguments(a as ts.TypeReference)[0];
      if (!el || !isPrimitive(el)) return true;
    }
    return false;
  } catch {
    return true;
  }
}

function isPrimitive(t: ts.Type): boolean {
  const flags = ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.EnumLike | ts.TypeFlags.BigIntLike;
  if (t.isUnion()) return t.types.every((x) => isPrimitive(x) || !!(x.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)));
  return !!(t.flags & flags);
}

/** True when a loop's trip count depends on data rather than on constants in the code. */
export function isDataLoop(checker: ts.TypeChecker, loop: LoopNode): boolean {
  if (ts.isCallExpression(loop)) {
    const recv = receiverOf(loop);
    return !!recv && !isFixedSize(checker, recv);
  }
  // for…in walks an object's own keys: bounded by its shape, like Object.keys (see size.ts).
  if (ts.isForInStatement(loop)) return false;
  if (ts.isForOfStatement(loop)) return !isFixedSize(checker, loop.expression);
  if (ts.isForStatement(loop)) {
    const cond = loop.condition && skipOuter(loop.condition);
    if (!cond) return true;
    if (ts.isBinaryExpression(cond)) {
      const k = cond.operatorToken.kind;
      if (k === ts.SyntaxKind.LessThanToken || k === ts.SyntaxKind.LessThanEqualsToken) return !isFixedSize(checker, cond.right);
      if (k === ts.SyntaxKind.GreaterThanToken || k === ts.SyntaxKind.GreaterThanEqualsToken) {
        // i > 0 counting down from a fixed start, or n > i
        return !(isFixedSize(checker, cond.left) || isFixedSize(checker, cond.right));
      }
    }
    return true;
  }
  // while / do: bounded only by a comparison against a constant.
  const cond = skipOuter((loop as ts.WhileStatement | ts.DoStatement).expression);
  if (ts.isBinaryExpression(cond)) {
    const k = cond.operatorToken.kind;
    if (k === ts.SyntaxKind.LessThanToken || k === ts.SyntaxKind.LessThanEqualsToken) return !isFixedSize(checker, cond.right);
  }
  return true;
}

/** True when the callback of an array-method loop is async or returns a promise (a fan-out, not CPU work). */
export function callbackIsAsync(checker: ts.TypeChecker, cb: ts.Expression | undefined): boolean {
  if (!cb) return false;
  const f = skipOuter(cb);
  if (isFunctionWithBody(f) && ts.canHaveModifiers(f) && (ts.getModifiers(f) ?? []).some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) return true;
  try {
    const sigs = checker.getTypeAtLocation(f).getCallSignatures();
    const ret = sigs[0]?.getReturnType();
    return !!ret && !!ret.getProperty('then');
  } catch {
    return false;
  }
}

/**
 * True when a loop statement's body awaits (or yields) outside nested functions: each iteration gives the event
 * loop a turn, so the loop is sequential I/O, not blocking CPU work.
 */
export function loopAwaits(loop: ts.Node): boolean {
  if (ts.isForOfStatement(loop) && loop.awaitModifier) return true;
  let found = false;
  const body = ts.isIterationStatement(loop, false) ? loop.statement : loop;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isAwaitExpression(n) || ts.isYieldExpression(n) || (ts.isForOfStatement(n) && n.awaitModifier)) {
      found = true;
      return;
    }
    if (ts.isFunctionLike(n)) return;
    ts.forEachChild(n, visit);
  };
  visit(body);
  if (ts.isForStatement(loop) && loop.condition) visit(loop.condition);
  if ((ts.isWhileStatement(loop) || ts.isDoStatement(loop)) && loop.expression) visit(loop.expression);
  return found;
}
