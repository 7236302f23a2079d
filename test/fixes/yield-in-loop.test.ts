import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { YIELD_IN_LOOP } from '../../server/src/engine/fixes/index';
import { applyFix, finding, fixWithId, lines, nodeRangeAt } from './helpers';

const RULE = 'blocking-cpu/data-loop';

interface Row {
  name: string;
  code: string;
  /** Marker: where the loop statement starts (the range covers the whole loop). */
  loop: string;
  yieldEvery?: number;
  file?: string;
  output: string;
  /** Marker of the same loop in `output`: fixing it again must offer nothing. */
  reloop: string;
}

function dataLoop(code: string, loop: string, opts: { file?: string; inAsyncFunction?: boolean; kind?: 'loop' | 'call' } = {}) {
  const range = nodeRangeAt(code, loop, opts.kind);
  return finding(RULE, range, { kind: 'yield-in-loop', loop: range, inAsyncFunction: opts.inAsyncFunction ?? true }, opts.file);
}

const rows: Row[] = [
  {
    name: 'for-of with a block body: import, counter and yield',
    code: lines(
      "import express from 'express';",
      '',
      "app.post('/report', async (req, res) => {",
      '  const rows = await db.rows();',
      '  let total = 0;',
      '  for (const row of rows) {',
      '    total += score(row);',
      '  }',
      '  res.json({ total });',
      '});',
    ),
    loop: 'for (const row of rows)',
    output: lines(
      "import express from 'express';",
      "import { setImmediate } from 'node:timers/promises';",
      '',
      "app.post('/report', async (req, res) => {",
      '  const rows = await db.rows();',
      '  let total = 0;',
      '  let iterations = 0;',
      '  for (const row of rows) {',
      '    if (++iterations % 1000 === 0) await setImmediate();',
      '    total += score(row);',
      '  }',
      '  res.json({ total });',
      '});',
    ),
    reloop: 'for (const row of rows)',
  },
  {
    name: 'for with a single-statement body on the same line gets braces; yieldEvery from settings',
    code: lines("import { rows } from './data';", '', 'export async function sum(n: number) {', '  let s = 0;', '  for (let i = 0; i < n; i++) s += rows[i];', '  return s;', '}'),
    loop: 'for (let i = 0;',
    yieldEvery: 50,
    output: lines(
      "import { rows } from './data';",
      "import { setImmediate } from 'node:timers/promises';",
      '',
      'export async function sum(n: number) {',
      '  let s = 0;',
      '  let iterations = 0;',
      '  for (let i = 0; i < n; i++) {',
      '    if (++iterations % 50 === 0) await setImmediate();',
      '    s += rows[i];',
      '  }',
      '  return s;',
      '}',
    ),
    reloop: 'for (let i = 0;',
  },
  {
    name: 'while with its body on the next line',
    code: lines("import { next } from './queue';", '', 'export async function drain(q: unknown[]) {', '  while (q.length)', '    next(q.pop());', '}'),
    loop: 'while (q.length)',
    output: lines(
      "import { next } from './queue';",
      "import { setImmediate } from 'node:timers/promises';",
      '',
      'export async function drain(q: unknown[]) {',
      '  let iterations = 0;',
      '  while (q.length) {',
      '    if (++iterations % 1000 === 0) await setImmediate();',
      '    next(q.pop());',
      '  }',
      '}',
    ),
    reloop: 'while (q.length)',
  },
  {
    name: 'do-while with a single statement',
    code: lines("import { step } from './sim';", '', 'export async function run(state: { done: boolean }) {', '  do step(state); while (!state.done);', '}'),
    loop: 'do step',
    output: lines(
      "import { step } from './sim';",
      "import { setImmediate } from 'node:timers/promises';",
      '',
      'export async function run(state: { done: boolean }) {',
      '  let iterations = 0;',
      '  do {',
      '    if (++iterations % 1000 === 0) await setImmediate();',
      '    step(state);',
      '  } while (!state.done);',
      '}',
    ),
    reloop: 'do {',
  },
  {
    name: 'for-in in a labelled loop: the counter goes before the label',
    code: lines("import { check } from './check';", '', 'export async function scan(index: Record<string, string[]>) {', '  outer: for (const key in index) {', '    if (!check(key)) break outer;', '  }', '}'),
    loop: 'for (const key in index)',
    output: lines(
      "import { check } from './check';",
      "import { setImmediate } from 'node:timers/promises';",
      '',
      'export async function scan(index: Record<string, string[]>) {',
      '  let iterations = 0;',
      '  outer: for (const key in index) {',
      '    if (++iterations % 1000 === 0) await setImmediate();',
      '    if (!check(key)) break outer;',
      '  }',
      '}',
    ),
    reloop: 'for (const key in index)',
  },
  {
    name: 'setImmediate already imported from timers/promises is reused',
    code: lines("import { setImmediate as tick } from 'timers/promises';", '', 'export async function f(xs: number[]) {', '  for (const x of xs) {', '    use(x);', '  }', '}'),
    loop: 'for (const x of xs)',
    output: lines(
      "import { setImmediate as tick } from 'timers/promises';",
      '',
      'export async function f(xs: number[]) {',
      '  let iterations = 0;',
      '  for (const x of xs) {',
      '    if (++iterations % 1000 === 0) await tick();',
      '    use(x);',
      '  }',
      '}',
    ),
    reloop: 'for (const x of xs)',
  },
  {
    name: 'setImmediate imported from node:timers: the promise version is aliased',
    code: lines("import { setImmediate } from 'node:timers';", '', 'export async function f(xs: number[]) {', '  for (const x of xs) {', '    use(x);', '  }', '  setImmediate(done);', '}'),
    loop: 'for (const x of xs)',
    output: lines(
      "import { setImmediate } from 'node:timers';",
      "import { setImmediate as setImmediatePromise } from 'node:timers/promises';",
      '',
      'export async function f(xs: number[]) {',
      '  let iterations = 0;',
      '  for (const x of xs) {',
      '    if (++iterations % 1000 === 0) await setImmediatePromise();',
      '    use(x);',
      '  }',
      '  setImmediate(done);',
      '}',
    ),
    reloop: 'for (const x of xs)',
  },
  {
    name: 'the global setImmediate in use: aliased so the callback form keeps working',
    code: lines("import { log } from './log';", '', 'export async function f(xs: number[]) {', '  setImmediate(() => log(xs.length));', '  for (const x of xs) {', '    use(x);', '  }', '}'),
    loop: 'for (const x of xs)',
    output: lines(
      "import { log } from './log';",
      "import { setImmediate as setImmediatePromise } from 'node:timers/promises';",
      '',
      'export async function f(xs: number[]) {',
      '  setImmediate(() => log(xs.length));',
      '  let iterations = 0;',
      '  for (const x of xs) {',
      '    if (++iterations % 1000 === 0) await setImmediatePromise();',
      '    use(x);',
      '  }',
      '}',
    ),
    reloop: 'for (const x of xs)',
  },
  {
    name: 'an existing timers/promises import is extended',
    code: lines("import { setTimeout } from 'node:timers/promises';", '', 'export async function f(xs: number[]) {', '  await setTimeout(10);', '  for (const x of xs) {', '    use(x);', '  }', '}'),
    loop: 'for (const x of xs)',
    output: lines(
      "import { setTimeout, setImmediate } from 'node:timers/promises';",
      '',
      'export async function f(xs: number[]) {',
      '  await setTimeout(10);',
      '  let iterations = 0;',
      '  for (const x of xs) {',
      '    if (++iterations % 1000 === 0) await setImmediate();',
      '    use(x);',
      '  }',
      '}',
    ),
    reloop: 'for (const x of xs)',
  },
  {
    name: '`iterations` taken in the function: iterations2',
    code: lines('export async function f(xs: number[], iterations: number) {', '  for (const x of xs) {', '    use(x, iterations);', '  }', '}'),
    loop: 'for (const x of xs)',
    output: lines(
      "import { setImmediate } from 'node:timers/promises';",
      '',
      'export async function f(xs: number[], iterations: number) {',
      '  let iterations2 = 0;',
      '  for (const x of xs) {',
      '    if (++iterations2 % 1000 === 0) await setImmediate();',
      '    use(x, iterations);',
      '  }',
      '}',
    ),
    reloop: 'for (const x of xs)',
  },
  {
    name: 'a loop that is the body of an if gets a block around counter and loop',
    code: lines("import { use } from './use';", '', 'export async function f(xs: number[], on: boolean) {', '  if (on) for (const x of xs) use(x);', '}'),
    loop: 'for (const x of xs)',
    output: lines(
      "import { use } from './use';",
      "import { setImmediate } from 'node:timers/promises';",
      '',
      'export async function f(xs: number[], on: boolean) {',
      '  if (on) { let iterations = 0; for (const x of xs) {',
      '    if (++iterations % 1000 === 0) await setImmediate();',
      '    use(x);',
      '  } }',
      '}',
    ),
    reloop: 'for (const x of xs)',
  },
  {
    name: 'CommonJS without semicolons, tabs; a semicolon where the next line starts with (',
    file: '/project/src/job.js',
    code: lines("const { use } = require('./use')", '', 'module.exports = async function job(xs) {', '\tfor (const x of xs) {', '\t\t(x.a ? use : skip)(x)', '\t}', '}'),
    loop: 'for (const x of xs)',
    output: lines(
      "const { use } = require('./use')",
      "const { setImmediate } = require('node:timers/promises')",
      '',
      'module.exports = async function job(xs) {',
      '\tlet iterations = 0',
      '\tfor (const x of xs) {',
      '\t\tif (++iterations % 1000 === 0) await setImmediate();',
      '\t\t(x.a ? use : skip)(x)',
      '\t}',
      '}',
    ),
    reloop: 'for (const x of xs)',
  },
  {
    name: 'a one-line block body',
    code: lines('export async function f(xs: number[]) {', '  let t = 0;', '  for (const x of xs) { t += x; }', '  return t;', '}'),
    loop: 'for (const x of xs)',
    output: lines(
      "import { setImmediate } from 'node:timers/promises';",
      '',
      'export async function f(xs: number[]) {',
      '  let t = 0;',
      '  let iterations = 0;',
      '  for (const x of xs) { if (++iterations % 1000 === 0) await setImmediate(); t += x; }',
      '  return t;',
      '}',
    ),
    reloop: 'for (const x of xs)',
  },
];

