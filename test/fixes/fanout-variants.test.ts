/**
 * The fan-out fix variants side by side: p-map with `concurrency`, the dependency-free chunked rewrite, the
 * p-limit wrap in CommonJS, which one is preferred (module system, missing packages), the install command,
 * and the shapes the rewrites refuse (iterations that depend on each other).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fixesFor } from '../../server/src/engine/fixes/index';
import { CHUNKED, INSTALL_DEPENDENCY, P_MAP_CONCURRENCY, USE_P_MAP, WRAP_P_LIMIT } from '../../server/src/engine/fixes/index';
import { resolveSettings } from '../../server/src/engine/settings';
import type { FixData, Finding } from '../../server/src/engine/types';
import { applyFix, fanoutFinding, fixWithId, HELPER_TS, lines, rangeOf } from './helpers';

const TP = 'libuv threadpool: UV_THREADPOOL_SIZE default 4';

type Facts = Partial<Extract<FixData, { kind: 'limit-fanout' }>>;

function fanout(code: string, launch: string, facts: Facts = {}, file?: string, ruleId = 'unbounded-fanout/promise-all'): Finding {
  const f = fanoutFinding(rangeOf(code, launch), undefined, 4, ruleId);
  const fix = { ...(f.fix as Extract<FixData, { kind: 'limit-fanout' }>), limitReason: TP, ...facts };
  return { ...f, fix, location: file ? { ...f.location, file } : f.location };
}


const ALL = lines("import { readFile } from 'node:fs/promises';", '', 'export async function load(paths: string[]) {', "  return Promise.all(paths.map((p) => readFile(p, 'utf8')));", '}');
const ALL_LAUNCH = "(p) => readFile(p, 'utf8')";

const EACH = lines("import { unlink } from 'node:fs/promises';", '', 'export async function clean(paths: string[]) {', '  paths.forEach(async (p) => {', '    await unlink(p);', '  });', '}');
const EACH_LAUNCH = 'async (p) => {\n    await unlink(p);\n  }';

interface Row {
  name: string;
  code: string;
  launch: string;
  fixId: string;
  facts?: Facts;
  file?: string;
  output: string;
}

const rows: Row[] = [
  {
    name: 'p-map over Promise.all(map): always passes concurrency',
    code: ALL,
    launch: ALL_LAUNCH,
    fixId: USE_P_MAP,
    output: lines(
      "import { readFile } from 'node:fs/promises';",
      "import pMap from 'p-map';",
      '',
      'export async function load(paths: string[]) {',
      "  return pMap(paths, (p) => readFile(p, 'utf8'), { concurrency: 4 });",
      '}',
    ),
  },
  {
    name: 'p-map awaits a forEach(async) statement',
    code: EACH,
    launch: EACH_LAUNCH,
    fixId: USE_P_MAP,
    output: lines(
      "import { unlink } from 'node:fs/promises';",
      "import pMap from 'p-map';",
      '',
      'export async function clean(paths: string[]) {',
      '  await pMap(paths, async (p) => {',
      '    await unlink(p);',
      '  }, { concurrency: 4 });',
      '}',
    ),
  },
  {
    name: 'p-map in a CommonJS file is loaded with import()',
    code: lines("const { readFile } = require('node:fs/promises');", '', 'exports.load = async (paths) => Promise.all(paths.map((p) => readFile(p)));'),
    launch: '(p) => readFile(p)',
    fixId: USE_P_MAP,
    file: '/project/src/load.cjs',
    output: lines("const { readFile } = require('node:fs/promises');", '', "exports.load = async (paths) => import('p-map').then((m) => m.default(paths, (p) => readFile(p), { concurrency: 4 }));"),
  },
  {
    name: 'chunked over Promise.all(map): a typed helper and a call in its place',
    code: ALL,
    launch: ALL_LAUNCH,
    fixId: CHUNKED,
    output: lines(
      "import { readFile } from 'node:fs/promises';",
      '',
      ...HELPER_TS,
      '',
      'export async function load(paths: string[]) {',
      "  return mapInChunks(paths, 4, (p) => readFile(p, 'utf8'));",
      '}',
    ),
  },
  {
    name: 'chunked forEach(async) in JavaScript: an untyped helper, the call awaited',
    code: lines("const { unlink } = require('node:fs/promises')", '', 'async function clean(paths) {', '  paths.forEach(async (p) => {', '    await unlink(p)', '  })', '}', 'module.exports = { clean }'),
    launch: 'async (p) => {\n    await unlink(p)\n  }',
    fixId: CHUNKED,
    file: '/project/src/clean.js',
    output: lines(
      "const { unlink } = require('node:fs/promises')",
      '',
      '// Runs fn over items, size at a time; results keep the order of items; the first rejection rejects.',
      'async function mapInChunks(items, size, fn) {',
      '  const results = []',
      '  for (let i = 0; i < items.length; i += size) {',
      '    results.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => fn(item, i + j)))))',
      '  }',
      '  return results',
      '}',
      '',
      'async function clean(paths) {',
      '  await mapInChunks(paths, 4, async (p) => {',
      '    await unlink(p)',
      '  })',
      '}',
      'module.exports = { clean }',
    ),
  },
  {
    name: 'p-limit in a CommonJS TypeScript file: a typed lazy limiter named for the thread pool',
    code: lines("import { readFile } from 'node:fs/promises';", '', 'export async function load(paths: string[]) {', "  return Promise.all(paths.map((p) => readFile(p, 'utf8')));", '}'),
    launch: ALL_LAUNCH,
    fixId: WRAP_P_LIMIT,
    facts: { moduleSystem: 'cjs', dynamicImport: true },
    output: lines(
      "import { readFile } from 'node:fs/promises';",
      '',
      '// p-limit is ESM-only: import() it once, on first use; one limiter for the whole process.',
      'function loadThreadpoolLimit() {',
      "  return import('p-limit').then((m) => m.default(4));",
      '}',
      'let threadpoolLimitReady: ReturnType<typeof loadThreadpoolLimit> | undefined;',
      'async function threadpoolLimit<T>(fn: () => PromiseLike<T> | T): Promise<T> {',
      '  return (await (threadpoolLimitReady ??= loadThreadpoolLimit()))(fn);',
      '}',
      '',
      'export async function load(paths: string[]) {',
      "  return Promise.all(paths.map((p) => threadpoolLimit(() => readFile(p, 'utf8'))));",
      '}',
    ),
  },
];

describe('fan-out fix variants', () => {
  for (const row of rows) {
    test(`${row.fixId}: ${row.name}`, () => {
      const f = fanout(row.code, row.launch, row.facts, row.file);
      assert.equal(applyFix(f, row.code, row.fixId), row.output);
    });
  }

  test('a second chunked rewrite in the same file re-uses the helper the first one added', () => {
    const code = lines('export async function f(a: string[], b: string[]) {', '  await Promise.all(a.map((x) => fetch(x)));', '  await Promise.all(b.map((y) => fetch(y)));', '}');
    const once = applyFix(fanout(code, '(x) => fetch(x)'), code, CHUNKED)!;
    const twice = applyFix(fanout(once, '(y) => fetch(y)'), once, CHUNKED);
    assert.equal(
      twice,
      lines(...HELPER_TS, '', 'export async function f(a: string[], b: string[]) {', '  await mapInChunks(a, 4, (x) => fetch(x));', '  await mapInChunks(b, 4, (y) => fetch(y));', '}'),
    );
  });

  const variants = (f: Finding, code: string) => fixesFor(f, code, resolveSettings({})).map((x) => [x.fixId, x.isPreferred]);

  test('ES module with p-limit and p-map installed: the p-limit wrap is preferred, titles give the limit and why', () => {
    const f = fanout(ALL, ALL_LAUNCH, { moduleSystem: 'esm', missingDeps: [] });
    const fixes = fixesFor(f, ALL, resolveSettings({}));
    assert.deepEqual(
      fixes.map((x) => [x.fixId, x.isPreferred, x.title]),
      [
        [WRAP_P_LIMIT, true, `Limit to 4 concurrent calls with p-limit (${TP})`],
        [USE_P_MAP, false, `Limit to 4 concurrent calls with p-map (${TP})`],
        [CHUNKED, false, `Limit to 4 concurrent calls in chunks of 4, no dependency (${TP})`],
        ['looplens.disable-next-line', false, 'Disable unbounded-fanout/promise-all for this line'],
      ],
    );
  });

  test('p-limit and p-map missing from package.json: titles say so, chunked is preferred, install commands are offered', () => {
    const f = fanout(ALL, ALL_LAUNCH, { moduleSystem: 'esm', missingDeps: ['p-limit', 'p-map'], packageDir: '/project' });
    const fixes = fixesFor(f, ALL, resolveSettings({}));
    assert.deepEqual(
      fixes.map((x) => [x.fixId, x.isPreferred, x.title]),
      [
        [CHUNKED, true, `Limit to 4 concurrent calls in chunks of 4, no dependency (${TP})`],
        [WRAP_P_LIMIT, false, `Limit to 4 concurrent calls with p-limit (${TP}) (adds import; p-limit is not in package.json)`],
        [USE_P_MAP, false, `Limit to 4 concurrent calls with p-map (${TP}) (adds import; p-map is not in package.json)`],
        [INSTALL_DEPENDENCY, false, 'Install p-limit (npm install p-limit)'],
        [INSTALL_DEPENDENCY, false, 'Install p-map (npm install p-map)'],
        ['looplens.disable-next-line', false, 'Disable unbounded-fanout/promise-all for this line'],
      ],
    );
    const install = fixes.find((x) => x.fixId === INSTALL_DEPENDENCY)!;
    assert.deepEqual(install.edits, []);
    assert.deepEqual(install.command, { title: 'npm install p-limit', command: 'looplens.installDependency', arguments: [{ cwd: '/project', packages: ['p-limit'] }] });
  });

  test('forEach(async): no p-limit wrap (its promises would stay unawaited); p-map preferred when installed', () => {
    assert.deepEqual(variants(fanout(EACH, EACH_LAUNCH, { missingDeps: [] }, undefined, 'unbounded-fanout/foreach-async'), EACH), [
      [USE_P_MAP, true],
      [CHUNKED, false],
      ['looplens.disable-next-line', false],
    ]);
    assert.equal(fixWithId(fanout(EACH, EACH_LAUNCH), EACH, USE_P_MAP)?.title, `Await every call, 4 at a time, with p-map (${TP})`);
  });

  test('CommonJS: chunked is preferred; where TypeScript compiles import() to require() only chunked is offered', () => {
    assert.deepEqual(variants(fanout(ALL, ALL_LAUNCH, { moduleSystem: 'cjs', dynamicImport: true }), ALL), [
      [CHUNKED, true],
      [WRAP_P_LIMIT, false],
      [USE_P_MAP, false],
      ['looplens.disable-next-line', false],
    ]);
    assert.deepEqual(variants(fanout(ALL, ALL_LAUNCH, { moduleSystem: 'cjs', dynamicImport: false }), ALL), [
      [CHUNKED, true],
      ['looplens.disable-next-line', false],
    ]);
  });

  const refused: { name: string; code: string; launch: string }[] = [
    {
      name: 'a variable carried from one iteration to the next',
      code: lines('export async function sum(ids: string[]) {', '  let total = 0;', '  ids.forEach(async (id) => {', '    total += await count(id);', '  });', '  return total;', '}', 'declare function count(id: string): Promise<number>;'),
      launch: 'async (id) => {\n    total += await count(id);\n  }',
    },
    {
      name: 'a counter incremented by every iteration',
      code: lines('export async function f(ids: string[]) {', '  let n = 0;', '  await Promise.all(ids.map(async (id) => { n++; return fetch(id + n); }));', '}'),
      launch: 'async (id) => { n++; return fetch(id + n); }',
    },
    {
      name: 'a callback reading the array argument',
      code: lines('export async function f(ids: string[]) {', '  await Promise.all(ids.map((id, i, all) => fetch(all[i - 1] + id)));', '}'),
      launch: '(id, i, all) => fetch(all[i - 1] + id)',
    },
    {
      name: 'forEach in a function that is not async (await cannot go there)',
      code: lines('export function f(ids: string[]) {', '  ids.forEach(async (id) => { await fetch(id); });', '}'),
      launch: 'async (id) => { await fetch(id); }',
    },
    {
      name: 'promises mapped into a variable (no single expression gives the results)',
      code: lines('export async function f(ids: string[]) {', '  const ps = ids.map((id) => fetch(id));', '  return Promise.all(ps);', '}'),
      launch: '(id) => fetch(id)',
    },
    {
      name: 'Promise.allSettled (p-map and the chunks reject on the first failure)',
      code: lines('export async function f(ids: string[]) {', '  return Promise.allSettled(ids.map((id) => fetch(id)));', '}'),
      launch: '(id) => fetch(id)',
    },
  ];
  for (const row of refused) {
    test(`rewrites refused: ${row.name}`, () => {
      const f = fanout(row.code, row.launch);
      assert.equal(fixWithId(f, row.code, USE_P_MAP), undefined);
      assert.equal(fixWithId(f, row.code, CHUNKED), undefined);
    });
  }

  test('p-map without concurrency: the option is added (to an options object too); the only rewrite offered', () => {
    const code = lines("import pMap from 'p-map';", 'export const f = (ids: string[]) => pMap(ids, (id) => fetch(id));', 'export const g = (ids: string[]) => pMap(ids, (id) => fetch(id), { stopOnError: false });');
    const first = fanout(code, 'pMap(ids, (id) => fetch(id))');
    assert.deepEqual(variants(first, code), [[P_MAP_CONCURRENCY, true], ['looplens.disable-next-line', false]]);
    assert.equal(fixWithId(first, code, P_MAP_CONCURRENCY)?.title, `Pass { concurrency: 4 } to p-map (${TP})`);
    assert.equal(
      applyFix(first, code, P_MAP_CONCURRENCY),
      lines("import pMap from 'p-map';", 'export const f = (ids: string[]) => pMap(ids, (id) => fetch(id), { concurrency: 4 });', 'export const g = (ids: string[]) => pMap(ids, (id) => fetch(id), { stopOnError: false });'),
    );
    assert.equal(
      applyFix(fanout(code, 'pMap(ids, (id) => fetch(id), { stopOnError: false })'), code, P_MAP_CONCURRENCY),
      lines("import pMap from 'p-map';", 'export const f = (ids: string[]) => pMap(ids, (id) => fetch(id));', 'export const g = (ids: string[]) => pMap(ids, (id) => fetch(id), { concurrency: 4, stopOnError: false });'),
    );
  });
});
