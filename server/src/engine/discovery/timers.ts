/** Timers: `setInterval`/`setTimeout` callbacks, node-cron `cron.schedule(expr, fn)`, `new CronJob(expr, fn)`. */
import { ts } from 'ts-morph';
import { calleeName, shortText } from '../ast';
import { resolveFunctionValue } from '../resolve';
import type { Discoverer } from './types';

const TIMERS = new Set(['setInterval', 'setTimeout']);

export const discoverTimers: Discoverer = (node, ctx) => {
  if (ts.isCallExpression(node)) {
    const name = calleeName(node);
    if (name && TIMERS.has(name) && node.arguments.length >= 1) {
      const e = node.expression;
      if (ts.isPropertyAccessExpression(e) && !/^(?:global|globalThis|window|timers)$/.test(e.expression.getText(ctx.sf))) return undefined;
      const fn = resolveFunctionValue(ctx.checker, node.arguments[0]!);
      const every = node.arguments[1] ? ` ${shortText(node.arguments[1], 24, ctx.sf)}` : '';
      return fn ? [{ kind: 'timer', label: `${name}${every}`, registration: node, fn }] : [];
    }
    if (name === 'schedule' && node.arguments.length >= 2 && ts.isStringLiteralLike(node.arguments[0]!)) {
      const fn = resolveFunctionValue(ctx.checker, node.arguments[1]!);
      return fn ? [{ kind: 'timer', label: `cron "${(node.arguments[0] as ts.StringLiteral).text}"`, registration: node, fn }] : [];
    }
  }
  if (ts.isNewExpression(node) && calleeName(node) === 'CronJob' && (node.arguments?.length ?? 0) >= 2) {
    const fn = resolveFunctionValue(ctx.checker, node.arguments![1]!);
    const expr = node.arguments![0]!;
    return fn ? [{ kind: 'timer', label: `CronJob ${shortText(expr, 24, ctx.sf)}`, registration: node, fn }] : [];
  }
  return undefined;
};
