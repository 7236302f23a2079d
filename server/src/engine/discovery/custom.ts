/**
 * Handlers of frameworks the engine does not know, declared by the user (`handlerCalls` setting): the last
 * function argument of a matching call is the handler.
 */
import { ts } from 'ts-morph';
import { callMatches } from '../analysis/patterns';
import { shortText } from '../ast';
import { resolveCallee, resolveFunctionValue } from '../resolve';
import type { Discoverer } from './types';

export const discoverCustom: Discoverer = (node, ctx) => {
  if (ctx.handlerCalls.length === 0 || (!ts.isCallExpression(node) && !ts.isNewExpression(node))) return undefined;
  const args = node.arguments ?? [];
  if (args.length === 0) return undefined;
  const pattern = ctx.handlerCalls.find((p) => callMatches(node, p, p.includes('#') ? resolveCallee(ctx.checker, node) : undefined));
  if (!pattern) return undefined;
  for (let i = args.length - 1; i >= 0; i--) {
    const fn = resolveFunctionValue(ctx.checker, args[i]!);
    if (fn) {
      const first = args[0]!;
      const what = i > 0 && ts.isStringLiteralLike(first) ? ` '${first.text}'` : '';
      return [{ kind: 'listener', label: `${shortText(node.expression, 40, ctx.sf)}${what}`, registration: node, fn }];
    }
  }
  return [];
};
