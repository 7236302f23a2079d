/**
 * blocking-cpu/data-loop
 *
 * What it does: reports the outermost loop whose trip count depends on data (a request's input, a query's
 * rows, a directory listing, a parameter; see analysis/provenance.ts) and whose body does work that also grows
 * with data — a nested loop, an array method with a callback, a linear scan (`includes`, `indexOf`), or a call
 * to a function that loops — without awaiting. The message says where each size comes from. Loops over
 * literals, tuples, constant slices, module constants and schema/config parts (`Object.keys(schema)`,
 * `table.columns`), inner work over a part of the current element (`row.cells`), and loops that await in every
 * iteration, are silent.
 *
 * Why it is bad: nested passes over request-sized data are O(n·m); nothing preempts them, so the event loop
 * serves no other request until they finish (Node.js, "Don't Block the Event Loop": partition the work or
 * offload it; https://nodejs.org/en/learn/asynchronous-work/dont-block-the-event-loop). A single pass is
 * usually cheap and is not reported.
 */
import { ts } from 'ts-morph';
import { calleeName, enclosingFunction, headerLocation, locationOf, type FunctionNode, isAsyncFunction, isFunctionWithBody, receiverOf, skipOuter } from '../../ast';
import { callbackIsAsync, holdsRows, isArrayMethodLoop, isDataLoop, isDataScan, loopAwaits, loopCallback, loopCollection, type LoopNode } from '../../analysis/loops';
import { describeOrigin, isDataOrigin, isElementPart, memoized, originOf, type OriginEnv } from '../../analysis/provenance';
import { sizeSource } from '../../analysis/size';
import { resolveFunctionValue } from '../../resolve';
import { walkOwnWork } from '../../analysis/walk';
import type { RuleMeta } from '../registry';
import type { DetectEnv, Rule } from '../rule';

export const meta: RuleMeta = {
  id: 'blocking-cpu/data-loop',
  family: 'blocking-cpu',
  description: 'A loop whose work grows with the data (nested loops over collections) runs on the event loop without yielding.',
  defaultSeverity: 'warning',
  fixIds: ['looplens.yield-in-loop', 'looplens.partition-async', 'looplens.worker-offload', 'looplens.disable-next-line'],
};

/**
 * The expression a loop's trip count depends on: its collection (`xs` in `xs.map(…)`, `for (… of xs)`,
 * `i < xs.length`) or the bound of a counting loop (`n` in `i < n`, also in `while`); undefined otherwise.
 */
export function loopSize(loop: ts.Node): ts.Expression | undefined {
  const coll = loopCollection(loop);
  if (coll) return coll;
  const cond = ts.isForStatement(loop) ? loop.condition : ts.isWhileStatement(loop) || ts.isDoStatement(loop) ? loop.expression : undefined;
  if (cond) {
    const c = skipOuter(cond);
    if (ts.isBinaryExpression(c) && (c.operatorToken.kind === ts.SyntaxKind.LessThanToken || c.operatorToken.kind === ts.SyntaxKind.LessThanEqualsToken)) return c.right;
  }
  return undefined;
}

/** True when a loop's size traces back to a schema or config (see provenance.ts): not data-sized. */
function isConfigSized(loop: ts.Node, env: OriginEnv): boolean {
  const size = loopSize(loop);
  if (!size) return false;
  const o = originOf(env, size);
  return o.kind === 'config' || o.kind === 'fixed';
}

/**
 * A loop that runs synchronously over data: statement loops that never await, array methods with sync
 * callbacks, whose size is not fixed by the code and does not trace back to a schema or config.
 */
export function isBlockingDataLoop(node: ts.Node, env: OriginEnv): node is LoopNode {
  if (!ts.isIterationStatement(node, false) && !ts.isCallExpression(node)) return false;
  return memoized(env, env.blockingLoops, node, () =>
    ts.isIterationStatement(node, false)
      ? isDataLoop(env.checker, node) && !loopAwaits(node) && !isConfigSized(node, env)
      : isArrayMethodLoop(env.checker, node) && !callbackIsAsync(env.checker, loopCallback(node)) && isDataLoop(env.checker, node) && !isConfigSized(node, env),
  );
}

