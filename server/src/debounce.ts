/**
 * Keyed, debounced, cancellable jobs: `schedule(key)` (re)starts a quiet period; when it ends the job runs
 * with a fresh cancellation token. A newer `schedule` of the same key cancels the running job's token and
 * restarts the wait, so only the latest edit's analysis publishes.
 *
 * The quiet period adapts to the job: it lasts as long as the key's last finished run took, up to `delayMs`.
 * A fixed wait adds itself to every edit's latency; it only pays off when a run costs more than the wait, since
 * a run the next keystroke cancels is work thrown away. So an analysis that takes 30 ms starts 30 ms after the
 * last keystroke, and a project whose analysis takes seconds waits the full `delayMs` for typing to pause.
 * A key that has not run yet (a folder's first opened document) starts at once: nobody is typing in it yet.
 */
import { CancellationTokenSource, type CancellationToken } from 'vscode-languageserver';

export type Job = (key: string, token: CancellationToken) => Promise<void>;

export class Debouncer {
  private readonly timers = new Map<string, NodeJS.Timeout>();
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

  /** Cancels the running job of `key`, if any, and runs it again after the quiet period. */
  schedule(key: string): void {
    clearTimeout(this.timers.get(key));
    this.running.get(key)?.source.cancel();
    this.timers.set(key, setTimeout(() => void this.start(key), this.quietMs(key)));
  }

  /** Runs a pending job of `key` now, and resolves when the job of `key` (if any) has finished. */
  async flush(key: string): Promise<void> {
    if (this.timers.has(key)) return this.start(key);
    await this.running.get(key)?.done;
  }

  /** The quiet period before `key`'s next run (milliseconds): its last run's duration, at most `delayMs`; 0 before its first run. */
  quietMs(key: string): number {
    return Math.min(this.delayMs, this.lastRunMs.get(key) ?? 0);
  }

  /** Cancels the pending and running job of every key. */
  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const r of this.running.values()) r.source.cancel();
  }

  private start(key: string): Promise<void> {
    clearTimeout(this.timers.get(key));
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
