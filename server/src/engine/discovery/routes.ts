/**
 * Route handlers of the router-style frameworks: Express (`app`/`router` `.get/.post/… /.all/.use`,
 * `.route('/x').get(fn)`), Fastify (verbs, `.route({ handler })`, `.addHook(name, fn)`), Koa (`app.use`,
 * `@koa/router`), Hono, and look-alikes (restify, polka) when the receiver's type is unknown but the first
 * argument is a path.
 */
import { ts } from 'ts-morph';
import { calleeName, receiverOf, skipOuter } from '../ast';
import { packageOfFile, resolveFunctionValue } from '../resolve';
import type { HandlerKind } from '../types';
import type { DiscoveredHandler, Discoverer, DiscoveryContext } from './types';

const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'all', 'head', 'options', 'use', 'any', 'on']);
const FRAMEWORK_BY_PACKAGE: Record<string, HandlerKind> = {
  express: 'express',
  'express-serve-static-core': 'express',
  fastify: 'fastify',
  koa: 'koa',
  '@koa/router': 'koa',
  'koa-router': 'koa',
  hono: 'hono',
  restify: 'express',
  polka: 'express',
  'router': 'express',
};

/** The framework a receiver belongs to, from where its type is declared; null = a known non-router type. */
function frameworkOf(ctx: DiscoveryContext, receiver: ts.Expression): HandlerKind | null | undefined {
  let type: ts.Type;
  try {
    type = ctx.checker.getTypeAtLocation(receiver);
  } catch {
    return undefined;
  }
  return frameworkOfType(type);
}

function frameworkOfType(type: ts.Type): HandlerKind | null | undefined {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return undefined;
  if (type.isUnionOrIntersection()) {
    // FastifyInstance & PromiseLike<…>: any constituent from a framework decides.
    let verdict: HandlerKind | null | undefined;
    for (const t of type.types) {
      const v = frameworkOfType(t);
      if (v) return v;
      if (v === null) verdict = null;
    }
    return verdict;
  }
  const sym = type.aliasSymbol ?? type.getSymbol();
  const decl = sym?.declarations?.[0];
  if (!decl) return undefined;
  const pkg = packageOfFile(decl.getSourceFile().fileName);
  if (!pkg) return decl.getSourceFile().isDeclarationFile ? null : undefined;
  return FRAMEWORK_BY_PACKAGE[pkg] ?? null;
}

function pathText(arg: ts.Expression | undefined): string | undefined {
  if (!arg) return undefined;
  const a = skipOuter(arg);
  if (ts.isStringLiteralLike(a)) return a.text;
  if (ts.isTemplateExpression(a)) return a.getText().slice(1, -1);
  if (ts.isArrayLiteralExpression(a)) return a.elements.map((e) => pathText(e) ?? '?').join('|');
  return undefined;
}

/** For `router.route('/x').get(fn)`: the path given to `.route(…)`. */
function chainedRoutePath(receiver: ts.Expression): string | undefined {
  let r = skipOuter(receiver);
  while (ts.isCallExpression(r)) {
    if (calleeName(r) === 'route') return pathText(r.arguments[0]);
    const next = receiverOf(r);
    if (!next) return undefined;
    r = skipOuter(next);
  }
  return undefined;
}

function handlersFromArgs(ctx: DiscoveryContext, call: ts.CallExpression, args: readonly ts.Expression[], kind: HandlerKind, label: string): DiscoveredHandler[] {
  const out: DiscoveredHandler[] = [];
  for (const a of args) {
    const fn = resolveFunctionValue(ctx.checker, a);
    if (fn) out.push({ kind, label, registration: call, fn });
  }
  return out;
}

export const discoverRoutes: Discoverer = (node, ctx) => {
  if (!ts.isCallExpression(node)) return undefined;
  const name = calleeName(node);
  const receiver = receiverOf(node);
  if (!name || !receiver) return undefined;

  if (name === 'route' && node.arguments.length === 1 && ts.isObjectLiteralExpression(skipOuter(node.arguments[0]!))) {
    // Fastify: app.route({ method, url, handler, preHandler })
    const obj = skipOuter(node.arguments[0]!) as ts.ObjectLiteralExpression;
    const prop = (n: string) =>
      obj.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === n)?.initializer;
    const handler = prop('handler');
    if (!handler) return undefined;
    const fn = resolveFunctionValue(ctx.checker, handler);
    const method = pathText(prop('method')) ?? 'ROUTE';
    return fn ? [{ kind: 'fastify', label: `${method.toUpperCase()} ${pathText(prop('url')) ?? '?'}`, registration: node, fn }] : [];
  }
  if (name === 'addHook' && node.arguments.length >= 2) {
    const hook = pathText(node.arguments[0]);
    if (!hook) return undefined;
    return handlersFromArgs(ctx, node, node.arguments.slice(1), 'fastify', `hook ${hook}`);
  }
  if (!VERBS.has(name) || node.arguments.length === 0) return undefined;

  const fw = frameworkOf(ctx, receiver);
  if (fw === null) return undefined; // a typed receiver from some other library (Map#get, redis#get …)
  const first = node.arguments[0]!;
  const path = pathText(first) ?? chainedRoutePath(receiver);
  if (name === 'on' && fw !== 'fastify') return undefined; // EventEmitter#on is a listener, not a route
  if (fw === undefined && (path === undefined || !/^[/*]/.test(path))) return undefined;
  const fnArgs = path !== undefined && pathText(first) !== undefined ? node.arguments.slice(1) : node.arguments;
  const verb = name === 'use' ? 'USE' : name === 'del' ? 'DELETE' : name.toUpperCase();
  const label = name === 'use' && path === undefined ? 'middleware' : `${verb} ${path ?? '/'}`;
  return handlersFromArgs(ctx, node, fnArgs, fw ?? 'express', label);
};
