/**
 * What the fan-out fixes share: the shape of the fan-out around a launched callback (`Promise.all(xs.map(cb))`
 * or a `xs.forEach(cb);` statement), whether its iterations are independent, the file's module system, and
 * the wording of titles for limits and missing packages.
 */
import { ts } from 'ts-morph';
import type { FixData, Finding } from '../types';
import { importedName, moduleStyleOf } from './imports';
import { EditBuilder, enclosingFunction, isAsync, nodesAtRange, type FixSource } from './source';

type LimitFanout = Extract<FixData, { kind: 'limit-fanout' }>;

/**
 * A fan-out the rewrite fixes can replace as a whole:
 * - `all`: `Promise.all(items.map(cb))` (an expression giving the results in order);
 * - `forEach`: the statement `items.forEach(cb);`, which becomes `await …;` (its function must be async).
 */
export type FanoutShape =
  | { kind: 'all'; replace: ts.CallExpression; items: ts.Expression; cb: ts.Expression }
  | { kind: 'forEach'; replace: ts.ExpressionStatement; items: ts.Expression; cb: ts.Expression };

/** The launched callback node at the finding's launch range, parentheses removed. */
export function launchNode(src: FixSource, fix: LimitFanout): ts.Expression | undefined {
  for (const n of nodesAtRange(src, fix.launch)) if (ts.isExpression(n)) return n;
  return undefined;
}

/** The fan-out around `cb` when it is the callback of `Promise.all(xs.map(cb))` or of `xs.forEach(cb);`. */
export function fanoutShape(cb: ts.Expression): FanoutShape | undefined {
  const call = cb.parent;
  if (!call || !ts.isCallExpression(call) || call.arguments.length !== 1 || call.arguments[0] !== cb) return undefined;
  if (!ts.isPropertyAccessExpression(call.expression) || call.expression.questionDotToken) return undefined;
  const method = call.expression.name.text;
  const items = call.expression.expression;
  if (method === 'forEach') {
    const st = call.parent;
    return st && ts.isExpressionStatement(st) ? { kind: 'forEach', replace: st, items, cb } : undefined;
  }
  if (method !== 'map') return undefined;
  let p: ts.Node = call.parent;
  while (ts.isParenthesizedExpression(p)) p = p.parent;
  if (!ts.isCallExpression(p) || p.arguments.length !== 1 || !ts.isPropertyAccessExpression(p.expression)) return undefined;
  const all = p.expression;
  if (!ts.isIdentifier(all.expression) || all.expression.text !== 'Promise' || all.name.text !== 'all') return undefined;
  return { kind: 'all', replace: p, items, cb };
}

/**
 * Why the iterations of a fan-out cannot run in any order, or undefined when they can: the callback takes
 * the array argument (p-map and the chunked helper pass only item and index), uses `this` or `arguments`, or
 * assigns a variable declared outside it (a value carried from one iteration to the next).
 */
export function dependentIterations(cb: ts.Expression): string | undefined {
  if (!ts.isArrowFunction(cb) && !ts.isFunctionExpression(cb)) return undefined;
  if (cb.parameters.length > 2) return 'the callback reads the array argument';
  let reason: string | undefined;
  const visit = (n: ts.Node): void => {
    if (reason) return;
    if (n.kind === ts.SyntaxKind.ThisKeyword && ts.isFunctionExpression(cb)) reason = 'the callback uses `this`';
    else if (ts.isIdentifier(n) && n.text === 'arguments' && ts.isFunctionExpression(cb)) reason = 'the callback uses `arguments`';
    else n.forEachChild(visit);
  };
  cb.body.forEachChild(visit);
  if (reason) return reason;
  const outer = assignedOuterVariable(cb.body, cb.parameters.map((p) => p.name));
  return outer ? `\`${outer}\` is assigned in one iteration and read in the next` : undefined;
}

/**
 * The first variable under `root` that is assigned (`=`, compound assignment, `++`/`--`, destructuring) but
 * declared neither under `root` nor by `params`: a value one iteration leaves for the next. Undefined if none.
 */
