/**
 * Making a sync function async when every caller can await it (decided with the checker, see
 * `analysis/blocking-fixes.ts`): `async` goes on the function, a declared return type `T` becomes
 * `Promise<T>`, and every call gets `await` (parenthesised where the call is an operand: `(await f()).x`).
 * Also `looplens.partition-async`: the yield-in-loop fix for a data loop in a sync function, together with
 * that conversion.
 */
import { ts } from 'ts-morph';
import type { EngineSettings } from '../settings';
import type { CodeFix, ConversionData, Finding, TextEdit } from '../types';
import { applyEdits } from './applyEdits';
import { EditBuilder, nodesAtRange, type FixSource } from './source';
import { yieldInLoopFix } from './yield-in-loop';

export const PARTITION_ASYNC = 'looplens.partition-async';

/** The function node at `conversion.fn`, or undefined. */
export function conversionTarget(src: FixSource, conversion: ConversionData): ts.FunctionLikeDeclaration | undefined {
  return nodesAtRange(src, conversion.fn).find((n): n is ts.FunctionLikeDeclaration => ts.isFunctionLike(n) && 'body' in n && !!n.body);
}

/**
 * Adds the conversion's edits to `edits`. False (edits untouched) when the text no longer has the function
 * or one of its calls at the recorded ranges, or the data says the conversion is refused.
 */
export function addConversionEdits(src: FixSource, edits: EditBuilder, conversion: ConversionData): boolean {
  if (conversion.refused || !Array.isArray(conversion.calls)) return false;
  const fn = conversionTarget(src, conversion);
  if (!fn) return false;
  const calls: ts.CallExpression[] = [];
  for (const r of conversion.calls) {
    const call = nodesAtRange(src, r).find(ts.isCallExpression);
    if (!call) return false;
    calls.push(call);
  }
  const { sf } = src;
  if (ts.isArrowFunction(fn)) edits.insert(fn.getStart(sf), 'async ');
  else if (ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) {
    const kw = fn.getChildren(sf).find((c) => c.kind === ts.SyntaxKind.FunctionKeyword);
    if (!kw) return false;
    edits.insert(kw.getStart(sf), 'async ');
  } else if (ts.isMethodDeclaration(fn)) edits.insert(fn.name.getStart(sf), 'async ');
  else return false;
  if (fn.type && !/^Promise\s*</.test(fn.type.getText(sf))) edits.replace(fn.type.getStart(sf), fn.type.end, `Promise<${fn.type.getText(sf)}>`);
  for (const call of calls) addAwait(src, edits, call, call.getText(sf));
  return true;
}

/**
 * Replaces the expression `node` by `await <replacement>`, parenthesised when the expression is an operand
 * that binds tighter than `await` (`(await f()).x`, `(await f())()`, `(await f()) ** 2`). When `node` is
 * already awaited, only the replacement goes in.
 */
export function addAwait(src: FixSource, edits: EditBuilder, node: ts.Expression, replacement: string): void {
  const p = node.parent;
  const start = node.getStart(src.sf);
  if (ts.isAwaitExpression(p)) {
    if (replacement !== node.getText(src.sf)) edits.replace(start, node.end, replacement);
    return;
  }
  const paren =
    ((ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p) || ts.isCallExpression(p)) && p.expression === node) ||
    (ts.isTaggedTemplateExpression(p) && p.tag === node) ||
    ts.isNewExpression(p) ||
    ts.isNonNullExpression(p) ||
    (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskToken && p.left === node);
  const text = paren ? `(await ${replacement})` : `await ${replacement}`;
  if (replacement === node.getText(src.sf) && !paren) edits.insert(start, 'await ');
  else edits.replace(start, node.end, text);
}

/** "make `f` async (its 2 calls await it)" for titles. */
export function conversionTitle(src: FixSource, conversion: ConversionData): string {
  const fn = conversionTarget(src, conversion);
  const name = fn && fn.name && ts.isIdentifier(fn.name) ? fn.name.text : fn && ts.isVariableDeclaration(fn.parent) ? fn.parent.name.getText(src.sf) : 'the function';
  const n = conversion.calls.length;
  if (n === 0) return 'make the handler async (its framework awaits the returned promise and handles a rejection)';
  return `make \`${name}\` async (${n === 1 ? 'its one call is in an async function and awaits it' : `all ${n} calls are in async functions and await it`})`;
}

/** Joins the edits of two fixes of the same text; undefined when they overlap. */
export function joinEdits(text: string, a: readonly TextEdit[], b: readonly TextEdit[]): TextEdit[] | undefined {
  const all = [...a, ...b];
  try {
    applyEdits(text, all);
  } catch {
    return undefined;
  }
  return all;
}

/**
 * `looplens.partition-async` for a data loop in a sync function that can become async: the conversion plus
 * `if (++i % N === 0) await setImmediate()` first in the loop. Undefined when the finding is not such a loop
 * or the conversion is refused (then the loop's own fix says nothing; the worker offload may still apply).
 */
export function partitionAsyncFix(finding: Finding, src: FixSource, settings: EngineSettings): CodeFix | undefined {
  const fix = finding.fix;
  if (fix.kind !== 'yield-in-loop' || fix.inAsyncFunction || !fix.conversion) return undefined;
  if (fix.conversion.refused) {
    return {
      fixId: PARTITION_ASYNC,
      title: `Yield to the event loop every ${Math.floor(settings.yieldEvery)} iterations (needs the function to become async)`,
      edits: [],
      isPreferred: false,
      disabled: `The function cannot become async: ${fix.conversion.refused}.`,
    };
  }
  const yieldFix = yieldInLoopFix({ ...finding, fix: { ...fix, inAsyncFunction: true } }, src, settings, true);
  if (!yieldFix) return undefined;
  const edits = new EditBuilder(src);
  if (!addConversionEdits(src, edits, fix.conversion)) return undefined;
  const joined = joinEdits(src.text, yieldFix.edits, edits.build());
  if (!joined) return undefined;
  return {
    fixId: PARTITION_ASYNC,
    title: `${yieldFix.title[0]!.toUpperCase()}${yieldFix.title.slice(1)}, and ${conversionTitle(src, fix.conversion)}`,
    edits: joined,
    isPreferred: true,
  };
}
