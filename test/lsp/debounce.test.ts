// The editor's quiet period after an edit (server/src/debounce.ts): none for an edit to an idle root; while a
// root's analysis is pending or running, as long as that root's last analysis took.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { Debouncer } from '../../server/src/debounce';

const fail = (_key: string, err: unknown) => assert.fail(String(err));

/** A debouncer whose job sleeps `ms` and records when each run started (ms since `t0`) and whether it was cancelled. */
function recording(ms: number, delayMs: number) {
  const t0 = performance.now();
  const runs: { at: number; cancelled?: boolean }[] = [];
  const d = new Debouncer(
    async (_key, token) => {
      const run: { at: number; cancelled?: boolean } = { at: performance.now() - t0 };
      runs.push(run);
      await sleep(ms);
      run.cancelled = token.isCancellationRequested;
    },
    delayMs,
    fail,
  );
  return { d, runs, now: () => performance.now() - t0 };
}

describe('Debouncer quiet period', () => {
  it('starts an idle key at the next turn of the event loop, however long its last run took', async () => {
    const { d, runs, now } = recording(50, 10_000);
    d.schedule('a');
    await d.flush('a');
    assert.equal(d.quietMs('a'), 0, 'idle after its run');
    const before = now();
    d.schedule('a');
    await d.flush('a');
    assert.equal(runs.length, 2);
    assert.ok(runs[1]!.at - before < 30, `second run started ${runs[1]!.at - before} ms after its edit`);
    d.dispose();
  });

  it('an edit while the job runs cancels it and waits as long as the last run took', async () => {
    const { d, runs, now } = recording(50, 10_000);
    d.schedule('a');
    await d.flush('a');
    d.schedule('a');
    await sleep(10); // the second run is under way
    const quiet = d.quietMs('a');
    assert.ok(quiet >= 40 && quiet < 10_000, `quiet period ${quiet} ms while a run is under way, after a 50 ms run`);
    const edited = now();
    d.schedule('a');
    await sleep(quiet + 60);
    await d.flush('a');
    assert.deepEqual(
      runs.map((r) => r.cancelled),
      [false, true, false],
    );
    assert.ok(runs[2]!.at - edited >= quiet - 5, `third run started ${runs[2]!.at - edited} ms after its edit (quiet ${quiet} ms)`);
    assert.equal(d.quietMs('b'), 0, 'another key is idle');
    d.dispose();
  });

  it('never waits longer than the delay, however long a run took', async () => {
    const { d } = recording(50, 20);
    d.schedule('a');
    await d.flush('a');
    d.schedule('a');
    await sleep(10);
    assert.equal(d.quietMs('a'), 20);
    d.dispose();
  });

  it('edits to an idle key in the same turn share one run', async () => {
    const { d, runs } = recording(5, 10_000);
    d.schedule('a');
    d.schedule('a');
    d.schedule('a');
    await sleep(20);
    await d.flush('a');
    assert.equal(runs.length, 1);
    d.dispose();
  });

  it('a run cancelled by a newer edit does not set the quiet period', async () => {
    const durations = [30, 300, 30, 30];
    let k = 0;
    const d = new Debouncer(() => sleep(durations[k++] ?? 30), 10_000, fail);
    d.schedule('a');
    await d.flush('a');
    d.schedule('a'); // the 300 ms run
    await sleep(5);
    d.schedule('a'); // cancels it
    await sleep(400); // the cancelled run and the next one both end
    d.schedule('a');
    await sleep(5);
    const quiet = d.quietMs('a');
    assert.equal(k, 4);
    assert.ok(quiet >= 20 && quiet < 150, `quiet ${quiet} ms: from the 30 ms runs, not the cancelled 300 ms one`);
    d.dispose();
  });
});
