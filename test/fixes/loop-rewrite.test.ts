/**
 * The serial-loop refactors (`looplens.loop-p-map`, `looplens.loop-chunked`): whole fixed text for the loops
 * they accept (with and without a `results.push` accumulation, `continue`, CommonJS, a missing p-map, a body
 * without braces), and the loops they refuse with the reason.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/fixes/applyEdits';
import { LOOP_CHUNKED, LOOP_P_MAP, loopAt, loopRewriteFixes, loopRewriteRefusal, type LoopSizing } from '../../server/src/engine/fixes/loop-rewrite';
import { parseSource } from '../../server/src/engine/fixes/source';
import { HELPER_TS, lines, rangeOf, SERIAL_LOOP as SERIAL } from './helpers';

const TP: LoopSizing = { limit: 4, reason: 'libuv threadpool: UV_THREADPOOL_SIZE default 4' };
const FILE = '/project/src/jobs.ts';

function fixes(code: string, at: string, sizing: LoopSizing = TP, file = FILE) {
  return loopRewriteFixes(parseSource(file, code), rangeOf(code, at), sizing);
}

function applied(code: string, at: string, fixId: string, sizing: LoopSizing = TP, file = FILE): string | undefined {
  const fix = fixes(code, at, sizing, file).find((f) => f.fixId === fixId);
  return fix && applyEdits(code, fix.edits);
}



const COLLECT = lines(
  "import { readFile } from 'node:fs/promises';",
  '',
  'export async function load(paths: string[]) {',
  '  const texts: string[] = [];',
  '  for (const p of paths) {',
  "    const t = await readFile(p, 'utf8');",
  '    if (t.length === 0) console.log(p);',
  '    texts.push(t.trim());',
  '  }',
  '  return texts;',
  '}',
);

describe('loop rewrite: accepted shapes, whole text', () => {
  test('p-map with concurrency from the sizing, import added, preferred in an ES module', () => {
    const all = fixes(SERIAL, 'for (const p');
    assert.deepEqual(all.map((f) => [f.fixId, f.title, f.isPreferred]), [
      [LOOP_P_MAP, 'Run 4 iterations at a time with p-map (libuv threadpool: UV_THREADPOOL_SIZE default 4)', true],
      [LOOP_CHUNKED, 'Run iterations in chunks of 4, no dependency (libuv threadpool: UV_THREADPOOL_SIZE default 4)', false],
    ]);
    assert.equal(
      applied(SERIAL, 'for (const p', LOOP_P_MAP),
      lines(
        "import { unlink } from 'node:fs/promises';",
        "import pMap from 'p-map';",
        '',
        'export async function clean(paths: string[]) {',
        '  await pMap(paths, async (p) => {',
        '    await unlink(p);',
        '  }, { concurrency: 4 });',
        '}',
      ),
    );
  });

  test('the cursor anywhere in the loop selects it (an empty range inside the body)', () => {
    const code = SERIAL;
    const at = rangeOf(code, 'unlink(p)');
    const r = { start: at.start, end: at.start };
    assert.equal(loopRewriteFixes(parseSource(FILE, code), r, TP).length, 2);
  });

  test('results pushed in the loop become the mapped array, in order', () => {
    assert.equal(
      applied(COLLECT, 'for (const p', LOOP_P_MAP),
      lines(
        "import { readFile } from 'node:fs/promises';",
        "import pMap from 'p-map';",
        '',
        'export async function load(paths: string[]) {',
        '  const texts: string[] = [];',
        '  texts.push(...(await pMap(paths, async (p) => {',
        "    const t = await readFile(p, 'utf8');",
        '    if (t.length === 0) console.log(p);',
        '    return t.trim();',
        '  }, { concurrency: 4 })));',
        '  return texts;',
        '}',
      ),
    );
  });

  test('chunked: helper added once, Array.from for any iterable', () => {
    assert.equal(
      applied(COLLECT, 'for (const p', LOOP_CHUNKED),
      lines(
        "import { readFile } from 'node:fs/promises';",
        '',
        ...HELPER_TS,
        '',
        'export async function load(paths: string[]) {',
        '  const texts: string[] = [];',
        '  texts.push(...(await mapInChunks(Array.from(paths), 4, async (p) => {',
        "    const t = await readFile(p, 'utf8');",
        '    if (t.length === 0) console.log(p);',
        '    return t.trim();',
        '  })));',
        '  return texts;',
        '}',
      ),
    );
  });

  test('an unlabelled continue of the loop becomes return; a nested loop keeps its own continue and break', () => {
    const code = lines(
      'declare function send(to: string): Promise<void>;',
      'export async function notify(groups: { users: string[]; off: boolean }[]) {',
      '  for (const { users, off } of groups) {',
      '    if (off) continue;',
      '    for (const u of users) {',
      "      if (u === '') continue;",
      "      if (u === 'stop') break;",
      '    }',
      '    await Promise.all(users.map(send));',
      '  }',
      '}',
    );
    assert.equal(
      applied(code, 'for (const { users', LOOP_P_MAP, { limit: 8, reason: 'looplens.concurrency.io setting' }),
      lines(
        "import pMap from 'p-map';",
        '',
        'declare function send(to: string): Promise<void>;',
        'export async function notify(groups: { users: string[]; off: boolean }[]) {',
        '  await pMap(groups, async ({ users, off }) => {',
        '    if (off) return;',
        '    for (const u of users) {',
        "      if (u === '') continue;",
        "      if (u === 'stop') break;",
        '    }',
        '    await Promise.all(users.map(send));',
        '  }, { concurrency: 8 });',
        '}',
      ),
    );
  });

  test('a body without braces gets them; a file without semicolons gets none', () => {
    const code = lines('import { unlink } from "node:fs/promises"', '', 'export async function clean(paths: Set<string>) {', '  for (const p of paths) await unlink(p)', '}');
    assert.equal(
      applied(code, 'for (const p', LOOP_CHUNKED),
      lines(
        'import { unlink } from "node:fs/promises"',
        '',
        ...HELPER_TS.map((l) => l.replace(/;$/, '')),
        '',
        'export async function clean(paths: Set<string>) {',
        '  await mapInChunks(Array.from(paths), 4, async (p) => { await unlink(p) })',
        '}',
      ),
    );
  });

  test('CommonJS: p-map through import(), chunked preferred; refused import() under module: commonjs', () => {
    const code = lines("const { unlink } = require('node:fs/promises');", '', 'async function clean(paths) {', '  for (const p of paths) {', '    await unlink(p);', '  }', '}', 'module.exports = { clean };');
    const cjs: LoopSizing = { ...TP, moduleSystem: 'cjs', dynamicImport: true };
    const all = fixes(code, 'for (const p', cjs, '/project/src/jobs.js');
    assert.deepEqual(all.map((f) => [f.fixId, f.isPreferred]), [[LOOP_P_MAP, false], [LOOP_CHUNKED, true]]);
    assert.equal(all[0]!.title, 'Run 4 iterations at a time with p-map, loaded with import() (CommonJS) (libuv threadpool: UV_THREADPOOL_SIZE default 4)');
    assert.equal(
      applied(code, 'for (const p', LOOP_P_MAP, cjs, '/project/src/jobs.js'),
      lines(
        "const { unlink } = require('node:fs/promises');",
        '',
        'async function clean(paths) {',
        "  await import('p-map').then((m) => m.default(paths, async (p) => {",
        '    await unlink(p);',
        '  }, { concurrency: 4 }));',
        '}',
        'module.exports = { clean };',
      ),
    );
    assert.deepEqual(fixes(code, 'for (const p', { ...cjs, dynamicImport: false }, '/project/src/jobs.js').map((f) => f.fixId), [LOOP_CHUNKED]);
  });

  test('p-map missing from package.json: said in the title, chunked preferred; existing import reused', () => {
    const missing = fixes(SERIAL, 'for (const p', { ...TP, missingDeps: ['p-map'] });
    assert.deepEqual(missing.map((f) => [f.fixId, f.isPreferred]), [[LOOP_P_MAP, false], [LOOP_CHUNKED, true]]);
    assert.match(missing[0]!.title, /\(adds import; p-map is not in package\.json\)$/);
    const withImport = "import mapLimited from 'p-map';\n" + SERIAL;
    assert.equal(applied(withImport, 'for (const p', LOOP_P_MAP), withImport.replace('  for (const p of paths) {', '  await mapLimited(paths, async (p) => {').replace('    await unlink(p);\n  }', '    await unlink(p);\n  }, { concurrency: 4 });'));
  });
});

describe('loop rewrite: refused shapes (not offered), with the reason', () => {
  const cases: [string, string[], string][] = [
    ['loop-carried variable', ['let total = 0;', 'for (const p of paths) {', '  total += (await stat(p)).size;', '}', 'return total;'], '`total` is assigned in one iteration and read in a later one or after the loop'],
    ['previous value carried', ['let prev = "";', 'for (const p of paths) {', '  await copy(prev, p);', '  prev = p;', '}'], '`prev` is assigned in one iteration and read in a later one or after the loop'],
    ['break', ['for (const p of paths) {', '  if (!(await exists(p))) break;', '}'], 'an iteration can stop the loop with `break`'],
    ['labelled continue', ['outer: for (const d of dirs) {', '  for (const p of paths) {', '    if (await exists(p)) continue outer;', '  }', '}'], 'a labelled `continue` jumps out of the iteration'],
    ['early return', ['for (const p of paths) {', '  if (await exists(p)) return p;', '}'], 'an iteration can `return` from the function'],
    ['await only in a nested function', ['for (const p of paths) {', '  setTimeout(async () => { await exists(p); });', '}'], 'the loop body does not await (only nested functions do, if any)'],
    ['var in the body', ['for (const p of paths) {', '  var last = await exists(p);', '}'], '`var` in the body outlives the iteration'],
    ['continue while collecting', ['const out: boolean[] = [];', 'for (const p of paths) {', '  if (p === "") continue;', '  out.push(await exists(p));', '}'], '`continue` skips collecting a result'],
    ['accumulator read inside', ['const out: boolean[] = [];', 'for (const p of paths) {', '  if (out.length > 3) console.log(p);', '  out.push(await exists(p));', '}'], '`out` is read inside the loop'],
    ['outer loop variable', ['let p = "";', 'for (p of paths) {', '  await exists(p);', '}'], 'the loop assigns a variable declared outside it'],
    ['for await', ['for await (const p of paths) {', '  await exists(p);', '}'], '`for await` consumes its source one item at a time'],
  ];
  for (const [name, body, reason] of cases) {
    test(name, () => {
      const code = lines('declare function exists(p: string): Promise<boolean>;', 'declare function stat(p: string): Promise<{ size: number }>;', 'declare function copy(a: string, b: string): Promise<void>;', 'export async function run(paths: string[], dirs: string[]) {', ...body.map((l) => '  ' + l), '}');
      const at = body.find((l) => /^\s*for (await )?\(/.test(l))!.trim();
      const { sf, ...src } = parseSource(FILE, code);
      const loop = loopAt({ sf, ...src }, code.indexOf(at), code.indexOf(at));
      assert.ok(loop, 'a for…of loop is at the marker');
      assert.equal(loopRewriteRefusal(loop), reason);
      assert.deepEqual(fixes(code, at), []);
    });
  }

  test('yield in an async generator', () => {
    const code = lines('declare function exists(p: string): Promise<boolean>;', 'export async function* run(paths: string[]) {', '  for (const p of paths) {', '    yield await exists(p);', '  }', '}');
    assert.equal(loopRewriteRefusal(loopAt(parseSource(FILE, code), code.indexOf('for'), code.indexOf('for'))!), 'an iteration can `yield`');
    assert.deepEqual(fixes(code, 'for (const p'), []);
  });

  test('not in an async function; a limit below 1', () => {
    const code = lines('declare function exists(p: string): Promise<boolean>;', 'export function run(paths: string[]) {', '  for (const p of paths) {', '    void exists(p);', '  }', '}');
    assert.equal(loopRewriteRefusal(loopAt(parseSource(FILE, code), code.indexOf('for'), code.indexOf('for'))!), 'the loop is not in an async function');
    assert.deepEqual(fixes(SERIAL, 'for (const p', { limit: 0, reason: 'x' }), []);
  });
});
