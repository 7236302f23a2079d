// The editor's load runs in background slices that give way to an edit in flight (server/src/engine/steps.ts):
// while `foreground` is held, a background run makes no progress past its next slice; other runs are not held.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Foreground, foreground, runSliced, type AnalysisStep } from '../../server/src/engine/steps';

/** A run of `n` steps that counts how many it has done. */
function counted(n: number): { done: () => number; steps: Generator<AnalysisStep, string> } {
  let done = 0;
  function* steps(): Generator<AnalysisStep, string> {
    for (let i = 0; i < n; i++) {
      done++;
      yield { phase: 'parse', filesDone: i + 1, files: n };
    }
    return 'end';
  }
  return { done: () => done, steps: steps() };
}

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

describe('background slices and the foreground', () => {
  it('a background run waits while an edit holds the thread, and goes on once it leaves', async () => {
    const leave = foreground.enter();
    const run = counted(5);
    const result = runSliced(run.steps, { sliceMs: 0, background: true });
    await turns(10);
    assert.equal(run.done(), 1, 'only the step before the first turn ran');
    leave();
    assert.equal(await result, 'end');
    assert.equal(run.done(), 5);
  });

  it('a run that is not background is not held', async () => {
    const leave = foreground.enter();
    try {
      const run = counted(5);
      assert.equal(await runSliced(run.steps, { sliceMs: 0 }), 'end');
      assert.equal(foreground.held, true, 'it ended while the hold was still in force');
    } finally {
      leave();
    }
  });

  it('the work is held until every hold has left; leaving twice counts once', async () => {
    const own = new Foreground();
    const a = own.enter();
    const b = own.enter();
    let idle = false;
    void own.idle().then(() => (idle = true));
    a();
    a();
    await turns(3);
    assert.equal(idle, false, 'b still holds');
    b();
    await turns(1);
    assert.equal(idle, true);
  });

  it('holds chained without a break (each entered before the last leaves) hold the work 250 ms in all', async () => {
    const own = new Foreground();
    let leave = own.enter();
    const chain = setInterval(() => {
      const last = leave;
      leave = own.enter();
      last();
    }, 40);
    const started = performance.now();
    try {
      await own.idle();
    } finally {
      clearInterval(chain);
      leave();
    }
    const waited = performance.now() - started;
    assert.ok(waited >= 240 && waited < 400, `waited ${waited.toFixed(0)} ms`);
  });

  it('a hold nobody leaves lets go after 250 ms', async () => {
    const own = new Foreground();
    own.enter();
    const started = performance.now();
    await own.idle();
    assert.ok(performance.now() - started >= 240, 'held until the hold expired');
  });
});
