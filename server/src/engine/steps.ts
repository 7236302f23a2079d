/**
 * Long engine work is written as generators that yield a progress step between files (or handlers). One
 * generator serves both callers: the CLI and tests run it to the end synchronously ({@link runSync}); the
 * language server runs it in time slices ({@link runSliced}) so that the event loop can read `$/cancelRequest`
 * and send `$/progress` while an audit runs. A synchronous analysis could see neither: Node delivers the
 * cancellation message only when the running JavaScript returns to the event loop.
 */
import { throwIfCancelled, type CancellationToken } from './types';

/** Where a long analysis is: the phase and how many of its files (or handlers) are done. */
export interface AnalysisStep {
  /** `parse`: reading and parsing source files; `discover`: finding handlers per file; `handlers`: following each handler's calls. */
  phase: 'parse' | 'discover' | 'handlers';
  /** Files of the phase done so far (for `handlers`: files whose handlers are all followed). */
  filesDone: number;
  /** Files of the phase in all. */
  files: number;
  /** For `handlers`: handlers followed so far and in all. */
  handlersDone?: number;
  handlers?: number;
}

/** Runs a step generator to its end without giving the event loop a turn; returns its result. */
export function runSync<T>(steps: Generator<AnalysisStep, T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Options of {@link runSliced}. */
export interface SliceOptions {
  token?: CancellationToken;
  /** Called with the latest step once per slice (not for every step: a step can be a few microseconds). */
  onStep?: (step: AnalysisStep) => void;
  /**
   * Longest run between two turns of the event loop, in milliseconds (default 5). The gap between a
   * `$/cancelRequest` arriving and the analysis stopping is this plus the longest single step: one file
   * parsed or one handler followed. Short, because the protocol library reads each message and writes each
   * reply in a turn of its own (`setImmediate`): an edit answered by the first look while the folder loads
   * waits about three slices (gen-1000: edits during the load 100–250 ms with 20 ms slices, 45–90 ms with 5).
   */
  sliceMs?: number;
  /**
   * Background work (the editor's load of a folder): between slices it also waits while {@link foreground} work
   * is in flight, so that an edit's answer does not queue behind load slices at each of its hops.
   */
  background?: boolean;
}

/**
 * Longest background work is held, in milliseconds: by one hold whose owner never leaves, and by a chain of
 * holds, each entered before the last left (an edit made while the previous one is still analysed). So typing
 * without a pause cannot stop the folder's load for long. An edit's first look takes 15–50 ms at 1,000 files;
 * 250 leaves it five times that.
 */
const MAX_HOLD_MS = 250;

/**
 * Interactive work in flight on this thread (an edit waiting for its diagnostics). Background slices
 * ({@link SliceOptions.background}) wait until none is left, or until it has been held {@link MAX_HOLD_MS}
 * without a break. The event loop has one thread: while the folder loads in 5 ms slices, an edit's answer crosses
 * three or four turns (the message read, its dispatch, the quiet-period timer, the reply's write) and met a
 * slice at each, 20–35 ms of its 50–80 ms at 1,000 files.
 */
export class Foreground {
  private holds = 0;
  /** When the holds last went from none to one (`performance.now()`, milliseconds). */
  private heldSince = 0;
  private waiters: (() => void)[] = [];

  /** Holds background work until the returned function is called (once is enough; later calls do nothing), or {@link MAX_HOLD_MS} passed. */
  enter(): () => void {
    if (this.holds++ === 0) this.heldSince = performance.now();
    let held = true;
    const leave = (): void => {
      if (!held) return;
      held = false;
      clearTimeout(timer);
      if (--this.holds > 0) return;
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    };
    const timer = setTimeout(leave, MAX_HOLD_MS);
    return leave;
  }

  /** Whether interactive work holds background work now. */
  get held(): boolean {
    return this.holds > 0 && performance.now() - this.heldSince < MAX_HOLD_MS;
  }

  /**
   * Resolves when no interactive work is in flight (at once when none is), or once the holds have lasted
   * {@link MAX_HOLD_MS} without a break.
   */
  async idle(): Promise<void> {
    while (this.held) {
      const left = MAX_HOLD_MS - (performance.now() - this.heldSince);
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }
}

/** The thread's interactive work, which the language server's session enters for each edit. */
export const foreground = new Foreground();

/**
 * Runs a step generator in slices of about `sliceMs`, yielding to the event loop (`setImmediate`) between
 * slices and checking the token after each turn. Resolves with the generator's result; rejects with
 * `CancelledError` when the token is cancelled, and with whatever the generator throws.
 */
export async function runSliced<T>(steps: Generator<AnalysisStep, T>, options: SliceOptions = {}): Promise<T> {
  const sliceMs = options.sliceMs ?? 5;
  let sliceStart = performance.now();
  let last: AnalysisStep | undefined;
  for (;;) {
    const next = steps.next();
    if (next.done) {
      if (last) options.onStep?.(last);
      return next.value;
    }
    last = next.value;
    if (performance.now() - sliceStart < sliceMs) continue;
    options.onStep?.(last);
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (options.background) await foreground.idle();
    throwIfCancelled(options.token);
    sliceStart = performance.now();
  }
}
