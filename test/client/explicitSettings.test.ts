import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explicitSettings, type InspectedValue } from '../../client/src/explicitSettings';

const KEYS = ['concurrency.io', 'concurrency.threadpool', 'yieldEvery', 'severity', 'exclude'];

/** An `inspect` over a table of set values; a key missing from the table was never set (defaults only). */
const inspecting = (table: Record<string, InspectedValue>) => (key: string) => table[key] ?? { globalValue: undefined };

describe('explicitSettings', () => {
  it('nothing set: an empty object, so the server keeps the config file and the defaults', () => {
    assert.deepEqual(explicitSettings(KEYS, inspecting({})), {});
  });

  it('the most specific level wins, nested by dotted key', () => {
    const got = explicitSettings(
      KEYS,
      inspecting({
        'concurrency.io': { globalValue: 4, workspaceFolderValue: 2 },
        yieldEvery: { globalValue: 500, workspaceValue: 100 },
        exclude: { globalValue: ['a/**'], workspaceValue: ['b/**'] },
      }),
    );
    assert.deepEqual(got, { concurrency: { io: 2 }, yieldEvery: 100, exclude: ['b/**'] });
  });

  it('object settings merge across levels, the more specific level per key', () => {
    const got = explicitSettings(
      KEYS,
      inspecting({ severity: { globalValue: { 'blocking-cpu': 'error', 'mixed-bound': 'off' }, workspaceFolderValue: { 'blocking-cpu': 'info' } } }),
    );
    assert.deepEqual(got, { severity: { 'blocking-cpu': 'info', 'mixed-bound': 'off' } });
  });

  it('an unknown key (inspect answers undefined) is left out', () => {
    assert.deepEqual(explicitSettings(['nope'], () => undefined), {});
  });
});
