/**
 * Code actions built from diagnostics (no server): the install-dependency action carries the client command
 * and no edit; the fan-out variants carry versioned edits.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { quickFixes } from '../../server/src/codeActions';
import { toDiagnostic } from '../../server/src/diagnostics';
import { resolveSettings } from '../../server/src/engine/settings';
import { fanoutFinding, lines, rangeOf } from '../fixes/helpers';

const FILE = '/project/src/handler.ts';
const URI = 'file:///project/src/handler.ts';

describe('quickFixes', () => {
  test('p-limit missing: chunked preferred, the p-limit title says so, an install action runs looplens.installDependency', () => {
    const text = lines('export async function f(xs: string[]) {', '  await Promise.all(xs.map((x) => fetch(x)));', '}');
    const base = fanoutFinding(rangeOf(text, 'Promise.all'), rangeOf(text, '(x) => fetch(x)'));
    const finding = { ...base, fix: { ...base.fix, moduleSystem: 'esm' as const, missingDeps: ['p-limit'], packageDir: '/project' } };
    const diagnostic = toDiagnostic(finding, 3, () => URI);
    const actions = quickFixes({ uri: URI, file: FILE, version: 3, text, versionedEdits: true }, [diagnostic], resolveSettings({}));
    assert.deepEqual(
      actions.map((a) => [a.title, a.isPreferred, !!a.edit, a.command?.command]),
      [
        ['Limit to 8 concurrent calls in chunks of 8, no dependency (looplens.concurrency.io setting)', true, true, undefined],
        ['Limit to 8 concurrent calls with p-limit (looplens.concurrency.io setting) (adds import; p-limit is not in package.json)', false, true, undefined],
        ['Limit to 8 concurrent calls with p-map (looplens.concurrency.io setting)', false, true, undefined],
        ['Install p-limit (npm install p-limit)', false, false, 'looplens.installDependency'],
        ['Disable unbounded-fanout/promise-all for this line', false, true, undefined],
      ],
    );
    assert.deepEqual(actions[3]!.command?.arguments, [{ cwd: '/project', packages: ['p-limit'] }]);
  });
});
