/**
 * Route handlers of the router-style frameworks: Express (`app`/`router` `.get/.post/… /.all/.use`,
 * `.route('/x').get(fn)`), Fastify (verbs, `.route({ handler })`, `.addHook(name, fn)`), Koa (`app.use`,
 * `@koa/router`), Hono, and look-alikes (restify, polka) when the receiver's type is unknown but the first
 * argument is a path.
 */
import { ts } from 'ts-morph';
import { calleeName, receiverOf, skipOuter, type FunctionNode } from '../ast';
import { packageOfFile, resolveCallee, resolveFunctionValue, unalias } from '../resolve';
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

/**
 * The framework a receiver belongs to, from where its type is declared; null = a known non-router type. A route
 * chain (`router.get(a, f).post(b, g)`) is first asked about its root: each link returns the router it was
 * called on or, for `app.route('/x')`, a route object of the same package, while typing a link itself resolves
 * the framework's overloaded, generic signatures against every argument (on `@budibase/server`, 192 chained
 * receivers took 1.15 s, 92 plain ones 44 ms). A root from no framework (`routers.get('/v1').get(…)` on a Map)
 * leaves the answer to the receiver's own type, unless every link calls a method declared to return `this`
 * (a fluent builder such as `@budibase/backend-core`'s EndpointGroup, whose 164 chained receivers took 700 ms to
 * give the root's answer again): then each link has the root's type. Not on `super`, whose links return the
 * derived class's `this`.
 */
function frameworkOf(ctx: DiscoveryContext, receiver: ts.Expression): HandlerKind | null | undefined {
  const methods: string[] = [];
  let root = receiver;
  for (let link = chainLink(root); link; link = chainLink(root)) {
    methods.push(link.method);
    root = link.receiver;
  }
  if (root === receiver) return frameworkOfNode(ctx, receiver);
  const rootType = typeAt(ctx, root);
  const verdict = rootType && frameworkOfType(rootType);
  // A fluent builder's links have the root's type, so the root's answer stands, "no framework" included.
  if (verdict || (rootType && root.kind !== ts.SyntaxKind.SuperKeyword && methods.every((m) => returnsThis(ctx.checker, rootType, m)))) return verdict;
  return frameworkOfNode(ctx, receiver);
}

/** The type of `node`, or undefined when the checker throws on it. */
function typeAt(ctx: DiscoveryContext, node: ts.Expression): ts.Type | undefined {
  try {
    return ctx.checker.getTypeAtLocation(node);
  } catch {
    return undefined;
  }
}

function frameworkOfNode(ctx: DiscoveryContext, node: ts.Expression): HandlerKind | null | undefined {
  const type = typeAt(ctx, node);
  return type && frameworkOfType(type);
}

/**
 * Whether every declaration of `type`'s method `name` says it returns `this` (`get(url: string, ...fns:
 * Handler[]): this`). Read from the declarations: no call is resolved against its arguments.
 */
function returnsThis(checker: ts.TypeChecker, type: ts.Type, name: string): boolean {
  const decls = checker.getPropertyOfType(type, name)?.declarations;
  return !!decls?.length && decls.every((d) => (ts.isMethodDeclaration(d) || ts.isMethodSignature(d)) && d.type?.kind === ts.SyntaxKind.ThisType);
}

/**
 * A route chain's link (`x.get('/a', f)` or `x.route('/a')`): its receiver `x` and the method it calls, else
 * undefined. Casts stay on the receiver (`(app as Hono).get(…)` is typed through its cast); parentheses and `!`
 * do not matter.
 */
function chainLink(e: ts.Expression): { receiver: ts.Expression; method: string } | undefined {
  let call: ts.Expression = e;
  while (ts.isParenthesizedExpression(call) || ts.isNonNullExpression(call)) call = call.expression;
  if (!ts.isCallExpression(call)) return undefined;
  const method = calleeName(call);
  const receiver = receiverOf(call);
  return receiver && method && (VERBS.has(method) || method === 'route') ? { receiver, method } : undefined;
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
  return handlersOf(ctx, call, functionArgs(ctx, args), kind, label);
}

