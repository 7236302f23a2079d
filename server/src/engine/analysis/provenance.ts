/**
 * Provenance of a collection: where its size comes from. A loop is data-sized when its collection traces back
 * to request input (a handler's parameters: `req.body`, `ctx.request.body`, query params, an event payload, a
 * job's data), to the result of an awaited call (a database or API result), to a directory listing, or to a
 * parameter of a helper (its callers decide). It is not data-sized when it traces back to a schema or a config:
 * a module constant, an object's own keys, a literal, or — only when nothing better is known — a value named
 * like a schema part (`columns`, `fields`, `schema`, `steps`, `definitions` …). A collection that is a part of
 * the element an enclosing loop is on (`row.cells`, `order.items`) is an `element`: walking it per element is
 * linear in the total data, not a product of two sizes.
 *
 * The trace follows local variables, destructuring, array methods that keep their source's size
 * (`map`/`filter`/`slice` …), `await`, `new Set(x)`, `Array.from(x)`, and the return values of project helpers
 * (mapping their parameters back to the call's arguments), up to {@link MAX_DEPTH} steps.
 */
import { ts } from 'ts-morph';
import { calleeName, isAsyncFunction, isFunctionWithBody, receiverOf, shortText, skipOuter, type FunctionNode } from '../ast';
import { resolveCallee, returnsPromise, unalias, type CalleeInfo } from '../resolve';
import { isArrayLike, isFixedSize } from './size';

const MAX_DEPTH = 8;

/**
 * - `fixed`: a size the code fixes (literals, tuples, constant slices, `Object.keys(x)`; see size.ts);
 * - `config`: a module constant or a schema/config part;
 * - `element`: a part of the element an enclosing loop (`loop`) is on;
 * - `request`: a handler's input; `result`: an awaited call's result; `listing`: a directory listing;
 * - `param`: parameter `index` of `fn`, decided by its callers;
 * - `unknown`: not traced (counted as data-sized, as before provenance existed).
 */
export type OriginKind = 'fixed' | 'config' | 'element' | 'request' | 'result' | 'listing' | 'param' | 'unknown';

export interface Origin {
  kind: OriginKind;
  /** For messages: `await db.query(…)`, `req.body.ids`, `readdirSync(dir)`, `module constant STEPS`. */
  detail?: string;
  /** `element`: the loop (statement or array-method call) whose element this is part of. */
  loop?: ts.Node;
  /** `param`: which parameter of `fn`. */
  index?: number;
  fn?: FunctionNode;
}

/** What the trace can ask of the pipeline; both are optional so size checks work without a pipeline. */
export interface OriginEnv {
  checker: ts.TypeChecker;
  /** Resolves a call (cached by the pipeline). */
  callee?(call: ts.CallExpression | ts.NewExpression): CalleeInfo | undefined;
  /** Whether a function is a discovered handler: its parameters are request input. */
  isHandler?(fn: ts.Node): boolean;
  /**
   * Verdicts of `isBlockingDataLoop` already reached with this same checker, `callee` and `isHandler` (the
   * pipeline keeps one per analysis): the rules ask it again for every ancestor loop of every call and node.
   */
  blockingLoops?: WeakMap<ts.Node, Memo<boolean>>;
  /** Told of each callee whose body the trace reads (see DetectEnv.readsBody). */
  readsBody?(fn: ts.Node): void;
  /** Runs a computation a memo keeps, with the files whose bodies it read (also recorded for the caller). */
  captureReads?<T>(compute: () => T): Memo<T>;
  /** On a memo hit: records again the files its computation read. */
  replayReads?(reads: ReadonlySet<string> | undefined): void;
}

/**
 * A fact kept per node, with the files of other functions' bodies read to reach it: a summary that takes the
 * fact from the memo depends on them as much as the one that computed it (see FnSummary.reads).
 */
export interface Memo<T> {
  value: T;
  reads?: ReadonlySet<string>;
}

/** `compute()` through `memo` by `node`, recording on a hit the body reads of the computation that filled it. */
export function memoized<T>(env: OriginEnv, memo: { get(node: ts.Node): Memo<T> | undefined; set(node: ts.Node, m: Memo<T>): unknown } | undefined, node: ts.Node, compute: () => T): T {
  const hit = memo?.get(node);
  if (hit) {
    env.replayReads?.(hit.reads);
    return hit.value;
  }
  const m = env.captureReads ? env.captureReads(compute) : { value: compute() };
  memo?.set(node, m.reads === undefined && typeof m.value === 'boolean' ? ((m.value ? TRUE : FALSE) as Memo<T>) : m);
  return m.value;
}

