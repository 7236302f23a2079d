/**
 * The walk over a function's own synchronous work: its body, plus callbacks it passes inline to calls
 * (`xs.map(cb)`, `new Promise(executor)`, `.then(cb)`, wrappers), but not functions it only defines, returns or
 * registers as other handlers (listeners, timers), which run at another time.
 */
import { ts } from 'ts-morph';
import { isFunctionWithBody } from '../ast';

/** True when a nested function runs inline, as part of the enclosing function's work. */
export function isInlineCallback(fn: ts.Node, isHandlerFn: (n: ts.Node) => boolean): boolean {
  if (isHandlerFn(fn)) return false;
  let p = fn.parent;
  while (p && (ts.isParenthesizedExpression(p) || ts.isAsExpression(p))) p = p.parent;
  if (!p) return false;
  if ((ts.isCallExpression(p) || ts.isNewExpression(p)) && (p.arguments ?? []).some((a) => a === fn || (ts.isParenthesizedExpression(a) && a.expression === fn))) return true;
  if (ts.isCallExpression(p) && (p.expression === fn || (ts.isParenthesizedExpression(p.expression) && p.expression.expression === fn))) return true; // IIFE
  return false;
}

/**
 * Visits every node of `root`'s own work (see module doc), depth-first, starting with `root` itself (or, for a
 * function, its body). `visit` returns false to skip a node's children.
 */
export function walkOwnWork(root: ts.Node, isInline: (fn: ts.Node) => boolean, visit: (n: ts.Node) => boolean | void): void {
  const rec = (n: ts.Node): void => {
    if (isFunctionWithBody(n) && !isInline(n)) return;
    if (ts.isClassLike(n) && n !== root) return;
    if (visit(n) === false) return;
    ts.forEachChild(n, rec);
  };
  rec(isFunctionWithBody(root) ? root.body! : root);
}
