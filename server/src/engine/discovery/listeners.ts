/**
 * Event listeners: `.on/.once/.addListener/.prependListener(event, fn)` on sockets, streams and emitters,
 * `.addEventListener(event, fn)`, and subscription-style callbacks (`store.onChange(fn)`, `feed.subscribe(fn)`).
 * `error` listeners and process lifecycle events (`exit`, signals, `uncaughtException`) serve no traffic: skipped.
 */
import { ts } from 'ts-morph';
import { calleeName, receiverOf, shortText, skipOuter } from '../ast';
import { resolveFunctionValue } from '../resolve';
import type { Discoverer } from './types';

const ON = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'addEventListener']);
/** `process` events that are about the process itself, not traffic. */
const PROCESS_LIFECYCLE = new Set(['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGBREAK', 'uncaughtException', 'unhandledRejection', 'warning', 'multipleResolves']);
const SUBSCRIBE = /^(?:on[A-Z]\w*|subscribe)$/;

export const discoverListeners: Discoverer = (node, ctx) => {
  if (!ts.isCallExpression(node)) return undefined;
  const name = calleeName(node);
  const receiver = receiverOf(node);
  if (!name || !receiver) return undefined;
  if (ON.has(name) && node.arguments.length >= 2) {
    const recvText = shortText(receiver, 30, ctx.sf);
    const ev = skipOuter(node.arguments[0]!);
    const event = ts.isStringLiteralLike(ev) ? ev.text : ev.getText(ctx.sf);
    // Error callbacks and process lifecycle events do not serve traffic.
    if (event === 'error' || (recvText === 'process' && PROCESS_LIFECYCLE.has(event))) return [];
    const fn = resolveFunctionValue(ctx.checker, node.arguments[1]!);
    return fn ? [{ kind: 'listener', label: `${recvText} '${event}'`, registration: node, fn }] : [];
  }
  if (SUBSCRIBE.test(name) && node.arguments.length >= 1) {
    for (const a of node.arguments) {
      const fn = resolveFunctionValue(ctx.checker, a);
      if (fn && fn === skipOuter(a)) return [{ kind: 'listener', label: `${shortText(receiver, 30, ctx.sf)}.${name}`, registration: node, fn }];
    }
  }
  return undefined;
};
