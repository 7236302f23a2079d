/**
 * `looplens.chunked`: bounds a fan-out without any dependency, running it in waves of N with a module-level
 * helper (added once per file):
 *
 *   await Promise.all(users.map(async (u) => refresh(u)))  →  await mapInChunks(users, 4, async (u) => refresh(u))
 *   users.forEach(async (u) => { await refresh(u); });     →  await mapInChunks(users, 4, async (u) => { await refresh(u); });
 *
 * The helper awaits `Promise.all` over `items.slice(i, i + size)` for each wave, so results keep the input
 * order and the first rejection rejects (later waves do not start). A wave waits for its slowest call, so a
 * limiter keeps the resource busier; this variant is preferred where a limiter package would not load (a
 * CommonJS project: p-limit ≥ 4 and p-map ≥ 5 are ESM-only) or is not in package.json.
 */
import { ts } from 'ts-morph';
import type { CodeFix, Finding } from '../types';
import { isEsmFile, isMissing, replaceFanout, rewritableFanout } from './fanout-shape';
import { headerEdit } from './imports';
import { freeName, namesUsedIn, styleOf, type CodeStyle, type FixSource } from './source';

export const CHUNKED = 'looplens.chunked';

const HELPER = 'mapInChunks';

/**
 * The chunked rewrite for a `limit-fanout` finding whose launch is the callback of `Promise.all(xs.map(cb))`
 * or of a `xs.forEach(cb);` statement in an async function; undefined for other shapes, a limit below 1 or
 * dependent iterations. Preferred when the file cannot use, or the project does not list, the limiter the
 * other variant needs (p-limit for `Promise.all`, p-map for `forEach`).
 */
export function chunkedFix(finding: Finding, src: FixSource): CodeFix | undefined {
  const target = rewritableFanout(finding, src);
  if (!target) return undefined;
  const { fix, n, shape } = target;

  const code = styleOf(src);
  const { name, declarations } = chunkHelper(src, code);
  const call = `${name}(${shape.items.getText(src.sf)}, ${n}, ${shape.cb.getText(src.sf)})`;
  const edits = replaceFanout(src, shape, call);
  const header = headerEdit(src, code, [], declarations);
  const esm = isEsmFile(src, fix);
  const limiterUsable = esm && !isMissing(fix, shape.kind === 'all' ? 'p-limit' : 'p-map');
  const what = shape.kind === 'all' ? `Limit to ${n} concurrent calls in chunks of ${n}` : `Await every call in chunks of ${n}`;
  return {
    fixId: CHUNKED,
    title: `${what}, no dependency (${fix.limitReason})`,
    edits: header ? [header, ...edits.build()] : edits.build(),
    isPreferred: !limiterUsable,
  };
}

/**
 * The name of the chunk helper for calls in `src`: the one this fix added before, else a free name with its
 * declaration (to add at the top of the file) in `declarations`.
 */
export function chunkHelper(src: FixSource, code: CodeStyle): { name: string; declarations: string[] } {
  const typed = !/\.[cm]?jsx?$/i.test(src.file);
  const name = existingHelper(src, code, typed);
  if (name) return { name, declarations: [] };
  const fresh = freeName(HELPER, namesUsedIn(src.sf));
  return { name: fresh, declarations: [helperText(fresh, code, typed)] };
}

/** The helper's source in the file's style, `typed` with TypeScript annotations. */
function helperText(name: string, code: CodeStyle, typed: boolean): string {
  const { indent: i, semi, eol } = code;
  return [
    '// Runs fn over items, size at a time; results keep the order of items; the first rejection rejects.',
    typed
      ? `async function ${name}<T, R>(items: readonly T[], size: number, fn: (item: T, index: number) => R | PromiseLike<R>): Promise<Awaited<R>[]> {`
      : `async function ${name}(items, size, fn) {`,
    `${i}const results${typed ? ': Awaited<R>[]' : ''} = []${semi}`,
    `${i}for (let i = 0; i < items.length; i += size) {`,
    `${i}${i}results.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => fn(item, i + j)))))${semi}`,
    `${i}}`,
    `${i}return results${semi}`,
    '}',
  ].join(eol);
}

/** The name of a helper this fix added before (same text under any free name), if the file has one. */
function existingHelper(src: FixSource, code: CodeStyle, typed: boolean): string | undefined {
  for (const st of src.sf.statements) {
    if (!ts.isFunctionDeclaration(st) || !st.name || !st.name.text.startsWith(HELPER)) continue;
    const expected = helperText(st.name.text, code, typed).split(code.eol).slice(1).join(code.eol);
    if (st.getText(src.sf) === expected) return st.name.text;
  }
  return undefined;
}
