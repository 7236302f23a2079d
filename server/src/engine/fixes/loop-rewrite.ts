/**
 * `looplens.loop-p-map` and `looplens.loop-chunked`: refactors (no diagnostic needed) that turn a serial
 * `for…of` loop awaiting in each iteration into bounded concurrency, N iterations in flight:
 *
 *   for (const u of users) { await refresh(u); }   →  await pMap(users, async (u) => { await refresh(u); }, { concurrency: 4 });
 *   for (const p of paths) { const t = await readFile(p, 'utf8'); texts.push(t.trim()); }
 *     →  texts.push(...(await pMap(paths, async (p) => { const t = await readFile(p, 'utf8'); return t.trim(); }, { concurrency: 4 })));
 *
 * Results keep the order of the input (p-map and the chunked helper return them in input order) and the
 * first rejection rejects, as the loop's first throw did. Only loops whose iterations are independent are
 * rewritten (see {@link loopRewriteRefusal}).
 */
import { ts } from 'ts-morph';
import type { CodeFix, ModuleSystem, Range } from '../types';
import { chunkHelper } from './chunked';
import { assignedOuterVariable } from './fanout-shape';
import { defaultImportLine, headerEdit, importedName, moduleStyleOf } from './imports';
import { offsetAt } from './applyEdits';
import { EditBuilder, enclosingFunction, freeName, isAsync, namesUsedIn, styleOf, type FixSource } from './source';

export const LOOP_P_MAP = 'looplens.loop-p-map';
export const LOOP_CHUNKED = 'looplens.loop-chunked';

/**
 * The concurrency limit for a loop's work and what the emitted code may use; `limit`/`reason` as computed by
 * `sizeLimit` (analysis/concurrency.ts), the rest as `FileFacts` there. Without facts the file's own syntax
 * decides the module system and no package is known to be missing.
 */
export interface LoopSizing {
  limit: number;
  reason: string;
  moduleSystem?: ModuleSystem;
  dynamicImport?: boolean;
  missingDeps?: string[];
}

/** A serial loop the refactor can rewrite: the loop, its iteration binding and the optional accumulation. */
interface Rewritable {
  loop: ts.ForOfStatement;
  binding: ts.BindingName;
  /** `results.push(expr);`, the body's last statement, when the loop collects one result per iteration. */
  push?: { statement: ts.ExpressionStatement; target: string; value: ts.Expression };
}

/** The innermost `for…of` statement whose span contains offsets [start, end), or undefined. */
export function loopAt(src: FixSource, start: number, end: number): ts.ForOfStatement | undefined {
  let hit: ts.ForOfStatement | undefined;
  const visit = (n: ts.Node): void => {
    if (n.getStart(src.sf) > start || n.end < end) return;
    if (ts.isForOfStatement(n)) hit = n;
    n.forEachChild(visit);
  };
  src.sf.forEachChild(visit);
  return hit;
}

/**
 * Why `loop` cannot run its iterations concurrently, or undefined when it can: it is `for await` or labelled,
 * assigns an outer variable instead of declaring one, is not in an async function, does not await in its own
 * body (only in nested functions, or not at all), or its iterations depend on each other or on the loop's
 * order of completion: `break`, a labelled `continue`, `return`, `yield`, `var` (hoisted out of the
 * iteration), an assignment to a variable declared outside the body (carried to a later iteration or read
 * after the loop), or a `continue` in a loop collecting results.
 */
export function loopRewriteRefusal(loop: ts.ForOfStatement): string | undefined {
  return analyse(loop).reason;
}

function analyse(loop: ts.ForOfStatement): { reason?: string; target?: Rewritable } {
  if (loop.awaitModifier) return { reason: '`for await` consumes its source one item at a time' };
  if (ts.isLabeledStatement(loop.parent)) return { reason: 'the loop is labelled' };
  const init = loop.initializer;
  if (!ts.isVariableDeclarationList(init) || init.declarations.length !== 1 || !(init.flags & ts.NodeFlags.BlockScoped)) {
    return { reason: 'the loop assigns a variable declared outside it' };
  }
  const fn = enclosingFunction(loop);
  if (!fn || !isAsync(fn)) return { reason: 'the loop is not in an async function' };
  const binding = init.declarations[0]!.name;
  const push = pushAccumulation(loop.statement);

  let awaits = false;
  let reason: string | undefined;
  const visit = (n: ts.Node, inNestedLoop: boolean, inSwitch: boolean): void => {
    if (reason) return;
    if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    if (ts.isAwaitExpression(n) || (ts.isForOfStatement(n) && n.awaitModifier)) awaits = true;
    if (ts.isBreakStatement(n) && (n.label || (!inNestedLoop && !inSwitch))) reason = 'an iteration can stop the loop with `break`';
    else if (ts.isContinueStatement(n) && n.label) reason = 'a labelled `continue` jumps out of the iteration';
    else if (ts.isContinueStatement(n) && !inNestedLoop && push) reason = '`continue` skips collecting a result';
    else if (ts.isReturnStatement(n)) reason = 'an iteration can `return` from the function';
    else if (ts.isYieldExpression(n)) reason = 'an iteration can `yield`';
    else if (ts.isVariableDeclarationList(n) && !(n.flags & ts.NodeFlags.BlockScoped)) reason = '`var` in the body outlives the iteration';
    if (reason) return;
    const loopChild = ts.isIterationStatement(n, false);
    n.forEachChild((c) => visit(c, inNestedLoop || loopChild, inSwitch || ts.isSwitchStatement(n)));
  };
  visit(loop.statement, false, false);
  if (reason) return { reason };
  if (!awaits) return { reason: 'the loop body does not await (only nested functions do, if any)' };
  const outer = assignedOuterVariable(loop.statement, [binding]);
  if (outer) return { reason: `\`${outer}\` is assigned in one iteration and read in a later one or after the loop` };
  if (push && mentions(loop.statement, push.target, push.statement)) return { reason: `\`${push.target}\` is read inside the loop` };
  return { target: { loop, binding, ...(push ? { push } : {}) } };
}

