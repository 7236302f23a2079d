import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/fixes/applyEdits';
import { planFixAll } from '../../server/src/engine/fixes/fix-all';
import { resolveSettings } from '../../server/src/engine/settings';
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
});