/** The functions among a registration's arguments, in order. */
function functionArgs(ctx: DiscoveryContext, args: readonly ts.Expression[]): FunctionNode[] {
  const out: FunctionNode[] = [];
  for (const a of args) {
    const fn = resolveFunctionValue(ctx.checker, a);
    if (fn) out.push(fn);
  }
  return out;
}

function handlersOf(ctx: DiscoveryContext, call: ts.CallExpression, fns: readonly FunctionNode[], kind: HandlerKind, label: string): DiscoveredHandler[] {
  if (fns.length === 0) return [];
  const router = routerSymbol(ctx.checker, receiverOf(call));
  return fns.map((fn) => ({ kind, label, registration: call, fn, router }));
}

/** The symbol of the router object an expression names (`router`, `this.router`, an imported router). */
function routerSymbol(checker: ts.TypeChecker, e: ts.Expression | undefined): ts.Symbol | undefined {
  if (!e) return undefined;
  let x = skipOuter(e);
  while (ts.isCallExpression(x) && calleeName(x) === 'route' && receiverOf(x)) x = skipOuter(receiverOf(x)!);
  if (!ts.isIdentifier(x) && !ts.isPropertyAccessExpression(x)) return undefined;
  try {
    return unalias(checker, checker.getSymbolAtLocation(ts.isPropertyAccessExpression(x) ? x.name : x));
  } catch {
    return undefined;
  }
}

/** The routers a mounted expression stands for: `router`, or the routers a factory call returns (with the factory). */
function mountedRouters(checker: ts.TypeChecker, e: ts.Expression): { target: ts.Symbol; via?: FunctionNode }[] {
  const x = skipOuter(e);
  if (ts.isCallExpression(x)) {
    const via = resolveCallee(checker, x)?.body;
    if (!via?.body || !ts.isBlock(via.body)) return [];
    const out: { target: ts.Symbol; via: FunctionNode }[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isReturnStatement(n) && n.expression) {
        const target = routerSymbol(checker, n.expression);
        if (target) out.push({ target, via });
      }
      if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
    };
    visit(via.body);
    return out;
  }
  const target = routerSymbol(checker, x);
  return target ? [{ target }] : [];
}

/** Koa/@koa/router: `new Router({ prefix: '/api' })` declares its own prefix. */
export function constructorPrefix(sym: ts.Symbol): string | undefined {
  const d = sym.valueDeclaration;
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return undefined;
  const init = skipOuter(d.initializer);
  if (!ts.isNewExpression(init) || !init.arguments?.[0] || !ts.isObjectLiteralExpression(init.arguments[0])) return undefined;
  const prefix = init.arguments[0].properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === 'prefix');
  return prefix ? pathText(prefix.initializer) : undefined;
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

  const first = node.arguments[0]!;
  const path = pathText(first) ?? chainedRoutePath(receiver);
  const fnArgs = path !== undefined && pathText(first) !== undefined ? node.arguments.slice(1) : node.arguments;
  const mounts = name === 'use' && path !== undefined;
  // The receiver's type is the costly question (Map#get, cache.get, emitter.on are everywhere): ask it only
  // when the call could register something, that is when an argument is a function or the call mounts routers.
  const fns = functionArgs(ctx, fnArgs);
  if (fns.length === 0 && !mounts) return undefined;
  const fw = frameworkOf(ctx, receiver);
  if (fw === null) return undefined; // a typed receiver from some other library (Map#get, redis#get …)
  if (name === 'on' && fw !== 'fastify') return undefined; // EventEmitter#on is a listener, not a route
  if (fw === undefined && (path === undefined || !/^[/*]/.test(path))) return undefined;
  if (mounts) {
    const parent = routerSymbol(ctx.checker, receiver);
    for (const a of fnArgs) for (const m of mountedRouters(ctx.checker, a)) ctx.mounts.push({ path, parent, ...m });
  }
  const verb = name === 'use' ? 'USE' : name === 'del' ? 'DELETE' : name.toUpperCase();
  const label = name === 'use' && path === undefined ? 'middleware' : `${verb} ${path ?? '/'}`;
  return handlersOf(ctx, node, fns, fw ?? 'express', label);
};
