/**
 * unbounded-fanout/loop-push
 *
 * What it does: reports a data-sized loop (`for`, `for…of`, `while`) that never awaits but starts a promise on
 * each iteration — pushing it into an array (`pending.push(send(x))`), storing it (`ps[i] = send(x)`) or
 * dropping it (`send(x);`, `void send(x)`). Reported at the loop header. Calls through a limiter are silent.
 *
 * Why it is bad: the loop finishes at once with every operation in flight; whatever awaits the array later,
 * the resource behind it has already received all of them (see unbounded-fanout/promise-all).
 */
import { ts } from 'ts-morph';
import { calleeName, headerLocation, shortText, skipOuter } from '../../ast';
import { isDataLoop, loopAwaits } from '../../analysis/loops';
import { isLimiterCall } from '../../analysis/limiters';
import { limitFanoutData } from '../../analysis/concurrency';
import { sizeSource } from '../../analysis/size';
import { sizeOriginText } from '../../analysis/fanout';
import { walkOwnWork } from '../../analysis/walk';
import { returnsPromise } from '../../resolve';
import type { RuleMeta } from '../registry';
import type { Rule } from '../rule';

export const meta: RuleMeta = {
  id: 'unbounded-fanout/loop-push',
  family: 'unbounded-fanout',
  description: 'A loop starts one promise per item without awaiting it, so every operation is in flight at once.',
  defaultSeverity: 'warning',
  fixIds: ['looplens.wrap-p-limit', 'looplens.install-dependency', 'looplens.disable-next-line'],
};

const COLLECT = new Set(['push', 'unshift', 'add', 'set']);

/** The promise-starting call a statement launches without awaiting it, if any. */
function launchedCall(n: ts.Node, checker: ts.TypeChecker): ts.CallExpression | undefined {
  let candidate: ts.Expression | undefined;
  if (ts.isCallExpression(n) && COLLECT.has(calleeName(n) ?? '') && n.arguments.length > 0) {
    candidate = n.arguments[n.arguments.length - 1];
  } else if (ts.isExpressionStatement(n)) {
    const e = skipOuter(n.expression);
    if (ts.isVoidExpression(e)) candidate = e.expression;
    else if (ts.isCallExpression(e)) candidate = e;
    else if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isElementAccessExpression(e.left)) candidate = e.right;
  }
  const c = candidate && skipOuter(candidate);
  return c && ts.isCallExpression(c) && returnsPromise(checker, c) ? c : undefined;
}

export const rule: Rule = {
  meta,
  messages: {
    loopPush: 'Loop over `{subject}`{origin} starts `{operation}` on every iteration without awaiting it, in {handler}: all of them run at once and the number grows with the data. Bound them with a concurrency limit (p-limit) or await each one.',
  },
  detect(node, env) {
    if (!ts.isIterationStatement(node, false) || loopAwaits(node) || !isDataLoop(env.checker, node)) return undefined;
    let launched: ts.CallExpression | undefined;
    walkOwnWork(node.statement, env.isInline, (n) => {
      if (launched) return false;
      if (ts.isFunctionLike(n)) return false;
      const c = launchedCall(n, env.checker);
      if (c && !isLimiterCall(env, c, env.settings.limiters)) {
        launched = c;
        return false;
      }
      return undefined;
    });
    if (!launched) return undefined;
    const collection = ts.isForOfStatement(node) || ts.isForInStatement(node) ? node.expression : undefined;
    const subject = collection ? sizeSource(collection) : 'a data-dependent bound';
    return {
      ruleId: meta.id,
      family: 'unbounded-fanout',
      node,
      location: headerLocation(node, env.sf),
      messageId: 'loopPush',
      data: { subject, origin: collection ? sizeOriginText(env, collection) : '', operation: shortText(launched, 40, env.sf) },
      fix: limitFanoutData(env, launched),
      reason: `promises started in a loop over ${subject}`,
    };
  },
};
