/**
 * The torture suite's slice for `npm test` (the full run is `npm run torture`): the engine over a project of
 * hostile files — truncated and unbalanced code, 10,000 nested parentheses, nesting deeper than the per-file
 * budget, a file over the size limit, a binary file named .ts, cyclic imports, a symlink loop, a tsconfig
 * that does not parse — analyses the rest and skips each bad file with its reason, without throwing.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before, describe, test } from 'node:test';
import type { AnalysisResult } from '../../server/src/engine/types';
import { Workspace } from '../../server/src/engine/workspace';
import { SYNC_HANDLER } from './fixture';

const root = mkdtempSync(`${tmpdir()}/looplens-torture-`).replace(/\\/g, '/');

function write(rel: string, text: string | Buffer): void {
  writeFileSync(`${root}/${rel}`, text);
}

describe('engine on hostile input', () => {
  let result: AnalysisResult;

  before(() => {
    mkdirSync(`${root}/src`);
    write('tsconfig.json', '{ "compilerOptions": { "strict": true, ');
    write('src/app.ts', SYNC_HANDLER);
    write('src/truncated.ts', SYNC_HANDLER.slice(0, SYNC_HANDLER.indexOf("'utf8'")));
    write('src/unbalanced.ts', SYNC_HANDLER.replace(/}/g, '').replace('app.listen', '{ ( [ app.listen'));
    write('src/parens.ts', `export const x = ${'(\n'.repeat(10_000)}1${')\n'.repeat(10_000)};\n`);
    write('src/deep.ts', `export function f(a: unknown) {\n${'if (a) {\n'.repeat(600)}${'}\n'.repeat(600)}}\n`);
    write('src/big.ts', `export const rows = [\n${'  { id: 1, name: "row" },\n'.repeat(50_000)}];\n`);
    write('src/binary.ts', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0xff, 0xfe, 0x00, 0x00]));
    write('src/cycle-a.ts', "import { b } from './cycle-b';\nexport function a(n: number): number { return n ? b(n - 1) : 0; }\n");
    write('src/cycle-b.ts', "import { a } from './cycle-a';\nexport function b(n: number): number { return n ? a(n - 1) : 1; }\n");
    symlinkSync('.', `${root}/src/loop`);
    result = new Workspace({ root }).analyze();
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  test('each bad file is skipped with its reason', () => {
    const reasons = Object.fromEntries(result.skipped.map((s) => [s.file.slice(root.length + 1), s.reason.replace(/\(([^;]*)\); using/, '(…); using')]));
    assert.deepEqual(reasons, {
      'tsconfig.json': 'tsconfig could not be read (…); using default options',
      'src/binary.ts': 'binary content',
      'src/big.ts': 'larger than 1 MB (generated or bundled code is not analysed)',
      'src/parens.ts': 'could not be parsed: Maximum call stack size exceeded',
      'src/deep.ts': 'syntax nested deeper than 1,000 levels (generated code is not analysed)',
    });
  });

  test('the rest is analysed, the handler reported once, cycles and the symlink loop followed no further', () => {
    assert.deepEqual(
      result.files.map((f) => f.slice(root.length + 1)).sort(),
      ['src/app.ts', 'src/cycle-a.ts', 'src/cycle-b.ts', 'src/truncated.ts', 'src/unbalanced.ts'],
    );
    const syncCalls = result.findings.filter((f) => f.ruleId === 'blocking-cpu/sync-call').map((f) => `${f.location.file.slice(root.length + 1)}:${f.location.range.start.line + 1}`);
    assert.deepEqual(syncCalls, ['src/app.ts:5', 'src/truncated.ts:5', 'src/unbalanced.ts:5']);
  });

  test('an editor overlay nested too deep is left out like a file on disk', () => {
    const ws = new Workspace({ root });
    ws.analyze();
    ws.setOverlay(`${root}/src/app.ts`, `${SYNC_HANDLER}export function g(a: unknown) {\n${'if (a) {\n'.repeat(600)}${'}\n'.repeat(600)}}\n`);
    const deep = ws.analyze();
    assert.equal(deep.skipped.find((s) => s.file.endsWith('/src/app.ts'))?.reason, 'syntax nested deeper than 1,000 levels (generated code is not analysed)');
    assert.ok(!deep.files.some((f) => f.endsWith('/src/app.ts')));
    ws.setOverlay(`${root}/src/app.ts`, `${SYNC_HANDLER}export const z = ${'(\n'.repeat(10_000)}1${')\n'.repeat(10_000)};\n`);
    const unparsable = ws.analyze();
    assert.equal(unparsable.skipped.find((s) => s.file.endsWith('/src/app.ts'))?.reason, 'could not be parsed: Maximum call stack size exceeded');
    assert.ok(!unparsable.files.some((f) => f.endsWith('/src/app.ts')));
    ws.setOverlay(`${root}/src/app.ts`, SYNC_HANDLER);
    const back = ws.analyze();
    assert.ok(back.files.some((f) => f.endsWith('/src/app.ts')));
    assert.equal(back.skipped.find((s) => s.file.endsWith('/src/app.ts')), undefined);
  });
});
