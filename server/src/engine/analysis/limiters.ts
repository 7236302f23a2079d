/**
 * Recognises concurrency limiters, so fan-out that goes through one stays silent: p-limit (`limit(() => …)`),
 * p-queue (`queue.add`), Bottleneck (`limiter.schedule`, `limiter.wrap`), p-throttle, async's `*Limit`
 * functions, and chunk-and-await waves (`for (const batch of chunks) await Promise.all(batch.map(…))`).
 */
import { ts } from 'ts-morph';
import { isFunctionWithBody, skipOuter } from '../ast';
import type { DetectEnv } from '../rules/rule';
import { callMatches } from './patterns';
import { isFixedSize } from './size';

/** Packages whose calls bound how many operations run at once. */
export const LIMITER_PACKAGES = new Set(['p-limit', 'p-queue', 'bottleneck', 'p-throttle', 'async', 'p-map', 'piscina', 'tinypool', 'limiter', 'p-all', 'p-series']);

/** What the limiter checks ask: a call's callee, and who to tell of a callee body read (DetectEnv.readsBody). */
export type LimiterEnv = Pick<DetectEnv, 'callee' | 'readsBody'>;

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
export function isLimiterCall(env: LimiterEnv, e: ts.Expression, extra: readonly string[] = []): boolean {
  const x = skipOuter(ts.isAwaitExpression(skipOuter(e)) ? (skipOuter(e) as ts.AwaitExpression).expression : e);
  if (!ts.isCallExpression(x)) return false;
  const callee = env.callee(x);
  if (callee?.packageName && LIMITER_PACKAGES.has(callee.packageName)) return true;
  if (extra.some((p) => callMatches(x, p, callee))) return true;
  // A project function that only hands its work to a limiter (`async function limit(fn) { return (await limiter)(fn) }`,
  // the CommonJS form of the p-limit fix) is a limiter too; one level deep, so recursion cannot loop.
  if (callee?.body) env.readsBody?.(callee.body);
  const forwarded = callee?.body ? returnedExpressions(callee.body) : [];
  return (
    forwarded.length > 0 &&
    forwarded.every((r) => {
      const inner = skipOuter(ts.isAwaitExpression(r) ? r.expression : r);
      const c = ts.isCallExpression(inner) ? env.callee(inner) : undefined;
      return !!c?.packageName && LIMITER_PACKAGES.has(c.packageName);
    })
  );
}

/**
 * True when every operation a callback starts goes through a limiter: `(x) => limit(() => send(x))`, or a block
 * body whose returns all do, or whose body awaits a limiter call.
 */
export function callbackIsLimited(env: LimiterEnv, cb: ts.Node, extra: readonly string[] = []): boolean {
  const returns = returnedExpressions(cb);
  if (returns.length > 0 && returns.every((r) => isLimiterCall(env, r, extra))) return true;
  if (!isFunctionWithBody(cb) || !ts.isBlock(cb.body!)) return false;
  // async (x) => { await limit(() => …) } — the first await goes through the limiter.
  let firstAwait: ts.AwaitExpression | undefined;
  const visit = (n: ts.Node): void => {
    if (firstAwait) return;
    if (ts.isAwaitExpression(n)) firstAwait = n;
    else if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  visit(cb.body!);
  return !!firstAwait && isLimiterCall(env, firstAwait.expression, extra);
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
      if (ts.isCallExpression(r) && (isFixedSize(checker, r) || isStepSlice(p, r))) return true;
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

/** `xs.slice(i, i + n)` inside `for (…; …; i += n)`: each pass takes one wave of n, whatever n is. */
function isStepSlice(loop: ts.IterationStatement, call: ts.CallExpression): boolean {
  if (!ts.isForStatement(loop) || !loop.incrementor || !ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'slice') return false;
  const [from, to] = call.arguments;
  const inc = loop.incrementor;
  if (!from || !to || !ts.isIdentifier(from) || !ts.isBinaryExpression(inc) || inc.operatorToken.kind !== ts.SyntaxKind.PlusEqualsToken) return false;
  if (!ts.isIdentifier(inc.left) || inc.left.text !== from.text) return false;
  const end = skipOuter(to);
  return ts.isBinaryExpression(end) && end.operatorToken.kind === ts.SyntaxKind.PlusToken && ts.isIdentifier(end.left) && end.left.text === from.text && end.right.getText() === inc.right.getText();
}