/** `xs.push(value);` as the last statement of a block body, with a plain identifier `xs` and one argument. */
function pushAccumulation(body: ts.Statement): Rewritable['push'] {
  if (!ts.isBlock(body)) return undefined;
  const last = body.statements[body.statements.length - 1];
  if (!last || !ts.isExpressionStatement(last) || !ts.isCallExpression(last.expression)) return undefined;
  const call = last.expression;
  if (!ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'push' || call.expression.questionDotToken) return undefined;
  const target = call.expression.expression;
  const value = call.arguments[0];
  if (!ts.isIdentifier(target) || call.arguments.length !== 1 || !value || ts.isSpreadElement(value)) return undefined;
  return { statement: last, target: target.text, value };
}

/** True when `name` occurs as an identifier under `root`, outside `except`. */
function mentions(root: ts.Node, name: string, except: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || n === except) return;
    if (ts.isIdentifier(n) && n.text === name && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) found = true;
    else n.forEachChild(visit);
  };
  visit(root);
  return found;
}

/**
 * The loop refactors for the `for…of` loop innermost around `range` in `src`: `looplens.loop-p-map` (ES module
 * import, or `import('p-map')` in CommonJS unless the compiler turns it into `require()`) and
 * `looplens.loop-chunked` (a dependency-free helper), the one the project can use preferred. Empty when there
 * is no such loop, `sizing.limit` is below 1, or {@link loopRewriteRefusal} refuses it. Pure; never throws.
 */
export function loopRewriteFixes(src: FixSource, range: Range, sizing: LoopSizing): CodeFix[] {
  const n = Math.floor(sizing.limit);
  if (!(n >= 1)) return [];
  const loop = loopAt(src, offsetAt(src.text, range.start), offsetAt(src.text, range.end));
  const target = loop && analyse(loop).target;
  if (!target) return [];
  const esm = (sizing.moduleSystem ?? moduleStyleOf(src)) === 'esm';
  const pMapMissing = sizing.missingDeps?.includes('p-map') ?? false;
  const code = styleOf(src);
  const items = target.loop.expression.getText(src.sf);
  const fixes: CodeFix[] = [];

  if (esm || sizing.dynamicImport !== false) {
    const imports: string[] = [];
    let call: (args: string) => string;
    if (esm) {
      let name = importedName(src, ['p-map'], 'default');
      if (!name) {
        name = freeName('pMap', namesUsedIn(src.sf));
        imports.push(defaultImportLine('esm', code, name, 'p-map'));
      }
      call = (args) => `${name}(${args})`;
    } else call = (args) => `import(${code.quote}p-map${code.quote}).then((m) => m.default(${args}))`;
    const edits = rewrite(src, target, (cb) => call(`${items}, ${cb}, { concurrency: ${n} }`));
    const header = headerEdit(src, code, imports, []);
    fixes.push({
      fixId: LOOP_P_MAP,
      title: `Run ${n} iterations at a time with p-map${esm ? '' : ', loaded with import() (CommonJS)'} (${sizing.reason})${pMapMissing ? ' (adds import; p-map is not in package.json)' : ''}`,
      edits: header ? [header, ...edits] : edits,
      isPreferred: esm && !pMapMissing,
    });
  }

  const helper = chunkHelper(src, code);
  const edits = rewrite(src, target, (cb) => `${helper.name}(Array.from(${items}), ${n}, ${cb})`);
  const header = headerEdit(src, code, [], helper.declarations);
  fixes.push({
    fixId: LOOP_CHUNKED,
    title: `Run iterations in chunks of ${n}, no dependency (${sizing.reason})`,
    edits: header ? [header, ...edits] : edits,
    isPreferred: !(esm && !pMapMissing),
  });
  return fixes;
}

/** Edits turning the loop into one statement awaiting `call(callback)`, the body becoming the callback's. */
function rewrite(src: FixSource, t: Rewritable, call: (cb: string) => string): ReturnType<EditBuilder['build']> {
  const { semi } = styleOf(src);
  const edits = new EditBuilder(src);
  const body = t.loop.statement;
  const param = t.binding.getText(src.sf);
  const head = `async (${param}) => `;
  const marker = '\u0000';
  const [before, after] = call(head + marker).split(marker) as [string, string];
  const opening = t.push ? `${t.push.target}.push(...(await ${before}` : `await ${before}`;
  const closing = t.push ? `${after}))${semi}` : `${after}${semi}`;
  const wrapped = ts.isBlock(body);
  edits.replace(t.loop.getStart(src.sf), body.getStart(src.sf), wrapped ? opening : `${opening}{ `);
  if (t.push) edits.replace(t.push.statement.expression.getStart(src.sf), t.push.statement.expression.end, `return ${t.push.value.getText(src.sf)}`);
  // An unlabelled `continue` of this loop ends the iteration: in the callback that is `return`.
  const visit = (n: ts.Node, nested: boolean): void => {
    if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    if (ts.isContinueStatement(n) && !n.label && !nested) edits.replace(n.getStart(src.sf), n.getStart(src.sf) + 'continue'.length, 'return');
    const loopChild = ts.isIterationStatement(n, false);
    n.forEachChild((c) => visit(c, nested || loopChild));
  };
  visit(body, false);
  edits.insert(body.end, wrapped ? closing : ` }${closing}`);
  return edits.build();
}
