import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/fixes/applyEdits';
import { planFixAll } from '../../server/src/engine/fixes/fix-all';
import { resolveSettings } from '../../server/src/engine/settings';
import type { Finding } from '../../server/src/engine/types';
import { FILE, fanoutFinding, finding, lines, nodeRangeAt, rangeOf } from './helpers';

const settings = resolveSettings({});

describe('planFixAll', () => {
  test('two fan-outs and two loops in one file: shared import and limiter, distinct counters', () => {
    const code = lines(
      "import express from 'express';",
      '',
      "app.get('/a', async (req, res) => {",
      '  res.json(await Promise.all(req.body.ids.map((id) => fetch(id))));',
      '});',
      "app.get('/b', async (req, res) => {",
      '  let n = 0;',
      '  for (const row of req.body.rows) n += row;',
      '  for (const row of req.body.more) n -= row;',
      '  res.json(await Promise.all(req.body.urls.map(async (u) => fetch(u))));',
      '});',
    );
    const fanout = (launch: string) => fanoutFinding(rangeOf(code, launch));
    const loop = (marker: string) => {
      const r = nodeRangeAt(code, marker);
      return finding('blocking-cpu/data-loop', r, { kind: 'yield-in-loop', loop: r, inAsyncFunction: true });
    };
    const findings = [fanout('async (u) => fetch(u)'), loop('for (const row of req.body.more)'), fanout('(id) => fetch(id)'), loop('for (const row of req.body.rows)')];
    const plan = planFixAll(FILE, code, findings, settings);
    const expected = lines(
      "import express from 'express';",
      "import pLimit from 'p-limit';",
      "import { setImmediate } from 'node:timers/promises';",
      '',
      'const limit = pLimit(8);',
      '',
      "app.get('/a', async (req, res) => {",
      '  res.json(await Promise.all(req.body.ids.map((id) => limit(() => fetch(id)))));',
      '});',
      "app.get('/b', async (req, res) => {",
      '  let n = 0;',
      '  let iterations = 0;',
      '  for (const row of req.body.rows) {',
      '    if (++iterations % 1000 === 0) await setImmediate();',
      '    n += row;',
      '  }',
      '  let iterations2 = 0;',
      '  for (const row of req.body.more) {',
      '    if (++iterations2 % 1000 === 0) await setImmediate();',
      '    n -= row;',
      '  }',
      '  res.json(await Promise.all(req.body.urls.map((u) => limit(async () => fetch(u)))));',
      '});',
    );
    assert.equal(plan.text, expected);
    assert.equal(applyEdits(code, plan.edits), expected, 'edits against the original text give the same result');
    assert.equal(plan.applied.length, 4);
    assert.deepEqual(plan.skipped, []);
  });

  test('the same launch twice, or a call inside an already wrapped callback, is fixed once', () => {
    const code = 'export async function f(xs: string[]) {\n  return Promise.all(xs.map((x) => fetch(x)));\n}\n';
    const same = fanoutFinding(rangeOf(code, '(x) => fetch(x)'));
    const call = fanoutFinding(rangeOf(code, 'fetch(x)'), undefined, 8, 'unbounded-fanout/loop-push');
    const plan = planFixAll(FILE, code, [same, same, call], settings);
    assert.equal(
      plan.text,
      "import pLimit from 'p-limit';\n\nconst limit = pLimit(8);\n\nexport async function f(xs: string[]) {\n  return Promise.all(xs.map((x) => limit(() => fetch(x))));\n}\n",
    );
    assert.equal(plan.applied.length, 1);
    assert.deepEqual(plan.skipped, []);
  });

  test('a finding whose range starts inside text an earlier fix replaced is skipped', () => {
    const code = 'export async function f(xs: string[], ys: string[]) {\n  await Promise.all(xs.map(mailer.send));\n  await Promise.all(ys.map((y) => fetch(y)));\n}\n';
    const first = fanoutFinding(rangeOf(code, 'mailer.send'));
    const second = fanoutFinding(rangeOf(code, 'send'), rangeOf(code, '(y) => fetch(y)'));
    const plan = planFixAll(FILE, code, [first, second], settings);
    assert.deepEqual(plan.skipped, [second]);
    assert.match(plan.text, /xs\.map\(\(item\) => limit\(\(\) => mailer\.send\(item\)\)\)/);
    assert.match(plan.text, /ys\.map\(\(y\) => fetch\(y\)\)/);
  });

  test('findings of other files and without a preferred fix change nothing', () => {
    const code = 'const h = crypto.pbkdf2Sync(a, b, 1, 2, "sha1");\n';
    const sync = finding('blocking-cpu/sync-call', rangeOf(code, 'crypto.pbkdf2Sync('), { kind: 'none' });
    const elsewhere = finding('blocking-cpu/sync-call', rangeOf(code, 'crypto'), { kind: 'none' }, '/other.ts');
    const plan = planFixAll(FILE, code, [sync, elsewhere], settings);
    assert.equal(plan.text, code);
    assert.deepEqual(plan.edits, []);
  });

  /** A fan-out finding of the given resource, with the project facts the analysis would attach. */
  const sized = (code: string, launch: string, limit: number, limitReason: string, facts: object = {}): Finding => {
    const f = fanoutFinding(rangeOf(code, launch), undefined, limit);
    return { ...f, fix: { ...(f.fix as Extract<Finding['fix'], { kind: 'limit-fanout' }>), limitReason, ...facts } };
  };
  const TP = 'libuv threadpool: UV_THREADPOOL_SIZE default 4';
  const IO = 'looplens.concurrency.io setting';

  test('one module-level limiter per resource; a second run over the fixed text changes nothing', () => {
    const code = lines(
      "import { readFile, stat } from 'node:fs/promises';",
      '',
      'export async function a(ps: string[], us: string[]) {',
      "  const texts = await Promise.all(ps.map((p) => readFile(p, 'utf8')));",
      '  const sizes = await Promise.all(ps.map((p) => stat(p)));',
      '  return [texts, sizes, await Promise.all(us.map((u) => fetch(u)))];',
      '}',
    );
    const findingsOf = (text: string) => [
      sized(text, "(p) => readFile(p, 'utf8')", 4, TP),
      sized(text, '(p) => stat(p)', 4, TP),
      sized(text, '(u) => fetch(u)', 4, IO),
    ];
    const plan = planFixAll(FILE, code, findingsOf(code), settings);
    const expected = lines(
      "import { readFile, stat } from 'node:fs/promises';",
      "import pLimit from 'p-limit';",
      '',
      'const limit = pLimit(4);',
      '',
      'const threadpoolLimit = pLimit(4);',
      '',
      'export async function a(ps: string[], us: string[]) {',
      "  const texts = await Promise.all(ps.map((p) => threadpoolLimit(() => readFile(p, 'utf8'))));",
      '  const sizes = await Promise.all(ps.map((p) => threadpoolLimit(() => stat(p))));',
      '  return [texts, sizes, await Promise.all(us.map((u) => limit(() => fetch(u))))];',
      '}',
    );
    assert.equal(plan.text, expected);
    assert.equal(plan.applied.length, 3);
    const relaunched = [
      sized(expected, "(p) => threadpoolLimit(() => readFile(p, 'utf8'))", 4, TP),
      sized(expected, '(p) => threadpoolLimit(() => stat(p))', 4, TP),
      sized(expected, '(u) => limit(() => fetch(u))', 4, IO),
    ];
    const again = planFixAll(FILE, expected, relaunched, settings);
    assert.equal(again.text, expected);
    assert.deepEqual(again.edits, []);
  });

  test('CommonJS: the chunked rewrite is preferred and its helper is added once; the lazy p-limit limiter is never wrapped again', () => {
    const file = '/project/src/jobs.js';
    const code = lines(
      "const { readFile } = require('node:fs/promises');",
      '',
      'exports.load = async (a, b) => [await Promise.all(a.map((p) => readFile(p))), await Promise.all(b.map((q) => readFile(q)))];',
    );
    const cjs = { moduleSystem: 'cjs', dynamicImport: true };
    const at = (text: string, launch: string) => ({ ...sized(text, launch, 4, TP, cjs), location: { file, range: rangeOf(text, launch) } });
    const plan = planFixAll(file, code, [at(code, '(p) => readFile(p)'), at(code, '(q) => readFile(q)')], settings);
    assert.equal(
      plan.text,
      lines(
        "const { readFile } = require('node:fs/promises');",
        '',
        '// Runs fn over items, size at a time; results keep the order of items; the first rejection rejects.',
        'async function mapInChunks(items, size, fn) {',
        '  const results = [];',
        '  for (let i = 0; i < items.length; i += size) {',
        '    results.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => fn(item, i + j)))));',
        '  }',
        '  return results;',
        '}',
        '',
        'exports.load = async (a, b) => [await mapInChunks(a, 4, (p) => readFile(p)), await mapInChunks(b, 4, (q) => readFile(q))];',
      ),
    );
    assert.deepEqual(plan.applied.map((f) => f.fixId), ['looplens.chunked', 'looplens.chunked']);

    const wrapped = lines(
      "const { readFile } = require('node:fs/promises');",
      '',
      'function loadThreadpoolLimit() {',
      "  return import('p-limit').then((m) => m.default(4));",
      '}',
      'let threadpoolLimitReady;',
      'async function threadpoolLimit(fn) {',
      '  return (await (threadpoolLimitReady ??= loadThreadpoolLimit()))(fn);',
      '}',
      '',
      'exports.load = async (a) => Promise.allSettled(a.map((p) => threadpoolLimit(() => readFile(p))));',
    );
    const again = planFixAll(file, wrapped, [at(wrapped, '(p) => threadpoolLimit(() => readFile(p))')], settings);
    assert.deepEqual(again.edits, []);
  });
});