/**
 * Whether walking `coll` inside `outer` multiplies the work: its size is data-sized and independent of the
 * element `outer` (or a loop inside it) is on. `row.cells` inside a loop over rows is linear in the total data,
 * unless an enclosing loop between the two already walks the same collection (a self-join, `g.members` ×
 * `g.members`).
 */
function multiplies(coll: ts.Expression, at: ts.Node, outer: LoopNode, env: DetectEnv): boolean {
  const o = originOf(env, coll);
  if (isElementPart(env, coll, outer)) {
    const text = skipOuter(coll).getText();
    for (let p: ts.Node | undefined = at.parent; p && p !== outer.parent; p = p.parent) {
      const c = loopCollection(p);
      if (c && isBlockingDataLoop(p, env) && skipOuter(c).getText() === text) return true;
    }
    return false;
  }
  return isDataOrigin(o) || o.kind === 'element';
}

/**
 * The inner work that makes a loop super-linear, described for the message; undefined when there is none.
 * Work over primitives (column names, role ids) inside a loop over rows is linear in the rows and does not count,
 * nor does work over a part of the current element, nor over a schema or config.
 */
function innerWork(loop: LoopNode, env: DetectEnv): string | undefined {
  let found: string | undefined;
  const outerRows = holdsRows(env.checker, loopCollection(loop));
  const counts = (inner: ts.Expression | undefined, at: ts.Node) => (!outerRows || holdsRows(env.checker, inner)) && (!inner || multiplies(inner, at, loop, env));
  const self = enclosingFunction(loop);
  const calleeCounts = (fn: FunctionNode, args: readonly ts.Expression[] | undefined, at: ts.Node) => {
    // An async callee started in a loop is a fan-out, not inner CPU work: its loops mostly run after its awaits.
    if (isAsyncFunction(fn)) return false;
    // Recursion from the loop is a walk down a tree (children of children): each node is visited once.
    if (fn === self) return false;
    const w = env.linearWork(fn);
    if (!w || !(w.level === 'row' || !outerRows)) return false;
    if (w.params === 'any') return true;
    // Passed by reference (`xs.map(score)`), the first argument is the element.
    return w.params.some((i) => (args ? !!args[i] && multiplies(args[i]!, at, loop, env) : i !== 0));
  };
  const body: ts.Node[] = ts.isIterationStatement(loop, false) ? [loop.statement] : loop.arguments.slice(0, 1);
  for (const b of body) {
    const visitRoot = (n: ts.Node): boolean | void => {
      if (found) return false;
      if (n !== loop && isBlockingDataLoop(n, env) && counts(loopCollection(n), n)) {
        const coll = loopCollection(n);
        const from = coll ? describeOrigin(originOf(env, coll), coll.getText()) : '';
        found = ts.isCallExpression(n) ? `\`${skipOuter(receiverOf(n)!).getText()}.${(n.expression as ts.PropertyAccessExpression).name.text}\`${from}` : `a loop over \`${loopSubject(n)}\`${from}`;
        return false;
      }
      if (isDataScan(env.checker, n) && counts(scanned(n), n)) {
        const coll = ts.isCallExpression(n) ? loopCollection(n) : undefined;
        found = ts.isCallExpression(n) ? `\`${n.expression.getText()}\`${coll ? describeOrigin(originOf(env, coll), coll.getText()) : ''}` : `a copy of the accumulator (\`${n.getText()}\`)`;
        return false;
      }
      if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
        const callee = env.callee(n);
        if (callee?.body && calleeCounts(callee.body, n.arguments ?? [], n)) {
          found = `\`${callee.name}()\`, which loops`;
          return false;
        }
      }
      return undefined;
    };
    if (isFunctionWithBody(b)) walkOwnWork(b, env.isInline, visitRoot);
    else if (!ts.isBlock(b) && !ts.isStatement(b)) {
      // A callback passed by reference: xs.map(score)
      const fn = resolveFunctionValue(env.checker, b as ts.Expression);
      if (fn && calleeCounts(fn, undefined, b)) found = `\`${skipOuter(b as ts.Expression).getText()}()\`, which loops`;
    } else walkOwnWork(b, env.isInline, visitRoot);
  }
  return found;
}

