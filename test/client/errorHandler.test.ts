import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createErrorHandler, MAX_RESTARTS, RESTART_WINDOW_MS } from '../../client/src/errorHandler';

// vscode-languageclient's enum values: CloseAction.DoNotRestart = 1, Restart = 2; ErrorAction.Continue = 1, Shutdown = 2.
const RESTART = 2;
const DO_NOT_RESTART = 1;

describe('client error handler', () => {
  it('restarts the server 4 times, then stops and says why', async () => {
    let t = 0;
    const logs: string[] = [];
    const handler = createErrorHandler({ now: () => t, log: (m) => logs.push(m) });
    await handler.error(new Error('write EPIPE'), undefined, 1);
    for (let i = 1; i <= MAX_RESTARTS; i++) {
      t += 1_000;
      assert.deepEqual(await handler.closed(), { action: RESTART, handled: true });
    }
    t += 1_000;
    const last = await handler.closed();
    assert.equal(last.action, DO_NOT_RESTART);
    assert.equal(
      last.message,
      'The LoopLens server stopped 5 times in the last 3 minutes and will not be restarted. The last connection error was: write EPIPE. See "LoopLens: Show Output" for its log; reload the window to start it again.',
    );
    assert.equal(last.handled, undefined, 'the client shows the message');
    assert.equal(logs[0], 'LoopLens: connection to the server failed: write EPIPE');
    assert.equal(logs[1], 'LoopLens: the server stopped unexpectedly; restarting it (1 of 4 restarts allowed in 3 minutes)');
  });

  it('forgets stops older than the window', async () => {
    let t = 0;
    const handler = createErrorHandler({ now: () => t });
    for (let i = 0; i < MAX_RESTARTS; i++) assert.equal((await handler.closed()).action, RESTART);
    t += RESTART_WINDOW_MS + 1;
    assert.deepEqual(await handler.closed(), { action: RESTART, handled: true });
  });

  it('says nothing about a connection error when there was none', async () => {
    const handler = createErrorHandler({ now: () => 0 });
    for (let i = 0; i < MAX_RESTARTS; i++) await handler.closed();
    const last = await handler.closed();
    assert.equal(last.action, DO_NOT_RESTART);
    assert.equal(last.message, 'The LoopLens server stopped 5 times in the last 3 minutes and will not be restarted. See "LoopLens: Show Output" for its log; reload the window to start it again.');
  });

  it('continues after a few connection errors, then shuts the connection down', async () => {
    const handler = createErrorHandler({ now: () => 0 });
    assert.deepEqual(await handler.error(new Error('a'), undefined, 3), { action: 1, handled: true });
    assert.deepEqual(await handler.error(new Error('b'), undefined, 4), { action: 2, handled: true });
  });
});
