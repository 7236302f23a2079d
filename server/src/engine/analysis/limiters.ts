/**
 * Recognises concurrency limiters, so fan-out that goes through one stays silent: p-limit (`limit(() => …)`),
 * p-queue (`queue.add`), Bottleneck (`limiter.schedule`, `limiter.wrap`), p-throttle, async's `*Limit`
 * functions, and chunk-and-await waves (`for (const batch of chunks) await Promise.all(batch.map(…))`).
 */
import { ts } from 'ts-morph';
import { isFunctionWithBody, skipOuter } from '../ast';
import type { CalleeInfo } from '../resolve';
import { callMatches } from './patterns';
import { isFixedSize } from './size';

/** Packages whose calls bound how many operations run at once. */
export const LIMITER_PACKAGES = new Set(['p-limit', 'p-queue', 'bottleneck', 'p-throttle', 'async', 'p-map', 'piscina', 'tinypool', 'limiter', 'p-all', 'p-series']);

/** The expressions a callback returns: its expression body, or each `return` of its block body. */
export function returnedExpressions(fn: ts.Node): ts.Expression[] {
  if (!isFunctionWithBody(fn)) return [];
  const body = fn.body!;
  if (!ts.isBlock(body)) return [skipOuter(body as ts.Expression)];
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isReturnStatement(n) && n.expression) out.push(skipOuter(n.expression));
    if (ts.isFunctionLike(n)) return;
    ts.forEachChild(n, visit);
  };
  visit(body);
  return out;
}

/**
 * True when a call goes through a limiter package (directly or via a value it created), or through a function
 * the user declared a limiter (`limiters` setting).
 */
export function isLimiterCall(calleeOf: (c: ts.CallExpression) => CalleeInfo | undefined, e: ts.Expression, extra: readonly string[] = []): boolean {
  const x = skipOuter(ts.isAwaitExpression(skipOuter(e)) ? (skipOuter(e) as ts.AwaitExpression).expression : e);
  if (!ts.isCallExpression(x)) return false;
  const callee = calleeOf(x);
  if (callee?.packageName && LIMITER_PACKAGES.has(callee.packageName)) return true;
  return extra.some((p) => callMatches(x, p, callee));
}

/**
 * True when every operation a callback starts goes through a limiter: `(x) => limit(() => send(x))`, or a block
 * body whose returns all do, or whose body awaits a limiter call.
 */
export function callbackIsLimited(calleeOf: (c: ts.CallExpression) => CalleeInfo | undefined, cb: ts.Node, extra: readonly string[] = []): boolean {
  const returns = returnedExpressions(cb);
  if (returns.length > 0 && returns.every((r) => isLimiterCall(calleeOf, r, extra))) return true;
  if (!isFunctionWithBody(cb) || !ts.isBlock(cb.body!)) return false;
  // async (x) => { await limit(() => …) } — the first await goes through the limiter.
  let firstAwait: ts.AwaitExpression | undefined;
  const visit = (n: ts.Node): void => {
    if (firstAwait) return;
    if (ts.isAwaitExpression(n)) firstAwait = n;
    else if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  visit(cb.body!);
  return !!firstAwait && isLimiterCall(calleeOf, firstAwait.expression, extra);
}

/**
 * True when a fan-out over `receiver` happens one bounded wave at a time: the receiver is the element of an
 * enclosing `for…of` (a chunk) or a constant-length slice, and the fan-out is awaited inside that loop.
 */
export function isAwaitedWave(checker: ts.TypeChecker, receiver: ts.Expression, fanout: ts.Node): boolean {
  const r = skipOuter(receiver);
  let awaited = false;
  for (let p: ts.Node | undefined = fanout.parent; p; p = p.parent) {
    if (ts.isAwaitExpression(p)) awaited = true;
    if (isFunctionWithBody(p)) return false;
    if (!awaited) continue;
    if (ts.isIterationStatement(p, false)) {
      if (ts.isCallExpression(r) && isFixedSize(checker, r)) return true;
      if (ts.isForOfStatement(p) && ts.isIdentifier(r) && ts.isVariableDeclarationList(p.initializer)) {
        const decl = p.initializer.declarations[0];
        if (decl && ts.isIdentifier(decl.name) && decl.name.text === r.text) return true;
      }
      if (ts.isIdentifier(r)) {
        // const batch = items.slice(i, i + 25) declared inside the loop
        try {
          const d = checker.getSymbolAtLocation(r)?.valueDeclaration;
          if (d && ts.isVariableDeclaration(d) && d.initializer && d.pos > p.pos && d.end < p.end && isFixedSize(checker, d.initializer)) return true;
        } catch {
          return false;
        }
      }
    }
  }
  return false;
}