/**
 * The collection a scan walks: the receiver of `xs.includes(…)`; for a copy of a reduce's accumulator
 * (`{ ...acc }`, `acc.concat(x)`), the collection that reduce walks, since the accumulator grows with it.
 */
export function scanned(n: ts.Node): ts.Expression | undefined {
  if (ts.isSpreadElement(n) || ts.isSpreadAssignment(n) || (ts.isCallExpression(n) && calleeName(n) === 'concat')) {
    for (let p: ts.Node | undefined = n.parent; p; p = p.parent) {
      if (isFunctionWithBody(p)) return ts.isCallExpression(p.parent) ? receiverOf(p.parent) : undefined;
    }
    return undefined;
  }
  return loopCollection(n);
}

/** What a loop iterates, for messages. */
function loopSubject(loop: LoopNode): string {
  if (ts.isCallExpression(loop)) return sizeSource(receiverOf(loop)!);
  if (ts.isForOfStatement(loop) || ts.isForInStatement(loop)) return sizeSource(loop.expression);
  if (ts.isForStatement(loop) && loop.condition && ts.isBinaryExpression(loop.condition)) return sizeSource(loop.condition.right);
  return 'a data-dependent condition';
}

/**
 * True when `node` sits inside a blocking data loop of `fn`'s own work (an inline callback's loop counts; a
 * function that runs later does not). Used for "report the outermost loop" and for call sites inside loops.
 */
export function insideBlockingLoop(node: ts.Node, fn: ts.Node, env: OriginEnv & Pick<DetectEnv, 'isInline'>): boolean {
  for (let p = node.parent; p && p !== fn; p = p.parent) {
    if (isFunctionWithBody(p) && !env.isInline(p)) return false;
    if (isBlockingDataLoop(p, env)) return true;
  }
  return false;
}

/** What the outer loop's size depends on, for the message: ` (from \`await db.rows()\`)`. */
function subjectOrigin(loop: LoopNode, env: DetectEnv): string {
  const size = loopSize(loop);
  return size ? describeOrigin(originOf(env, size), size.getText()) : '';
}

export const rule: Rule = {
  meta,
  messages: {
    nested: 'Loop over {subject} runs {inner} on every iteration, on the event loop in {handler}: O(n·m) work that no other request can interrupt. Index the inner data (a Map or Set), yield with `await setImmediate()`, or offload to a worker pool.',
  },
  detect(node, env) {
    if (!isBlockingDataLoop(node, env)) return undefined;
    const inner = innerWork(node, env);
    if (!inner || insideBlockingLoop(node, env.fn, env)) return undefined;
    const fn = enclosingFunction(node);
    const inAsync = !!fn && isAsyncFunction(fn) && ts.isIterationStatement(node, false);
    return {
      ruleId: meta.id,
      family: 'blocking-cpu',
      node,
      location: headerLocation(node, env.sf),
      messageId: 'nested',
      data: { subject: `\`${loopSubject(node)}\`${subjectOrigin(node, env)}`, inner },
      fix: ts.isIterationStatement(node, false) ? { kind: 'yield-in-loop', loop: locationOf(node, env.sf).range, inAsyncFunction: inAsync } : { kind: 'none' },
      reason: `nested loop over ${loopSubject(node)}`,
    };
  },
};
