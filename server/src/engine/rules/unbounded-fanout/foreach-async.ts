/**
 * unbounded-fanout/foreach-async
 *
 * What it does: reports `xs.forEach(cb)` over a data-sized array where `cb` is async or returns a promise.
 *
 * Why it is bad: `forEach` ignores the promises: every iteration starts at once, nothing waits for them, and
 * their errors become unhandled rejections (MDN, Array.prototype.forEach: "forEach() expects a synchronous
 * function"; https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Array/forEach).
 * The resource behind them sees the whole array's worth of requests at once.
 */
import { ts } from 'ts-morph';
import { calleeName, locationOf, receiverOf } from '../../ast';
import { callbackReturnsPromise, dataSizedCollection, sizeOriginText } from '../../analysis/fanout';
import { callbackIsLimited } from '../../analysis/limiters';
import { limitFanoutData } from '../../analysis/concurrency';
import { callbackIsAsync } from '../../analysis/loops';
import type { RuleMeta } from '../registry';
import type { Rule } from '../rule';

export const meta: RuleMeta = {
  id: 'unbounded-fanout/foreach-async',
  family: 'unbounded-fanout',
  description: 'forEach with an async callback starts every operation at once and awaits none of them.',
  defaultSeverity: 'warning',
  fixIds: ['looplens.p-map', 'looplens.chunked', 'looplens.install-dependency', 'looplens.disable-next-line'],
};

export const rule: Rule = {
  meta,
  messages: {
    forEachAsync: '`{receiver}.forEach({callback})` in {handler} starts one operation per element at once and awaits none of them; the number in flight grows with `{receiver}`{origin} and failures go unhandled. Use `for…of` with `await`, or p-map with a `concurrency` limit.',
  },
  detect(node, env) {
    if (!ts.isCallExpression(node) || calleeName(node) !== 'forEach') return undefined;
    const receiver = receiverOf(node);
    const cb = node.arguments[0];
    if (!receiver || !cb) return undefined;
    if (!callbackIsAsync(env.checker, cb) && !callbackReturnsPromise(env.checker, cb)) return undefined;
    const size = dataSizedCollection(env.checker, receiver, env);
    if (!size || callbackIsLimited(env, cb, env.settings.limiters)) return undefined;
    return {
      ruleId: meta.id,
      family: 'unbounded-fanout',
      node,
      location: locationOf(node.expression, env.sf),
      messageId: 'forEachAsync',
      data: { receiver: size, origin: sizeOriginText(env, receiver), callback: callbackIsAsync(env.checker, cb) ? 'async …' : '… => promise' },
      // Rewritten to an awaited p-map or chunked run (fixes/p-map.ts, fixes/chunked.ts); a p-limit wrap would leave the promises unawaited.
      fix: limitFanoutData(env, cb),
      reason: `forEach(async) over ${size}`,
    };
  },
};