export function assignedOuterVariable(root: ts.Node, params: readonly ts.BindingName[]): string | undefined {
  const own = new Set<string>();
  const addBinding = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) own.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) addBinding(el.name);
  };
  params.forEach(addBinding);
  const declare = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) || ts.isParameter(n)) addBinding(n.name);
    else if ((ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) && n.name) own.add(n.name.text);
    n.forEachChild(declare);
  };
  root.forEachChild(declare);
  const outerTarget = (t: ts.Expression): string | undefined => {
    while (ts.isParenthesizedExpression(t)) t = t.expression;
    if (ts.isIdentifier(t)) return own.has(t.text) ? undefined : t.text;
    if (ts.isArrayLiteralExpression(t)) for (const e of t.elements) { const hit = outerTarget(ts.isSpreadElement(e) ? e.expression : e); if (hit) return hit; }
    if (ts.isObjectLiteralExpression(t)) {
      for (const p of t.properties) {
        const hit = ts.isShorthandPropertyAssignment(p) ? outerTarget(p.name) : ts.isPropertyAssignment(p) ? outerTarget(p.initializer) : undefined;
        if (hit) return hit;
      }
    }
    return undefined;
  };
  let found: string | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      found = outerTarget(n.left);
    } else if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) {
      found = outerTarget(n.operand);
    }
    if (!found) n.forEachChild(visit);
  };
  root.forEachChild(visit);
  return found;
}

/** True when `await` may be written at `node`: inside an async function (not a generator's callback). */
export function canAwaitAt(node: ts.Node): boolean {
  const fn = enclosingFunction(node);
  return !!fn && isAsync(fn);
}

/**
 * How the file is loaded: the finding's `moduleSystem` when the analysis knew the project, else the file's
 * own syntax (`require` without `import` → CommonJS).
 */
export function isEsmFile(src: FixSource, fix: LimitFanout): boolean {
  return (fix.moduleSystem ?? moduleStyleOf(src)) === 'esm';
}

/** Whether `pkg` is known to be missing from the nearest package.json. */
export function isMissing(fix: LimitFanout, pkg: string): boolean {
  return fix.missingDeps?.includes(pkg) ?? false;
}

/** ` (adds import; p-limit is not in package.json)` when it is missing, else ``. */
export function dependencyNote(fix: LimitFanout, pkg: string): string {
  return isMissing(fix, pkg) ? ` (adds import; ${pkg} is not in package.json)` : '';
}

/**
 * The name of the module-level limiter for the resource a limit was sized for: one limiter per resource, so
 * two fan-outs towards the thread pool share `threadpoolLimit` and a DB fan-out gets its own `dbLimit`.
 */
export function limiterBaseName(reason: string): string {
  if (reason.startsWith('libuv threadpool')) return 'threadpoolLimit';
  if (/^(pg|mysql2?|knex|prisma) /.test(reason)) return 'dbLimit';
  if (reason.startsWith('http Agent')) return 'httpLimit';
  return 'limit';
}

/** A fan-out the p-map and chunked rewrites accept, with its limit. */
export interface Rewritable {
  fix: LimitFanout;
  n: number;
  shape: FanoutShape;
}

/**
 * The fan-out of a `limit-fanout` finding when it can be rewritten as a whole: a supported shape, a limit of
 * at least 1, independent iterations, and (for `forEach`) an async function to await in.
 */
export function rewritableFanout(finding: Finding, src: FixSource): Rewritable | undefined {
  const fix = finding.fix;
  if (fix.kind !== 'limit-fanout') return undefined;
  const n = Math.floor(fix.limit);
  const cb = launchNode(src, fix);
  const shape = cb && fanoutShape(cb);
  if (!shape || !(n >= 1) || dependentIterations(shape.cb)) return undefined;
  if (shape.kind === 'forEach' && !canAwaitAt(shape.replace)) return undefined;
  return { fix, n, shape };
}

/** Edits replacing the fan-out with `call` (an expression giving the results; awaited for `forEach`). */
export function replaceFanout(src: FixSource, shape: FanoutShape, call: string): EditBuilder {
  const edits = new EditBuilder(src);
  if (shape.kind === 'all') edits.replace(shape.replace.getStart(src.sf), shape.replace.end, call);
  else edits.replace(shape.replace.expression.getStart(src.sf), shape.replace.expression.end, `await ${call}`);
  return edits;
}

/** True for a call of the file's default import (or require) of p-map. */
export function isPMapCall(src: FixSource, node: ts.Node): node is ts.CallExpression {
  const name = importedName(src, ['p-map'], 'default');
  return !!name && ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === name;
}
