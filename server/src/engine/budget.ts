/**
 * Per-file budget: files whose syntax tree nests deeper than the engine's recursive walks can follow (generated
 * parsers, 10,000 nested parentheses, a long `a + b + …` chain) are skipped with a reason instead of
 * overflowing the stack and failing the whole analysis. Checked once per parsed source file.
 */
import { ts } from 'ts-morph';

/**
 * Deepest syntax nesting analysed (AST levels, not braces). Hand-written code stays far below: a statement
 * ten functions and ten blocks deep is about 60 levels. The engine's walkers use a few stack frames per
 * level, and Node's default stack holds about 10,000 frames, so 1,000 levels leaves room for the checker.
 */
export const MAX_NESTING = 1000;

const verdicts = new WeakMap<ts.SourceFile, string | undefined>();

/** The deepest nesting of `sf` up to `limit + 1`, walked with an explicit stack (never recursive). */
function nestingDepth(sf: ts.SourceFile, limit: number): number {
  let max = 0;
  const stack: [ts.Node, number][] = [[sf, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) {
      max = depth;
      if (max > limit) return max;
    }
    ts.forEachChild(node, (child) => {
      stack.push([child, depth + 1]);
    });
  }
  return max;
}

/**
 * Why `sf` is over the per-file budget, or undefined when it can be analysed. Remembered per source file
 * object, so an unchanged file is walked once however many analyses run.
 */
export function overBudget(sf: ts.SourceFile): string | undefined {
  if (verdicts.has(sf)) return verdicts.get(sf);
  const reason = nestingDepth(sf, MAX_NESTING) > MAX_NESTING ? `syntax nested deeper than ${MAX_NESTING.toLocaleString('en-US')} levels (generated code is not analysed)` : undefined;
  verdicts.set(sf, reason);
  return reason;
}

/**
 * True when `sf` is over budget: calls into it are not followed. Finds the verdict when no load or analysis has
 * yet (a file outside the folder that an edit newly imports, met by the first look or a code action), so that
 * every path follows the same calls, and a fact derived from the answer can be kept with the file's nodes.
 */
export function isOverBudget(sf: ts.SourceFile): boolean {
  return overBudget(sf) !== undefined;
}
