/** Shared checks for the unbounded-fanout rules: is a collection data-sized, does a callback start a promise. */
import { ts } from 'ts-morph';
import { skipOuter } from '../ast';
import { isThenable } from '../resolve';
import { isArrayLike, isFixedSize, sizeSource } from './size';
import { describeOrigin, originOf, type OriginEnv } from './provenance';

/** The element type of an array type, if it is one. */
export function elementType(checker: ts.TypeChecker, t: ts.Type): ts.Type | undefined {
  if (checker.isArrayType(t) || checker.isTupleType(t)) return checker.getTypeArguments(t as ts.TypeReference)[0];
  return undefined;
}

/** True when `xs.map(cb)` produces promises: its result is an array of thenables. */
export function mapsToPromises(checker: ts.TypeChecker, mapCall: ts.CallExpression): boolean {
  try {
    const type = checker.getTypeAtLocation(mapCall);
    // `req.body.ids.map(…)` on an untyped body is `any`: what the callback returns tells instead.
    if (type.flags & ts.TypeFlags.Any) return !!mapCall.arguments[0] && callbackReturnsPromise(checker, mapCall.arguments[0]);
    const el = elementType(checker, type);
    return !!el && isThenable(checker, el);
  } catch {
    return false;
  }
}

/**
 * True when an array already holds promises (`pending.map(async (p) => …)`): mapping it wraps operations that
 * were started elsewhere, it launches none.
 */
export function holdsPromises(checker: ts.TypeChecker, receiver: ts.Expression): boolean {
  try {
    const el = elementType(checker, checker.getNonNullableType(checker.getTypeAtLocation(receiver)));
    return !!el && isThenable(checker, el);
  } catch {
    return false;
  }
}

/** True when a function value (inline or reference) returns a promise. */
export function callbackReturnsPromise(checker: ts.TypeChecker, cb: ts.Expression): boolean {
  try {
    for (const sig of checker.getTypeAtLocation(skipOuter(cb)).getCallSignatures()) {
      if (isThenable(checker, sig.getReturnType())) return true;
    }
  } catch {
    return false;
  }
  return false;
}

/**
 * For a data-sized array receiver, what its size depends on (for messages); undefined when it is fixed. With
 * `env`, a receiver typed `any` counts when provenance traces it to request input (`req.body.ids` where
 * `@types/express` types the body `any`, or plain JavaScript): the array methods called on it say it is a list,
 * and its length is the client's to choose.
 */
export function dataSizedCollection(checker: ts.TypeChecker, receiver: ts.Expression, env?: OriginEnv): string | undefined {
  const listed = isArrayLike(checker, receiver) || (!!env && isAnyTyped(checker, receiver) && originOf(env, receiver).kind === 'request');
  return listed && !isFixedSize(checker, receiver) ? sizeSource(receiver) : undefined;
}

/** True when the checker types an expression `any` (never throws). */
export function isAnyTyped(checker: ts.TypeChecker, e: ts.Expression): boolean {
  try {
    return !!(checker.getTypeAtLocation(e).flags & ts.TypeFlags.Any);
  } catch {
    return false;
  }
}

const PROMISE_COMBINATORS = new Set(['all', 'allSettled', 'any', 'race']);

/** The `Promise.all(…)`-style call that directly consumes an expression, if any. */
export function consumingCombinator(expr: ts.Node): ts.CallExpression | undefined {
  let p = expr.parent;
  while (p && (ts.isParenthesizedExpression(p) || ts.isAsExpression(p))) p = p.parent;
  if (p && ts.isCallExpression(p) && ts.isPropertyAccessExpression(p.expression) && ts.isIdentifier(p.expression.expression)) {
    if (p.expression.expression.text === 'Promise' && PROMISE_COMBINATORS.has(p.expression.name.text)) return p;
  }
  return undefined;
}

/**
 * For a fan-out message: where a data-sized collection's size comes from, ` (from \`await db.rows()\`)`,
 * ` (request input)`, ` (parameter \`items\` of \`syncAll\`)`; empty when provenance (provenance.ts) cannot
 * tell. Says nothing about whether the collection is data-sized: the rules decide that before asking.
 */
export function sizeOriginText(env: OriginEnv, collection: ts.Expression): string {
  const o = originOf(env, collection);
  const shown = sizeSource(collection);
  // `Loop over \`await db.rows()\`` already names the call it comes from.
  if (o.kind === 'result' && o.detail === shown) return '';
  return describeOrigin(o, shown);
}
