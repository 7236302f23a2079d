/**
 * Code actions for the blocking-cpu fixes: a refused fix is a disabled action carrying its reason; the worker
 * offload creates its module with a `CreateFile` (failing if the file exists) before the document's edit, and
 * is left out for clients that cannot take resource operations (no half-applied offload).
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quickFixes, type ActionDocument } from '../../server/src/codeActions';
import { toDiagnostic } from '../../server/src/diagnostics';
import { resolveSettings } from '../../server/src/engine/settings';
import { pathToUri } from '../../server/src/uri';
import { finding, lines, rangeOf } from '../fixes/helpers';

const FILE = '/project/src/handler.ts';
const code = lines(
  "import { execSync } from 'node:child_process';",
  'function digest(s: string): string {',
  '  return execSync(s).toString();',
  '}',
  'export async function handle(s: string) {',
  '  return digest(s);',
  '}',
);
const fnRange = rangeOf(code, "function digest(s: string): string {\n  return execSync(s).toString();\n}");
const f = finding('blocking-cpu/sync-call', rangeOf(code, 'execSync(s)'), {
  kind: 'none',
  swap: { call: rangeOf(code, 'execSync(s)'), api: 'execSync', module: 'child_process', refused: 'the command is not a string literal' },
  offload: { fn: fnRange, name: 'digest', calls: [rangeOf(code, 'digest(s)')], copies: [rangeOf(code, "import { execSync } from 'node:child_process';")], moduleFormat: 'esm' },
});
const doc = (versionedEdits: boolean): ActionDocument => ({ uri: pathToUri(FILE), file: FILE, version: 3, text: code, versionedEdits });
const diagnostic = toDiagnostic(f, 3, pathToUri);

describe('blocking-cpu code actions', () => {
  it('a refused swap is a disabled quick fix with the reason', () => {
    const swap = quickFixes(doc(true), [diagnostic], resolveSettings({})).find((a) => a.title.startsWith('Use the async `execFile`'));
    assert.deepEqual(swap && { disabled: swap.disabled, edit: swap.edit, isPreferred: swap.isPreferred }, {
      disabled: { reason: 'Not swapped: the command is not a string literal.' },
      edit: undefined,
      isPreferred: undefined,
    });
  });

  it('the offload creates digest.worker.ts, then edits the document at its version', () => {
    const offload = quickFixes(doc(true), [diagnostic], resolveSettings({})).find((a) => a.title.startsWith('Run `digest`'));
    const changes = offload?.edit?.documentChanges ?? [];
    const workerUri = pathToUri('/project/src/digest.worker.ts');
    assert.deepEqual(changes.slice(0, 1), [{ kind: 'create', uri: workerUri, options: { overwrite: false, ignoreIfExists: false } }]);
    const [, workerEdit, docEdit] = changes as { textDocument: { uri: string; version: number | null }; edits: { newText: string }[] }[];
    assert.deepEqual(workerEdit!.textDocument, { uri: workerUri, version: null });
    assert.match(workerEdit!.edits[0]!.newText, /export function digest\(s: string\): string \{/);
    assert.deepEqual(docEdit!.textDocument, { uri: pathToUri(FILE), version: 3 });
  });

  it('a client without documentChanges gets no offload action', () => {
    const titles = quickFixes(doc(false), [diagnostic], resolveSettings({})).map((a) => a.title);
    assert.equal(titles.some((t) => t.startsWith('Run `digest`')), false);
    assert.ok(titles.some((t) => t.startsWith('Disable blocking-cpu/sync-call')), titles.join('\n'));
  });
});