/** The memos of a yes or no that read no other body, shared: the loop verdicts are kept per loop and per node. */
const TRUE: Memo<boolean> = Object.freeze({ value: true });
const FALSE: Memo<boolean> = Object.freeze({ value: false });

/** True for the kinds whose size grows with the data. */
export function isDataOrigin(o: Origin): boolean {
  return o.kind === 'request' || o.kind === 'result' || o.kind === 'listing' || o.kind === 'param' || o.kind === 'unknown';
}

/**
 * For messages: ` (from \`await db.query(…)\`)`, ` (request input \`req\`)`; empty when there is nothing to
 * say. `subject` is the text already shown, so a request parameter it starts with is not repeated.
 */
export function describeOrigin(o: Origin, subject = ''): string {
  switch (o.kind) {
    case 'request':
      return o.detail && !subject.startsWith(o.detail) ? ` (request input \`${o.detail}\`)` : ' (request input)';
    case 'result':
      return o.detail ? ` (from \`${o.detail}\`)` : ' (an awaited result)';
    case 'listing':
      return ` (a directory listing${o.detail ? `, \`${o.detail}\`` : ''})`;
    case 'param':
      return o.detail ? ` (${o.detail})` : '';
    default:
      return '';
  }
}

/** Parameter names that carry a request, event or job in handler-shaped helpers. */
const REQUEST_NAMES = /^(?:req|request|ctx|context|event|evt|job|msg|message|payload|body|input|args)$/;
/** Calls that list a directory. */
const LISTINGS = new Set(['readdir', 'readdirSync', 'opendir', 'opendirSync', 'glob', 'globSync', 'sync', 'fastGlob']);
/** Array methods whose result is at most as large as their receiver (or the same elements, reordered). */
const KEEPS_SOURCE = new Set(['map', 'filter', 'slice', 'concat', 'flat', 'flatMap', 'sort', 'toSorted', 'reverse', 'toReversed', 'split', 'values', 'keys', 'entries', 'splice', 'trim']);
/** Iteration methods whose callback's first parameter (second for reduce) is the element. */
const ELEMENT_METHODS = new Set(['map', 'filter', 'forEach', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex', 'flatMap']);
const REDUCE_METHODS = new Set(['reduce', 'reduceRight']);

/** Head nouns of names that denote a schema or config part. */
const SCHEMA_WORDS = new Set([
  'column', 'columns', 'field', 'fields', 'schema', 'schemas', 'step', 'steps', 'definition', 'definitions', 'defs',
  'property', 'properties', 'props', 'attribute', 'attributes', 'attrs', 'header', 'headers', 'option', 'options',
  'setting', 'settings', 'config', 'configs', 'configuration', 'configurations',
]);
/** Heads that denote a schema part when a schema word comes before them: `columnNames`, `fieldKeys`. */
const NAME_WORDS = new Set(['name', 'names', 'key', 'keys', 'list', 'map', 'set', 'ids']);

/**
 * Last-resort heuristic: a name whose head noun is a schema or config part (`columns`, `requiredFields`,
 * `stepDefinitions`, `credential_fields`), or names/keys of one (`columnNames`, `fieldKeys`).
 */
export function isSchemaName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_$-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  const head = words.at(-1);
  if (!head) return false;
  if (SCHEMA_WORDS.has(head)) return true;
  return NAME_WORDS.has(head) && words.slice(0, -1).some((w) => SCHEMA_WORDS.has(w));
}

const ORDER: Record<OriginKind, number> = { request: 7, result: 6, listing: 5, param: 4, unknown: 3, element: 2, config: 1, fixed: 0 };

/** The larger of two origins (`a ?? b`, `c ? a : b`): data beats unknown beats element beats config. */
function larger(a: Origin, b: Origin): Origin {
  return ORDER[b.kind] > ORDER[a.kind] ? b : a;
}

const memo = new WeakMap<ts.TypeChecker, Map<ts.Node, Memo<Origin>>>();

/** Where the size of `expr` (a collection, a string, a count) comes from. Never throws. */
export function originOf(env: OriginEnv, expr: ts.Expression): Origin {
  let cache = memo.get(env.checker);
  if (!cache) memo.set(env.checker, (cache = new Map()));
  return memoized(env, cache, expr, () => {
    try {
      return trace(env, expr, 0, new Set());
    } catch {
      return { kind: 'unknown' };
    }
  });
}

function trace(env: OriginEnv, expr: ts.Expression, depth: number, seen: Set<ts.Node>): Origin {
  const e = skipOuter(expr);
  if (depth > MAX_DEPTH || seen.has(e)) return { kind: 'unknown' };
  seen.add(e);
  const next = (x: ts.Expression) => trace(env, x, depth + 1, seen);
  if (isFixedSize(env.checker, e)) return { kind: 'fixed' };

  if (ts.isAwaitExpression(e)) {
    const inner = next(e.expression);
    if (inner.kind === 'unknown' || inner.kind === 'param' || (inner.kind === 'result' && ts.isCallExpression(skipOuter(e.expression)))) return { kind: 'result', detail: shortText(e, 40) };
    return inner;
  }
  if (ts.isCallExpression(e)) return traceCall(env, e, next);
  if (ts.isNewExpression(e)) return e.arguments?.[0] ? next(e.arguments[0]) : { kind: 'fixed' };
  if (ts.isArrayLiteralExpression(e)) {
    let o: Origin = { kind: 'fixed' };
    for (const el of e.elements) if (ts.isSpreadElement(el)) o = larger(o, next(el.expression));
    return o;
  }
  if (ts.isConditionalExpression(e)) return larger(next(e.whenTrue), next(e.whenFalse));
  if (ts.isBinaryExpression(e)) {
    const k = e.operatorToken.kind;
    if (k === ts.SyntaxKind.QuestionQuestionToken || k === ts.SyntaxKind.BarBarToken || k === ts.SyntaxKind.AmpersandAmpersandToken) return larger(next(e.left), next(e.right));
    return { kind: 'unknown' };
  }
  if (ts.isIdentifier(e)) return traceIdentifier(env, e, next);
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
    const loop = ts.isElementAccessExpression(e) ? indexedLoop(env.checker, e) : undefined;
    if (loop) return { kind: 'element', loop };
    const base = next(e.expression);
    if (base.kind === 'element' || base.kind === 'request' || base.kind === 'config') return base;
    if (base.kind === 'fixed') return { kind: 'config' };
    const name = ts.isPropertyAccessExpression(e) ? e.name.text : ts.isStringLiteralLike(e.argumentExpression) ? e.argumentExpression.text : '';
    if (name && isSchemaName(name)) return { kind: 'config', detail: `.${name}` };
    return base;
  }
  return { kind: 'unknown' };
}

function traceCall(env: OriginEnv, call: ts.CallExpression, next: (x: ts.Expression) => Origin): Origin {
  const name = calleeName(call) ?? '';
  const recv = receiverOf(call);
  if (LISTINGS.has(name)) return { kind: 'listing', detail: shortText(call, 40) };
  if (recv && KEEPS_SOURCE.has(name)) return next(recv);
  const recvText = recv && ts.isIdentifier(recv) ? recv.text : '';
  if ((recvText === 'Array' && name === 'from') || (recvText === 'Promise' && (name === 'all' || name === 'allSettled')) || (recvText === 'JSON' && name === 'parse') || (recvText === 'Object' && name === 'fromEntries')) {
    return call.arguments[0] ? next(call.arguments[0]) : { kind: 'fixed' };
  }
  const callee = env.callee ? env.callee(call) : resolveCallee(env.checker, call);
  if (callee?.body) {
    env.readsBody?.(callee.body);
    const fromReturns = returnsOrigin(callee.body, next, call);
    if (fromReturns.kind !== 'unknown') return fromReturns;
    if (isAsyncFunction(callee.body)) return fetchedFor(env, call, next) ?? { kind: 'result', detail: `${shortText(call, 40)}` };
    return fromReturns;
  }
  if (returnsPromise(env.checker, call)) return fetchedFor(env, call, next) ?? { kind: 'result', detail: shortText(call, 40) };
  return { kind: 'unknown' };
}

/**
 * A lookup by a list of keys (`getTables(linkedTableIds)`, `db.getMultiple(ids)`) returns one item per key: when
 * that list is schema- or config-sized, so is the result. An array literal argument is not taken as keys. Undefined when no argument is such a list, or when
 * another argument is data-sized.
 */
function fetchedFor(env: OriginEnv, call: ts.CallExpression, next: (x: ts.Expression) => Origin): Origin | undefined {
  let keys: ts.Expression | undefined;
  for (const a of call.arguments) {
    if (!isArrayLike(env.checker, a)) continue;
    // An array literal is far more often a query's parameters (`db.query(sql, [since])`) than a list of keys.
    if (ts.isArrayLiteralExpression(skipOuter(a))) continue;
    const o = next(a);
    if (o.kind !== 'config' && o.kind !== 'fixed') return undefined;
    keys ??= a;
  }
  return keys ? { kind: 'config', detail: `fetched for ${shortText(keys, 30)}` } : undefined;
}

/** The largest origin among a helper's own return values; its parameters are mapped to the call's arguments. */
function returnsOrigin(fn: FunctionNode, next: (x: ts.Expression) => Origin, call: ts.CallExpression): Origin {
  const values: ts.Expression[] = [];
  if (fn.body && !ts.isBlock(fn.body)) values.push(fn.body as ts.Expression);
  else if (fn.body) {
    const visit = (n: ts.Node): void => {
      if (isFunctionWithBody(n)) return;
      if (ts.isReturnStatement(n) && n.expression) values.push(n.expression);
      ts.forEachChild(n, visit);
    };
    ts.forEachChild(fn.body, visit);
  }
  if (values.length === 0) return { kind: 'unknown' };
  let o: Origin = { kind: 'fixed' };
  for (const v of values.slice(0, 4)) {
    let r = next(v);
    if (r.kind === 'param' && r.fn === fn && r.index !== undefined) r = call.arguments[r.index] ? next(call.arguments[r.index]!) : { kind: 'unknown' };
    o = larger(o, r);
  }
  return o;
}

function traceIdentifier(env: OriginEnv, id: ts.Identifier, next: (x: ts.Expression) => Origin): Origin {
  const sym = unalias(env.checker, env.checker.getSymbolAtLocation(id));
  const decl = sym?.valueDeclaration ?? sym?.declarations?.[0];
  if (!decl) return byName(id.text, { kind: 'unknown' });
  if (ts.isFunctionDeclaration(decl) || ts.isClassDeclaration(decl) || ts.isEnumDeclaration(decl)) return { kind: 'config' };
  if (ts.isParameter(decl)) return byName(id.text, paramOrigin(env, decl, id.text));
  if (ts.isBindingElement(decl)) {
    // Destructuring: the origin of what is destructured (a parameter, a variable's initializer, a loop element).
    let root: ts.Node = decl;
    while (ts.isBindingElement(root) || ts.isObjectBindingPattern(root) || ts.isArrayBindingPattern(root)) root = root.parent;
    const base = ts.isParameter(root) ? paramOrigin(env, root, id.text) : ts.isVariableDeclaration(root) ? variableOrigin(root, next) : { kind: 'unknown' as const };
    return base.kind === 'request' || base.kind === 'element' ? base : byName(id.text, base);
  }
  if (ts.isVariableDeclaration(decl)) {
    const base = variableOrigin(decl, next);
    return base.kind === 'request' || base.kind === 'element' || base.kind === 'config' || base.kind === 'fixed' ? base : byName(id.text, base);
  }
  return byName(id.text, { kind: 'unknown' });
}

/** The heuristic applies only where provenance left the size open. */
function byName(name: string, o: Origin): Origin {
  if ((o.kind === 'unknown' || o.kind === 'param' || o.kind === 'result') && isSchemaName(name)) return { kind: 'config', detail: name };
  return o;
}

function paramOrigin(env: OriginEnv, p: ts.ParameterDeclaration, name: string): Origin {
  const fn = p.parent;
  if (!isFunctionWithBody(fn)) return { kind: 'unknown' };
  const index = fn.parameters.indexOf(p);
  const call = fn.parent;
  if (ts.isCallExpression(call) && call.arguments[0] === fn) {
    const method = calleeName(call) ?? '';
    if ((ELEMENT_METHODS.has(method) && index === 0) || (REDUCE_METHODS.has(method) && index === 1)) return { kind: 'element', loop: call };
  }
  if (env.isHandler?.(fn)) return { kind: 'request', detail: name };
  if (REQUEST_NAMES.test(name)) return { kind: 'request', detail: name };
  const fnName = fn.name && ts.isIdentifier(fn.name) ? fn.name.text : ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name) ? fn.parent.name.text : '';
  return { kind: 'param', index, fn, detail: `parameter \`${name}\`${fnName ? ` of \`${fnName}\`` : ''}` };
}

function variableOrigin(d: ts.VariableDeclaration, next: (x: ts.Expression) => Origin): Origin {
  const list = d.parent;
  const stmt = list?.parent;
  if (stmt && ts.isForOfStatement(stmt)) return { kind: 'element', loop: stmt };
  if (stmt && ts.isForInStatement(stmt)) return { kind: 'config' };
  if (!d.initializer) return { kind: 'unknown' };
  const moduleLevel = stmt && ts.isVariableStatement(stmt) && ts.isSourceFile(stmt.parent);
  if (moduleLevel && ts.getCombinedNodeFlags(d) & ts.NodeFlags.Const && !grows(d)) {
    const init = next(d.initializer);
    return isDataOrigin(init) && init.kind !== 'unknown' ? init : { kind: 'config', detail: `module constant ${d.name.getText()}` };
  }
  const assigned = assignments(d);
  if (!assigned) return { kind: 'unknown' };
  return assigned.reduce((o, x) => larger(o, next(x)), next(d.initializer));
}

/**
 * The values a `let` is reassigned to (`xs = parse(text)`), or undefined when it is grown in place
 * (`xs.push(…)`): then its size is built by the code, not traced.
 */
function assignments(d: ts.VariableDeclaration): ts.Expression[] | undefined {
  if (!ts.isIdentifier(d.name)) return [];
  const name = d.name.text;
  let scope: ts.Node = d;
  while (scope.parent && !ts.isBlock(scope) && !ts.isSourceFile(scope) && !isFunctionWithBody(scope)) scope = scope.parent;
  const out: ts.Expression[] = [];
  let grown = false;
  const visit = (n: ts.Node): void => {
    if (grown) return;
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === name && ['push', 'unshift', 'splice', 'add', 'set'].includes(n.name.text) && ts.isCallExpression(n.parent)) grown = true;
    if (ts.isBinaryExpression(n) && ts.isIdentifier(n.left) && n.left.text === name) {
      if (n.operatorToken.kind === ts.SyntaxKind.EqualsToken) out.push(n.right);
      else if (n.operatorToken.kind >= ts.SyntaxKind.FirstCompoundAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastCompoundAssignment) grown = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(scope);
  return grown ? undefined : out.slice(0, 4);
}

/** True when a variable is pushed to or reassigned after its declaration: its initializer does not fix its size. */
function grows(d: ts.VariableDeclaration): boolean {
  if (!ts.isIdentifier(d.name)) return false;
  const name = d.name.text;
  let scope: ts.Node = d;
  while (scope.parent && !ts.isBlock(scope) && !ts.isSourceFile(scope) && !isFunctionWithBody(scope)) scope = scope.parent;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === name && ['push', 'unshift', 'splice', 'add', 'set'].includes(n.name.text) && ts.isCallExpression(n.parent)) found = true;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left) && n.left.text === name) found = true;
    ts.forEachChild(n, visit);
  };
  visit(scope);
  return found;
}

/** `xs[i]` inside `for (let i = …; i < xs.length; …)`: the element that loop is on. */
function indexedLoop(checker: ts.TypeChecker, e: ts.ElementAccessExpression): ts.Node | undefined {
  const arg = skipOuter(e.argumentExpression);
  if (!ts.isIdentifier(arg)) return undefined;
  const decl = unalias(checker, checker.getSymbolAtLocation(arg))?.valueDeclaration;
  const stmt = decl && ts.isVariableDeclaration(decl) ? decl.parent?.parent : undefined;
  return stmt && ts.isForStatement(stmt) ? stmt : undefined;
}

/**
 * True when `coll` is a part of the element of a loop inside (or equal to) `scope` and is not text: walking a
 * record's own sub-list (`row.cells`, `order.items`) per record is linear in the data. A record's text is
 * content, not shape — a pass over each frame's characters still counts as work that grows with the data.
 */
export function isElementPart(env: OriginEnv, coll: ts.Expression, scope: ts.Node): boolean {
  const o = originOf(env, coll);
  if (o.kind !== 'element' || !o.loop || !within(o.loop, scope)) return false;
  try {
    return !(env.checker.getNonNullableType(env.checker.getTypeAtLocation(coll)).flags & ts.TypeFlags.StringLike);
  } catch {
    return true;
  }
}

/** True when `node` is `ancestor` or inside it. */
export function within(node: ts.Node, ancestor: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n; n = n.parent) if (n === ancestor) return true;
  return false;
}
