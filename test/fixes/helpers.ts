/**
 * Helpers for the fix tables: build findings by hand (the engine is not needed to test fixes) with ranges
 * located by marker substrings, and apply a fix to get the whole fixed text.
 */
import { applyEdits } from '../../server/src/engine/fixes/applyEdits';
import { fixesFor } from '../../server/src/engine/fixes/index';
import { parseSource, positionAt } from '../../server/src/engine/fixes/source';
import { ts } from 'ts-morph';
import { resolveSettings, type EngineSettings } from '../../server/src/engine/settings';
import type { CodeFix, FixData, Finding, Range } from '../../server/src/engine/types';

export const FILE = '/project/src/handler.ts';

/**
 * The range of the `occurrence`-th (0-based) occurrence of `needle` in `code`. Throws when missing, so a
 * typo in a table fails loudly instead of testing nothing.
 */
export function rangeOf(code: string, needle: string, occurrence = 0): Range {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = code.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`marker ${JSON.stringify(needle)} #${occurrence} not found`);
  }
  return { start: positionAt(code, at), end: positionAt(code, at + needle.length) };
}

/** A finding of `ruleId` at `range` carrying `fix`, in {@link FILE} unless `file` is given. */
export function finding(ruleId: string, range: Range, fix: FixData, file = FILE): Finding {
  const family = ruleId.split('/')[0] as Finding['family'];
  return {
    ruleId,
    family,
    severity: 'warning',
    message: `${ruleId} test finding`,
    location: { file, range },
    chain: [],
    related: [],
    fix,
  };
}

/** A `limit-fanout` finding located at `at` whose launch is `launch` (default: the same range). */
export function fanoutFinding(at: Range, launch = at, limit = 8, ruleId = 'unbounded-fanout/promise-all'): Finding {
  return finding(ruleId, at, { kind: 'limit-fanout', launch, limit, limitReason: 'looplens.concurrency.io setting' });
}

/** The fix with `fixId` for the finding, or undefined when not offered. */
export function fixWithId(f: Finding, code: string, fixId: string, settings?: Partial<EngineSettings>): CodeFix | undefined {
  return fixesFor(f, code, resolveSettings(settings)).find((x) => x.fixId === fixId);
}

/** The whole text after applying the fix with `fixId`; undefined when that fix is not offered. */
export function applyFix(f: Finding, code: string, fixId: string, settings?: Partial<EngineSettings>): string | undefined {
  const fix = fixWithId(f, code, fixId, settings);
  return fix && applyEdits(code, fix.edits);
}

/** Joins lines with `\n` and a final newline: keeps multi-line table entries readable. */
export function lines(...ls: string[]): string {
  return ls.join('\n') + '\n';
}

/**
 * The range of the statement that starts where `marker` does (e.g. `for (const row of rows)` → the whole
 * loop, body included), or of the call expression starting there when `kind` is `call`. Throws when none.
 */
export function nodeRangeAt(code: string, marker: string, kind: 'loop' | 'call' = 'loop'): Range {
  const at = code.indexOf(marker);
  if (at < 0) throw new Error(`marker ${JSON.stringify(marker)} not found`);
  const { sf } = parseSource('/x.ts', code);
  let hit: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (hit) return;
    const wanted = kind === 'loop' ? ts.isIterationStatement(n, false) : ts.isCallExpression(n);
    if (n.getStart(sf) === at && wanted) hit = n;
    else n.forEachChild(visit);
  };
  sf.forEachChild(visit);
  if (!hit) throw new Error(`no ${kind} starts at ${JSON.stringify(marker)}`);
  return { start: positionAt(code, at), end: positionAt(code, hit.end) };
}

/** The dependency-free chunk helper as `looplens.chunked` and `looplens.loop-chunked` add it to a TypeScript file. */
export const HELPER_TS = [
  '// Runs fn over items, size at a time; results keep the order of items; the first rejection rejects.',
  'async function mapInChunks<T, R>(items: readonly T[], size: number, fn: (item: T, index: number) => R | PromiseLike<R>): Promise<Awaited<R>[]> {',
  '  const results: Awaited<R>[] = [];',
  '  for (let i = 0; i < items.length; i += size) {',
  '    results.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => fn(item, i + j)))));',
  '  }',
  '  return results;',
  '}',
];

/** A serial `for…of` awaiting each item in an async function, the loop refactors' simplest accepted shape. */
export const SERIAL_LOOP = lines(
  "import { unlink } from 'node:fs/promises';",
  '',
  'export async function clean(paths: string[]) {',
  '  for (const p of paths) {',
  '    await unlink(p);',
  '  }',
  '}',
);
