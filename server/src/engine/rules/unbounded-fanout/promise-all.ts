/**
 * unbounded-fanout/promise-all
 *
 * What it does: reports `xs.map(cb)` (and `flatMap`) whose callback starts a promise per element of a
 * data-sized array — typically inside `Promise.all/allSettled/any/race` — when nothing bounds how many run at
 * once. Silent when the callback goes through a limiter (p-limit, p-queue, Bottleneck …), when the array is a
 * literal, a tuple or a constant-length slice, and when each wave is a chunk awaited inside a loop.
 *
 * Why it is bad: every operation starts at once. The resource behind them (a DB pool, a remote API, the disk,
 * libuv's 4-thread pool) has a right level of concurrency; past it, work queues inside the resource, memory
 * grows with the input and errors follow (EMFILE, ECONNRESET, pool timeouts, rate limits). p-limit's README
 * (https://github.com/sindresorhus/p-limit) and Node's libuv thread-pool docs
 * (https://nodejs.org/api/cli.html#uv_threadpool_sizesize) describe the bound to apply.
 */
import { ts } from 'ts-morph';
import { calleeName, locationOf, receiverOf, rangeOf, shortText } from '../../ast';
import { consumingCombinator, dataSizedCollection, mapsToPromises } from '../../analysis/fanout';
import { callbackIsLimited, isAwaitedWave } from '../../analysis/limiters';
import type { RuleMeta } from '../registry';
import type { Rule } from '../rule';

export const meta: RuleMeta = {
  id: 'unbounded-fanout/promise-all',
  family: 'unbounded-fanout',
  description: 'Promise.all/allSettled/any/race over an array mapped from a data-sized collection starts every operation at once.',
  defaultSeverity: 'warning',
  fixIds: ['looplens.wrap-p-limit', 'looplens.disable-next-line'],
};

export const rule: Rule = {
  meta,
  messages: {
    mapped: '{combinator}`{receiver}.{method}(…)` starts one `{operation}` per element at once in {handler}; the number in flight grows with `{receiver}`. Bound it with a concurrency limit (p-limit, p-map `concurrency`) sized to the resource.',
  },
  detect(node, env) {
    if (!ts.isCallExpression(node)) return undefined;
    const method = calleeName(node);
    if (method !== 'map' && method !== 'flatMap') return undefined;
    const receiver = receiverOf(node);
    const cb = node.arguments[0];
    if (!receiver || !cb) return undefined;
    const size = dataSizedCollection(env.checker, receiver);
    if (!size || !mapsToPromises(env.checker, node)) return undefined;
    if (callbackIsLimited((c) => env.callee(c), cb, env.settings.limiters) || isAwaitedWave(env.checker, receiver, node)) return undefined;
    const combinator = consumingCombinator(node);
    const reportAt = combinator ? combinator.expression : node.expression;
    const op = ts.isArrowFunction(cb) && !ts.isBlock(cb.body) ? shortText(cb.body, 40, env.sf) : shortText(cb, 40, env.sf);
    const loc = locationOf(reportAt, env.sf);
    return {
      ruleId: meta.id,
      family: 'unbounded-fanout',
      node,
      location: loc,
      messageId: 'mapped',
      data: {
        combinator: combinator ? `\`${combinator.expression.getText(env.sf)}\` over ` : '',
        receiver: size,
        method,
        operation: op,
      },
      fix: {
        kind: 'limit-fanout',
        launch: rangeOf(env.sf, cb.getStart(env.sf), cb.getEnd()),
        limit: env.settings.concurrencyIo,
        limitReason: 'looplens.concurrency.io setting',
      },
      reason: `fan-out over ${size}`,
    };
  },
};
