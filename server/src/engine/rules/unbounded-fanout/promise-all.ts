/**
 * unbounded-fanout/promise-all
 *
 * What it does: reports `xs.map(cb)` (and `flatMap`) whose callback starts a promise per element of a
 * data-sized array — typically inside `Promise.all/allSettled/any/race` — when nothing bounds how many run at
 * once, and p-map without `concurrency` or async's parallel collection functions (`async.map`) over such an
 * array. Silent when the callback goes through a limiter (p-limit, p-queue, Bottleneck …), when the array is a
 * literal, a tuple or a constant-length slice, and when each wave is a chunk awaited inside a loop.
 *
 * Why it is bad: every operation starts at once. The resource behind them (a DB pool, a remote API, the disk,
 * libuv's 4-thread pool) has a right level of concurrency; past it, work queues inside the resource, memory
 * grows with the input and errors follow (EMFILE, ECONNRESET, pool timeouts, rate limits). p-limit's README
 * (https://github.com/sindresorhus/p-limit) and Node's libuv thread-pool docs
 * (https://nodejs.org/api/cli.html#uv_threadpool_sizesize) describe the bound to apply.
 */
import { ts } from 'ts-morph';
import { calleeName, locationOf, receiverOf, shortText, skipOuter } from '../../ast';
import { consumingCombinator, dataSizedCollection, holdsPromises, mapsToPromises, sizeOriginText } from '../../analysis/fanout';
import { callbackIsLimited, isAwaitedWave } from '../../analysis/limiters';
import { limitFanoutData } from '../../analysis/concurrency';
import type { RuleMeta } from '../registry';
import type { FixData } from '../../types';
import type { DetectEnv, Detection, Rule } from '../rule';

export const meta: RuleMeta = {
  id: 'unbounded-fanout/promise-all',
  family: 'unbounded-fanout',
  description: 'Promise.all/allSettled/any/race over an array mapped from a data-sized collection starts every operation at once.',
  defaultSeverity: 'warning',
  fixIds: ['looplens.wrap-p-limit', 'looplens.p-map', 'looplens.chunked', 'looplens.p-map-concurrency', 'looplens.install-dependency', 'looplens.disable-next-line'],
};

/** async's collection functions that run every item at once; their `…Limit`/`…Series` forms are bounded. */
const ASYNC_PARALLEL = new Set(['each', 'forEach', 'map', 'eachOf', 'forEachOf', 'filter', 'reject', 'mapValues', 'concat', 'detect', 'some', 'every', 'groupBy', 'sortBy']);

/**
 * p-map without a `concurrency` option (its default is Infinity), and async's parallel collection functions
 * (`async.map`, `async.each` …), over a data-sized array.
 */
function unboundedLibraryCall(node: ts.CallExpression, env: DetectEnv): Detection | undefined {
  const callee = env.callee(node);
  const pkg = callee?.packageName;
  if (pkg !== 'p-map' && pkg !== 'async') return undefined;
  const [items, , options] = node.arguments;
  if (!items) return undefined;
  let why: string;
  let remedy: string;
  let fix: FixData = { kind: 'none' };
  if (pkg === 'p-map') {
    const opts = options && skipOuter(options);
    const hasConcurrency = !!opts && (!ts.isObjectLiteralExpression(opts) || opts.properties.some((p) => p.name?.getText() === 'concurrency'));
    if (hasConcurrency) return undefined;
    why = 'p-map runs with unbounded concurrency unless given `concurrency`';
    const mapper = node.arguments[1];
    fix = limitFanoutData(env, mapper ?? node, node);
    remedy = `\`{ concurrency: ${fix.kind === 'limit-fanout' ? fix.limit : env.settings.concurrencyIo} }\``;
  } else {
    if (!ASYNC_PARALLEL.has(callee!.name)) return undefined;
    why = `async.${callee!.name} starts every item in parallel`;
    remedy = `\`async.${callee!.name}Limit(items, ${env.settings.concurrencyIo}, fn)\``;
  }
  const size = dataSizedCollection(env.checker, items, env);
  if (!size) return undefined;
  return {
    ruleId: meta.id,
    family: 'unbounded-fanout',
    node,
    location: locationOf(node.expression, env.sf),
    messageId: 'library',
    data: { call: node.expression.getText(env.sf), receiver: size, origin: sizeOriginText(env, items), why, remedy },
    fix,
    reason: `fan-out over ${size}`,
  };
}

export const rule: Rule = {
  meta,
  messages: {
    library: '`{call}` over `{receiver}`{origin} in {handler} runs every operation at once: {why}. Pass a bound sized to the resource ({remedy}).',
    mapped: '{combinator}`{receiver}.{method}(…)` starts one `{operation}` per element at once in {handler}; the number in flight grows with `{receiver}`{origin}. Bound it with a concurrency limit (p-limit, p-map `concurrency`) sized to the resource.',
  },
  detect(node, env) {
    if (!ts.isCallExpression(node)) return undefined;
    const library = unboundedLibraryCall(node, env);
    if (library) return library;
    const method = calleeName(node);
    if (method !== 'map' && method !== 'flatMap') return undefined;
    const receiver = receiverOf(node);
    const cb = node.arguments[0];
    if (!receiver || !cb) return undefined;
    const size = dataSizedCollection(env.checker, receiver, env);
    if (!size || !mapsToPromises(env.checker, node) || holdsPromises(env.checker, receiver)) return undefined;
    if (callbackIsLimited(env, cb, env.settings.limiters) || isAwaitedWave(env.checker, receiver, node)) return undefined;
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
        origin: sizeOriginText(env, receiver),
        method,
        operation: op,
      },
      fix: limitFanoutData(env, cb),
      reason: `fan-out over ${size}`,
    };
  },
};
