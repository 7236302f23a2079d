/**
 * `looplens.yield-in-loop`: lets a long loop in an async function give the event loop back every N
 * iterations, so other requests are served while it runs:
 *
 *   let iterations = 0;
 *   for (const row of rows) {
 *     if (++iterations % 1000 === 0) await setImmediate();
 *     …
 *   }
 *
 * with `import { setImmediate } from 'node:timers/promises'` added when missing (aliased when the file
 * already uses the name `setImmediate` for something else, such as the global callback form).
 * Not offered for array-method loops (`xs.map(cb)`): their callback cannot await for the loop.
 */
import { ts } from 'ts-morph';
import type { EngineSettings } from '../settings';
import type { CodeFix, Finding } from '../types';
import { headerEdit, importedName, moduleStyleOf, namedImportLine, namedImportsOf } from './imports';
import {
  EditBuilder,
  enclosingFunction,
  freeName,
  isAsync,
  lineIndentAt,
  namesUsedIn,
  needsSemicolonBefore,
  nodesAtRange,
  startsLine,
  styleOf,
  type CodeStyle,
  type FixSource,
} from './source';

export const YIELD_IN_LOOP = 'looplens.yield-in-loop';

const TIMERS_PROMISES = ['node:timers/promises', 'timers/promises'];

type Loop = ts.ForStatement | ts.ForOfStatement | ts.ForInStatement | ts.WhileStatement | ts.DoStatement;

/**
 * The yield fix for a `yield-in-loop` finding, or undefined when it does not apply: another fix kind, a
 * loop outside an async function (per the finding and the syntax), no loop statement exactly at
 * `fix.loop` (array-method loops included), `yieldEvery` below 1, or a loop that already yields first thing.
 * `assumeAsync`: another edit of the same fix makes the enclosing function async (`looplens.partition-async`).
 */
export function yieldInLoopFix(finding: Finding, src: FixSource, settings: EngineSettings, assumeAsync = false): CodeFix | undefined {
  const fix = finding.fix;
  if (fix.kind !== 'yield-in-loop' || !fix.inAsyncFunction) return undefined;
  const every = Math.floor(settings.yieldEvery);
  if (!Number.isFinite(every) || every < 1) return undefined;
  const loop = nodesAtRange(src, fix.loop)
    .map((n) => (ts.isLabeledStatement(n) ? innermostLabeled(n) : n))
    .find(isLoop);
  if (!loop) return undefined;
  const fn = enclosingFunction(loop);
  if (fn && !isAsync(fn) && !assumeAsync) return undefined;

  const code = styleOf(src);
  const edits = new EditBuilder(src);
  const existing = importedName(src, TIMERS_PROMISES, 'setImmediate');
  if (existing && alreadyYields(loop, existing)) return undefined;
  let sleep = existing;
  let header;
  if (!sleep) {
    const fileNames = namesUsedIn(src.sf);
    sleep = fileNames.has('setImmediate') ? freeName('setImmediatePromise', fileNames) : 'setImmediate';
    const specifier = sleep === 'setImmediate' ? sleep : `setImmediate as ${sleep}`;
    const style = moduleStyleOf(src);
    const named = style === 'esm' ? namedImportsOf(src, TIMERS_PROMISES) : undefined;
    if (named && named.elements.length > 0) edits.insert(named.elements[named.elements.length - 1].end, `, ${specifier}`);
    else if (named) edits.insert(named.getStart(src.sf) + 1, ` ${specifier} `);
    else header = headerEdit(src, code, [namedImportLine(style, code, 'setImmediate', sleep, 'node:timers/promises')], []);
  }
  const counter = freeName('iterations', namesUsedIn(fn ?? src.sf));
  addLoopEdits(src, code, edits, loop, counter, `if (++${counter} % ${every} === 0) await ${sleep}()`);
  return {
    fixId: YIELD_IN_LOOP,
    title: `Yield to the event loop every ${every} iterations (looplens.yieldEvery setting)`,
    edits: header ? [header, ...edits.build()] : edits.build(),
    isPreferred: true,
  };
}

function isLoop(n: ts.Node): n is Loop {
  return ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n) || ts.isWhileStatement(n) || ts.isDoStatement(n);
}

function innermostLabeled(n: ts.LabeledStatement): ts.Statement {
  let st: ts.Statement = n;
  while (ts.isLabeledStatement(st)) st = st.statement;
  return st;
}

/** True when the loop body already starts with `if (…) await <sleep>();`. */
function alreadyYields(loop: Loop, sleep: string): boolean {
  const first = ts.isBlock(loop.statement) ? loop.statement.statements[0] : loop.statement;
  if (!first || !ts.isIfStatement(first)) return false;
  let then: ts.Statement = first.thenStatement;
  if (ts.isBlock(then) && then.statements.length === 1) then = then.statements[0];
  if (!ts.isExpressionStatement(then) || !ts.isAwaitExpression(then.expression)) return false;
  const call = then.expression.expression;
  return ts.isCallExpression(call) && ts.isIdentifier(call.expression) && call.expression.text === sleep;
}

/**
 * Declares the counter before the loop (before its labels) and puts `yieldStatement` first in the loop
 * body, adding braces to a single-statement body. Keeps the loop line's indentation.
 */
function addLoopEdits(src: FixSource, code: CodeStyle, edits: EditBuilder, loop: Loop, counter: string, yieldStatement: string): void {
  const { sf, text } = src;
  const { eol } = code;
  let stmt: ts.Statement = loop;
  while (ts.isLabeledStatement(stmt.parent)) stmt = stmt.parent;
  const stmtStart = stmt.getStart(sf);
  const indent = lineIndentAt(text, stmtStart);
  const inner = indent + code.indent;
  const declaration = `let ${counter} = 0${code.semi}`;

  const parent = stmt.parent;
  const inStatementList = ts.isBlock(parent) || ts.isSourceFile(parent) || ts.isCaseOrDefaultClause(parent) || ts.isModuleBlock(parent);
  if (!inStatementList) edits.insert(stmtStart, `{ ${declaration} `);
  else edits.insert(stmtStart, startsLine(text, stmtStart) ? `${declaration}${eol}${indent}` : `${declaration} `);

  const body = loop.statement;
  const terminated = (offset: number) => yieldStatement + (code.semi || (needsSemicolonBefore(text, offset) ? ';' : ''));
  if (ts.isBlock(body)) {
    const open = body.getStart(sf);
    const first = body.statements[0];
    const multiLine = text.slice(open, first ? first.getStart(sf) : body.end).includes('\n');
    const at = open + 1;
    if (multiLine && first) edits.insert(at, `${eol}${lineIndentAt(text, first.getStart(sf))}${terminated(at)}`);
    else if (multiLine) edits.insert(at, `${eol}${inner}${yieldStatement}${code.semi}`);
    else edits.insert(at, ` ${terminated(at)}${first ? '' : ' '}`);
  } else if (ts.isEmptyStatement(body)) {
    edits.replace(body.pos, body.end, ` {${eol}${inner}${yieldStatement}${code.semi}${eol}${indent}}`);
  } else {
    const bodyStart = body.getStart(sf);
    const opening = ` {${eol}${inner}${terminated(bodyStart)}`;
    if (text.slice(body.pos, bodyStart).includes('\n')) edits.insert(body.pos, opening);
    else edits.replace(body.pos, bodyStart, `${opening}${eol}${inner}`);
    edits.insert(body.end, `${eol}${indent}}`);
  }
  if (!inStatementList) edits.insert(stmt.end, ' }');
}
