/**
 * `looplens.p-map`: replaces a fan-out with p-map and an explicit `concurrency` (p-map's default is Infinity,
 * https://github.com/sindresorhus/p-map#concurrency, so the option is always written):
 *
 *   await Promise.all(users.map(async (u) => refresh(u)))  →  await pMap(users, async (u) => refresh(u), { concurrency: 4 })
 *   users.forEach(async (u) => { await refresh(u); });     →  await pMap(users, async (u) => { await refresh(u); }, { concurrency: 4 });
 *
 * Results keep the input order and the first rejection rejects, as with `Promise.all`. The `forEach` form
 * now waits for every call and surfaces their errors, which `forEach` dropped. p-map ≥ 5 is ESM-only: in a
 * CommonJS file it is loaded with `import('p-map')`.
 */
import { ts } from 'ts-morph';
import type { CodeFix, Finding } from '../types';
import { dependencyNote, isEsmFile, isMissing, isPMapCall, replaceFanout, rewritableFanout } from './fanout-shape';
import { defaultImportLine, headerEdit, importedName } from './imports';
import { EditBuilder, freeName, namesUsedIn, nodesAtRange, styleOf, type FixSource } from './source';

export const USE_P_MAP = 'looplens.p-map';
export const P_MAP_CONCURRENCY = 'looplens.p-map-concurrency';

const P_MAP = 'p-map';

/**
 * The p-map fix for a `limit-fanout` finding whose launch is the callback of `Promise.all(xs.map(cb))` or of
 * a `xs.forEach(cb);` statement in an async function; undefined for other shapes, a limit below 1, dependent
 * iterations (see {@link dependentIterations}), or a CommonJS file whose compiler turns `import()` into
 * `require()`. Preferred for the `forEach` form in an ES module whose package.json lists p-map.
 */
export function pMapFix(finding: Finding, src: FixSource): CodeFix | undefined {
  const target = rewritableFanout(finding, src);
  if (!target) return undefined;
  const { fix, n, shape } = target;
  const esm = isEsmFile(src, fix);
  if (!esm && fix.dynamicImport === false) return undefined;

  const code = styleOf(src);
  const imports: string[] = [];
  const args = `${shape.items.getText(src.sf)}, ${shape.cb.getText(src.sf)}, { concurrency: ${n} }`;
  let call: string;
  if (esm) {
    let name = importedName(src, [P_MAP], 'default');
    if (!name) {
      name = freeName('pMap', namesUsedIn(src.sf));
      imports.push(defaultImportLine('esm', code, name, P_MAP));
    }
    call = `${name}(${args})`;
  } else {
    call = `import(${code.quote}${P_MAP}${code.quote}).then((m) => m.default(${args}))`;
  }
  const edits = replaceFanout(src, shape, call);
  const header = headerEdit(src, code, imports, []);
  const what = shape.kind === 'all' ? `Limit to ${n} concurrent calls with p-map` : `Await every call, ${n} at a time, with p-map`;
  return {
    fixId: USE_P_MAP,
    title: `${what}${esm ? '' : ', loaded with import() (CommonJS)'} (${fix.limitReason})${dependencyNote(fix, P_MAP)}`,
    edits: header ? [header, ...edits.build()] : edits.build(),
    isPreferred: shape.kind === 'forEach' && esm && !isMissing(fix, P_MAP),
  };
}

/**
 * `looplens.p-map-concurrency`: for a `pMap(items, mapper)` call without `concurrency` (the finding's launch is
 * the whole call), adds `{ concurrency: N }` as the options argument, or `concurrency: N` to an options object
 * literal that lacks it. Undefined for any other launch. Preferred: nothing else changes.
 */
export function pMapConcurrencyFix(finding: Finding, src: FixSource): CodeFix | undefined {
  const fix = finding.fix;
  if (fix.kind !== 'limit-fanout') return undefined;
  const n = Math.floor(fix.limit);
  const call = nodesAtRange(src, fix.launch).find(ts.isCallExpression);
  if (!call || !(n >= 1) || !isPMapCall(src, call) || call.arguments.length < 2) return undefined;
  const [, mapper, options] = call.arguments;
  const edits = new EditBuilder(src);
  if (!options) edits.insert(mapper!.end, `, { concurrency: ${n} }`);
  else if (ts.isObjectLiteralExpression(options) && !options.properties.some((p) => p.name?.getText(src.sf) === 'concurrency')) {
    const first = options.properties[0];
    if (first) edits.insert(first.getStart(src.sf), `concurrency: ${n}, `);
    else edits.replace(options.getStart(src.sf), options.end, `{ concurrency: ${n} }`);
  } else return undefined;
  return {
    fixId: P_MAP_CONCURRENCY,
    title: `Pass { concurrency: ${n} } to p-map (${fix.limitReason})`,
    edits: edits.build(),
    isPreferred: true,
  };
}
