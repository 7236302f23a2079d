// --fix plumbing: findings grouped per file, one fix-all plan and at most one write per file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { applyFixes } from '../../server/src/cli/fix';
import type { FixAllPlan } from '../../server/src/engine/fixes/fix-all';
import { DEFAULT_SETTINGS } from '../../server/src/engine/settings';
import type { Finding } from '../../server/src/engine/types';
import { finding, loc, tempProject } from './helpers';

test('one plan per file with that file’s findings; only changed files are written', () => {
  const dir = realpathSync(tempProject({ 'a.ts': 'BAD(1);\nBAD(2);\n', 'b.ts': 'BAD(3);\n', 'c.ts': 'BAD(4);\n' }));
  const [a, b, c] = ['a.ts', 'b.ts', 'c.ts'].map((f) => join(dir, f)) as [string, string, string];
  const cBefore = statSync(c).mtimeMs;
  const calls: [string, number][] = [];
  const planFixAll = (file: string, text: string, findings: readonly Finding[]): FixAllPlan => {
    calls.push([file, findings.length]);
    if (file === c) return { text, edits: [], applied: [], skipped: [...findings] };
    return { text: text.replaceAll('BAD', 'ok'), edits: [], applied: findings.map(() => ({ fixId: 'x', title: 'x', edits: [], isPreferred: true })), skipped: [] };
  };
  const workspace = { settings: DEFAULT_SETTINGS, readText: (f: string) => readFileSync(f, 'utf8'), analyze: () => ({ handlers: [], findings: [], skipped: [], files: [] }) };
  const findings = [finding({ location: loc(a, 0, 0) }), finding({ location: loc(b, 0, 0) }), finding({ location: loc(a, 1, 0) }), finding({ location: loc(c, 0, 0) })];

  const summary = applyFixes(workspace, findings, { planFixAll });
  assert.deepEqual(calls, [[a, 2], [b, 1], [c, 1]]);
  assert.deepEqual(summary, { applied: 3, skipped: 1, files: [a, b] });
  assert.equal(readFileSync(a, 'utf8'), 'ok(1);\nok(2);\n');
  assert.equal(readFileSync(b, 'utf8'), 'ok(3);\n');
  assert.equal(statSync(c).mtimeMs, cBefore, 'a file without applied fixes is not rewritten');
});