describe(YIELD_IN_LOOP, () => {
  for (const row of rows) {
    test(row.name, () => {
      const out = applyFix(dataLoop(row.code, row.loop, { file: row.file }), row.code, YIELD_IN_LOOP, { yieldEvery: row.yieldEvery ?? 1000 });
      assert.equal(out, row.output);
    });
    test(`${row.name} — idempotent`, () => {
      const again = dataLoop(row.output, row.reloop, { file: row.file });
      assert.equal(fixWithId(again, row.output, YIELD_IN_LOOP, { yieldEvery: row.yieldEvery ?? 1000 }), undefined);
    });
  }

  test('title names N and the setting; the fix is preferred', () => {
    const code = 'export async function f(xs: number[]) {\n  for (const x of xs) use(x);\n}\n';
    const fix = fixWithId(dataLoop(code, 'for (const x'), code, YIELD_IN_LOOP, { yieldEvery: 250 });
    assert.equal(fix?.title, 'Yield to the event loop every 250 iterations (looplens.yieldEvery setting)');
    assert.equal(fix?.isPreferred, true);
  });

  test('two loops in one function fixed one after the other get distinct counters', () => {
    const code = 'export async function f(xs: number[]) {\n  for (const x of xs) use(x);\n  for (const y of xs) use(y);\n}\n';
    const once = applyFix(dataLoop(code, 'for (const x'), code, YIELD_IN_LOOP)!;
    const twice = applyFix(dataLoop(once, 'for (const y'), once, YIELD_IN_LOOP);
    assert.equal(
      twice,
      lines(
        "import { setImmediate } from 'node:timers/promises';",
        '',
        'export async function f(xs: number[]) {',
        '  let iterations = 0;',
        '  for (const x of xs) {',
        '    if (++iterations % 1000 === 0) await setImmediate();',
        '    use(x);',
        '  }',
        '  let iterations2 = 0;',
        '  for (const y of xs) {',
        '    if (++iterations2 % 1000 === 0) await setImmediate();',
        '    use(y);',
        '  }',
        '}',
      ),
    );
  });

  const notOffered = [
    { name: 'an array-method loop (the finding points at the call)', code: 'export async function f(xs: number[]) {\n  xs.map((x) => x * 2);\n}\n', loop: 'xs.map', kind: 'call' as const },
    { name: 'the finding says the function is not async', code: 'export function f(xs: number[]) {\n  for (const x of xs) use(x);\n}\n', loop: 'for (const x', inAsyncFunction: false },
    { name: 'the loop is in a non-async callback inside an async function', code: 'export async function f(xs: number[][]) {\n  xs.forEach((row) => {\n    for (const x of row) use(x);\n  });\n}\n', loop: 'for (const x' },
  ];
  for (const row of notOffered) {
    test(`not offered: ${row.name}`, () => {
      const f = dataLoop(row.code, row.loop, { kind: row.kind, inAsyncFunction: row.inAsyncFunction });
      assert.equal(fixWithId(f, row.code, YIELD_IN_LOOP), undefined);
    });
  }

  test('not offered: yieldEvery below 1', () => {
    const code = 'export async function f(xs: number[]) {\n  for (const x of xs) use(x);\n}\n';
    assert.equal(fixWithId(dataLoop(code, 'for (const x'), code, YIELD_IN_LOOP, { yieldEvery: 0 }), undefined);
  });
});
