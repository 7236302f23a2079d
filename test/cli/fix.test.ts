// Choosing and applying preferred fixes: grouped per file, overlaps skipped, shared edits applied once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planFixes } from '../../server/src/cli/fix';
import type { CodeFix, Finding, Range } from '../../server/src/engine/types';
import { finding, loc } from './helpers';

const A = '/p/a.ts';
const B = '/p/b.ts';
const texts: Record<string, string> = {
  [A]: 'const x = BAD(1);\nconst y = BAD(2);\n',
  [B]: 'BAD(3);\n',
};
const range = (line: number, start: number, end: number): Range => ({ start: { line, character: start }, end: { line, character: end } });
const fix = (id: string, edits: CodeFix['edits'], isPreferred = true): CodeFix => ({ fixId: id, title: id, edits, isPreferred });

function plan(findings: Finding[], fixes: (f: Finding) => CodeFix[]) {
  return planFixes(findings, (file) => {
    if (!(file in texts)) throw new Error(`ENOENT ${file}`);
    return texts[file]!;
  }, fixes);
}

test('applies each preferred fix, several per file, each file once', () => {
  const findings = [finding({ location: loc(A, 0, 10, 13) }), finding({ location: loc(A, 1, 10, 13) }), finding({ location: loc(B, 0, 0, 3) })];
  const p = plan(findings, (f) => [
    fix('other', [{ file: f.location.file, range: f.location.range, newText: 'NOPE' }], false),
    fix('rename', [{ file: f.location.file, range: f.location.range, newText: 'ok' }]),
  ]);
  assert.equal(p.applied.length, 3);
  assert.equal(p.skipped.length, 0);
  assert.deepEqual(Object.fromEntries(p.files), { [A]: 'const x = ok(1);\nconst y = ok(2);\n', [B]: 'ok(3);\n' });
});

test('a fix overlapping one already taken is skipped whole', () => {
  const findings = [finding({ location: loc(A, 0, 10, 13) }), finding({ location: loc(A, 0, 10, 16) })];
  const p = plan(findings, (f) => [
    fix(`f${f.location.range.end.character}`, [
      { file: B, range: range(0, 0, 0), newText: `// ${f.location.range.end.character}\n` },
      { file: A, range: f.location.range, newText: 'ok' },
    ]),
  ]);
  assert.deepEqual(p.applied.map((f) => f.fixId), ['f13']);
  assert.deepEqual(p.skipped.map((f) => f.fixId), ['f16']);
  assert.equal(p.files.get(A), 'const x = ok(1);\nconst y = BAD(2);\n');
  assert.equal(p.files.get(B), '// 13\nBAD(3);\n', "the skipped fix's other edits are left out too");
});

test('identical edits from two fixes (a shared import) go in once', () => {
  const findings = [finding({ location: loc(A, 0, 10, 13) }), finding({ location: loc(A, 1, 10, 13) })];
  const p = plan(findings, (f) => [
    fix('limit', [
      { file: A, range: range(0, 0, 0), newText: "import pLimit from 'p-limit';\n" },
      { file: A, range: f.location.range, newText: 'limit' },
    ]),
  ]);
  assert.equal(p.applied.length, 2);
  assert.equal(p.files.get(A), "import pLimit from 'p-limit';\nconst x = limit(1);\nconst y = limit(2);\n");
});

test('two different insertions at the same place conflict', () => {
  const findings = [finding({ location: loc(A, 0, 10, 13) }), finding({ location: loc(A, 1, 10, 13) })];
  const p = plan(findings, (f) => [fix('ins', [{ file: A, range: range(0, 0, 0), newText: `// ${f.location.range.start.line}\n` }])]);
  assert.equal(p.applied.length, 1);
  assert.equal(p.skipped.length, 1);
});

test('findings without a preferred fix, or in unreadable files, change nothing', () => {
  const findings = [finding({ location: loc(A, 0, 10, 13) }), finding({ location: loc('/p/missing.ts', 0, 0) })];
  const p = plan(findings, (f) => [fix('x', [{ file: f.location.file, range: f.location.range, newText: '' }], false)]);
  assert.equal(p.applied.length, 0);
  assert.equal(p.files.size, 0);
  const q = plan([findings[0]!], () => [fix('elsewhere', [{ file: '/p/missing.ts', range: range(0, 0, 0), newText: 'x' }])]);
  assert.equal(q.applied.length, 0);
  assert.equal(q.skipped.length, 1);
});
