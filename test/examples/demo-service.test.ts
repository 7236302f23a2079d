// Keeps examples/demo-service and its EXPECTED.md honest: every listed line still holds its construct, the
// demo type-checks without installing its dependencies, and (once the engine discovers handlers) the engine
// reports exactly the findings the first table lists.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Workspace } from '../../server/src/engine';
import { RULES } from '../../server/src/engine/rules/all';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEMO = join(ROOT, 'examples/demo-service');

interface Row {
  ruleId: string;
  file: string;
  line: number;
  construct: string;
}

/** The rows of the table under `## <heading>` in EXPECTED.md: rule, `file:line`, construct, in backticks. */
function table(heading: string): Row[] {
  const text = readFileSync(join(DEMO, 'EXPECTED.md'), 'utf8');
  const start = text.indexOf(`## ${heading}\n`);
  assert.ok(start >= 0, `EXPECTED.md has no "## ${heading}" section`);
  const end = text.indexOf('\n## ', start + 1);
  const rows: Row[] = [];
  for (const line of text.slice(start, end < 0 ? undefined : end).split('\n')) {
    const m = /^\| `([^`]+)` \| `([^`:]+):(\d+)` \| `([^`]+)` \|/.exec(line);
    if (m) rows.push({ ruleId: m[1]!, file: m[2]!, line: Number(m[3]), construct: m[4]! });
  }
  assert.ok(rows.length > 0, `no rows under "## ${heading}"`);
  return rows;
}

const findings = table('Findings');
const clean = table('Clean code (no finding)');

describe('examples/demo-service', () => {
  it('EXPECTED.md lines still hold their constructs', () => {
    for (const row of [...findings, ...clean]) {
      const lines = readFileSync(join(DEMO, row.file), 'utf8').split('\n');
      const text = lines[row.line - 1] ?? '';
      assert.ok(text.includes(row.construct), `${row.file}:${row.line} should contain ${row.construct}, has: ${text.trim()}`);
    }
  });

  it('lists only known rule ids, and covers every rule', () => {
    const ids = new Set(RULES.map((r) => r.id));
    for (const row of [...findings, ...clean]) assert.ok(ids.has(row.ruleId), `unknown rule ${row.ruleId}`);
    assert.deepEqual([...new Set(findings.map((r) => r.ruleId))].sort(), [...ids].sort());
  });

  it('type-checks without its dependencies installed', () => {
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', DEMO], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('the engine reports exactly the listed findings', (t) => {
    const result = new Workspace({ root: DEMO }).analyze();
    if (result.handlers.length === 0) {
      t.skip('the engine discovers no handlers yet');
      return;
    }
    const key = (ruleId: string, file: string, line: number) => `${ruleId} ${file}:${line}`;
    const actual = result.findings.map((f) => key(f.ruleId, relative(DEMO, f.location.file), f.location.range.start.line + 1));
    const expected = findings.map((r) => key(r.ruleId, r.file, r.line));
    assert.deepEqual(actual.sort(), expected.sort());
  });
});
