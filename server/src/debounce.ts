/**
 * Keyed, debounced, cancellable jobs: `schedule(key)` runs the key's job with a fresh cancellation token, at
 * the next turn of the event loop or after a quiet period. A newer `schedule` of the same key cancels the running
 * job's token and restarts the wait, so only the latest edit's analysis publishes.
 *
 * The quiet period applies to bursts only. An edit made while the key is idle starts its job at once: nobody
 * is waiting on anything else, and a fixed wait would add itself to every edit's latency. An edit made while the
 * key's job is pending or running (typing faster than the analysis) cancels that job and waits as long as the
 * key's last finished run took, up to `delayMs`: a run the next keystroke cancels is work thrown away, so the
 * wait only pays off once a run costs more than the gap between keystrokes.
 */
import { CancellationTokenSource, type CancellationToken } from 'vscode-languageserver';

export type Job = (key: string, token: CancellationToken) => Promise<void>;

export class Debouncer {
  /** Pending starts; `immediate` when scheduled on an idle key (schedules in the same turn share it). */
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; immediate: boolean }>();
  private readonly running = new Map<string, { source: CancellationTokenSource; done: Promise<void> }>();
  /** How long each key's last run took, start to finish, when no newer schedule cancelled it (milliseconds). */
  private readonly lastRunMs = new Map<string, number>();

  /**
   * @param job the work per key; its rejections go to `onError` (never unhandled).
   * @param delayMs longest quiet period in milliseconds before the job starts.
   */
  constructor(
    private readonly job: Job,
    private readonly delayMs: number,
    private readonly onError: (key: string, err: unknown) => void,
  ) {}

  /**
   * Runs the job of `key` at the next turn of the event loop when the key is idle; otherwise cancels its running
   * job and runs it again after the quiet period (see {@link quietMs}).
   */
  schedule(key: string): void {
    const quiet = this.quietMs(key);
    clearTimeout(this.timers.get(key)?.timer);
    this.running.get(key)?.source.cancel();
    this.timers.set(key, { timer: setTimeout(() => void this.start(key), quiet), immediate: quiet === 0 });
  }

  /** Runs a pending job of `key` now, and resolves when the job of `key` (if any) has finished. */
  async flush(key: string): Promise<void> {
    if (this.timers.has(key)) return this.start(key);
    await this.running.get(key)?.done;
  }

  /**
   * The quiet period a `schedule(key)` made now would wait (milliseconds): 0 when the key is idle (nothing
   * running, and nothing pending but a start at the next turn) or has never finished a run; otherwise its last
   * run's duration, at most `delayMs`.
   */
  quietMs(key: string): number {
    if (!this.running.has(key) && (this.timers.get(key)?.immediate ?? true)) return 0;
    return Math.min(this.delayMs, this.lastRunMs.get(key) ?? 0);
  }

  /** Cancels the pending and running job of every key. */
  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    for (const r of this.running.values()) r.source.cancel();
  }

  private start(key: string): Promise<void> {
    clearTimeout(this.timers.get(key)?.timer);
    this.timers.delete(key);
    this.running.get(key)?.source.cancel();
    const source = new CancellationTokenSource();
    const started = performance.now();
    const done = this.job(key, source.token)
      .then(() => {
        if (!source.token.isCancellationRequested) this.lastRunMs.set(key, performance.now() - started);
      })
      .catch((err: unknown) => this.onError(key, err))
      .finally(() => {
        if (this.running.get(key)?.source === source) this.running.delete(key);
        source.dispose();
      });
    this.running.set(key, { source, done });
    return done;
  }
}
