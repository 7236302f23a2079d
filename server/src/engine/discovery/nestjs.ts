/**
 * NestJS: methods of `@Controller` classes decorated with an HTTP verb (`@Get('x')` …), microservice patterns
 * (`@MessagePattern`, `@EventPattern`), schedules (`@Cron`, `@Interval`, `@Timeout`), `@OnEvent` and Bull's
 * `@Process`, on any class.
 */
import { ts } from 'ts-morph';
import type { Discoverer } from './types';

const HTTP = new Set(['Get', 'Post', 'Put', 'Patch', 'Delete', 'All', 'Options', 'Head', 'Sse', 'Search']);
const OTHER = new Set(['MessagePattern', 'EventPattern', 'Cron', 'Interval', 'Timeout', 'OnEvent', 'Process', 'SubscribeMessage', 'Query', 'Mutation', 'Subscription']);

function decoratorCall(d: ts.Decorator): { name: string; arg?: string } | undefined {
  const e = d.expression;
  const callee = ts.isCallExpression(e) ? e.expression : e;
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  if (!name) return undefined;
  const a = ts.isCallExpression(e) ? e.arguments[0] : undefined;
  return { name, arg: a && ts.isStringLiteralLike(a) ? a.text : a ? a.getText() : undefined };
}

function join(prefix: string | undefined, path: string | undefined): string {
  const parts = [prefix, path].filter((p): p is string => !!p).map((p) => p.replace(/^\/+|\/+$/g, ''));
  return '/' + parts.filter(Boolean).join('/');
}

export const discoverNest: Discoverer = (node) => {
  if (!ts.isMethodDeclaration(node) || !node.body) return undefined;
  const decorators = ts.getDecorators(node) ?? [];
  if (decorators.length === 0) return undefined;
  const cls = node.parent;
  const controller = ts.isClassDeclaration(cls)
    ? (ts.getDecorators(cls) ?? []).map(decoratorCall).find((d) => d?.name === 'Controller')
    : undefined;
  for (const d of decorators) {
    const info = decoratorCall(d);
    if (!info) continue;
    if (HTTP.has(info.name) && controller) {
      return [{ kind: 'nestjs', label: `${info.name.toUpperCase()} ${join(controller.arg, info.arg)}`, registration: d, fn: node }];
    }
    if (OTHER.has(info.name)) {
      return [{ kind: 'nestjs', label: `@${info.name}(${info.arg ?? ''})`, registration: d, fn: node }];
    }
  }
  return undefined;
};
