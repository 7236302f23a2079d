// The editor's quiet period after an edit adapts to how long the analysis of that root last took (server/src/debounce.ts).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { Debouncer } from '../../server/src/debounce';

const fail = (_key: string, err: unknown) => assert.fail(String(err));

describe('Debouncer quiet period', () => {
  it('starts a key that has not run yet at once, then waits as long as its last run took', async () => {
    const d = new Debouncer(() => sleep(50), 10_000, fail);
    assert.equal(d.quietMs('a'), 0);
    d.schedule('a');
    await d.flush('a');
    const quiet = d.quietMs('a');
    assert.ok(quiet >= 40 && quiet < 10_000, `quiet period ${quiet} ms after a 50 ms run`);
    assert.equal(d.quietMs('b'), 0, 'another key has not run yet');
    d.dispose();
  });

  it('never waits longer than the delay, however long a run took', async () => {
    const d = new Debouncer(() => sleep(50), 20, fail);
    d.schedule('a');
    await d.flush('a');
    assert.equal(d.quietMs('a'), 20);
    d.dispose();
  });

  it('a run cancelled by a newer edit does not set the quiet period', async () => {
    const cancelled: boolean[] = [];
    const d = new Debouncer(
      async (_key, token) => {
        await sleep(30);
        cancelled.push(token.isCancellationRequested);
      },
      10_000,
      fail,
    );
    d.schedule('a');
    await d.flush('a');
    const measured = d.quietMs('a');
    d.schedule('a');
    const second = d.flush('a');
    d.schedule('a'); // cancels the running job and waits again
    await second;
    assert.deepEqual(cancelled, [false, true]);
    assert.equal(d.quietMs('a'), measured);
    d.dispose();
  });
});
