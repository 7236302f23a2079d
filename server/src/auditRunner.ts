/**
 * The host side of the audit worker (./auditWorker.ts): runs each root's audit analysis in a
 * `node:worker_threads` Worker, one job at a time, relays its progress steps, and on Cancel terminates the
 * worker, which V8 interrupts even inside the synchronous TypeScript program build. The main thread only
 * sends jobs and receives results, so it keeps answering edits, hovers and code actions during an audit.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { CancellationToken, Disposable } from 'vscode-languageserver';
import type { FromWorker, ToWorker } from './auditWorker';
import type { EngineSettings } from './engine/settings';
import type { AnalysisStep } from './engine/steps';
import { CancelledError, type AnalysisResult } from './engine/types';

/** One root to analyse. */
export interface AuditJob {
  /** Absolute forward-slash path of the root. */
  root: string;
  settings: EngineSettings;
  /** Unsaved text of the root's open documents: absolute path → text. */
  overlays: [string, string][];
}

/** Options of {@link AuditRunner}. */
export interface AuditRunnerOptions {
  /** V8 limits of the worker's heap (default Node's); a test passes a tiny heap to make the worker die. */
  resourceLimits?: ResourceLimits;
  /** How long an idle worker (and the programs it parsed) is kept, in ms; default {@link IDLE_MS}. */
  idleMs?: number;
  /** Receives a line when the worker starts, stops or writes to its console. */
  log?: (message: string) => void;
}

/** The worker died (uncaught error, out of memory, exit code ≠ 0): the job it ran failed. */
export class AuditWorkerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditWorkerError';
  }
}

/**
 * How long the worker outlives its last job, in ms. The audit view re-runs the audit 1.5 s after each save
 * (client/src/audit.ts), and the worker's parsed programs make those re-runs cost the analysis only, not the
 * program build (8–28 s on @budibase/server). Ending it after two quiet minutes gives back its memory (a
 * program per root, hundreds of MB on a large service) once the user is no longer auditing.
 */
export const IDLE_MS = 120_000;

interface Pending {
  id: number;
  job: AuditJob;
  onStep: (step: AnalysisStep) => void;
  resolve: (result: AnalysisResult) => void;
  reject: (err: Error) => void;
  settled?: boolean;
  cancelListener?: Disposable;
}

/**
 * Starts the worker: dist/auditWorker.js beside the server bundle; when the server runs from its TypeScript
 * sources (the tests, through tsx), the .ts entry loaded through tsx's CommonJS hook.
 */
function startWorker(options: AuditRunnerOptions): Worker {
  const common = options.resourceLimits ? { resourceLimits: options.resourceLimits } : {};
  const bundled = join(__dirname, 'auditWorker.js');
  if (existsSync(bundled)) return new Worker(bundled, common);
  const tsx = createRequire(__filename).resolve('tsx/cjs');
  const source = join(__dirname, 'auditWorker.ts');
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});`, { ...common, eval: true });
}

/**
 * Runs audit jobs in a worker thread. {@link analyze} queues a job; the worker runs one at a time and is kept
 * for {@link IDLE_MS} after the last. Never throws synchronously; never reports a step after a job settled.
 */
export class AuditRunner {
  private worker: Worker | undefined;
  private current: Pending | undefined;
  private readonly queue: Pending[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private nextId = 1;

  constructor(private readonly options: AuditRunnerOptions = {}) {}

  /**
   * Analyses `job.root` in the worker, calling `onStep` with its progress. Resolves with the analysis;
   * rejects with CancelledError as soon as `token` is cancelled (terminating the worker if it was running
   * this job), with AuditWorkerError when the worker dies, and with an Error carrying the worker's stack
   * when the analysis throws.
   */
  analyze(job: AuditJob, token: CancellationToken, onStep: (step: AnalysisStep) => void): Promise<AnalysisResult> {
    if (token.isCancellationRequested) return Promise.reject(new CancelledError());
    return new Promise<AnalysisResult>((resolve, reject) => {
      const pending: Pending = { id: this.nextId++, job, onStep, resolve, reject };
      pending.cancelListener = token.onCancellationRequested(() => this.cancel(pending));
      this.queue.push(pending);
      this.pump();
    });
  }

  /** Drops the worker's workspace of `root` (its project files changed): the next audit loads it again. */
  reload(root: string): void {
    this.worker?.postMessage({ type: 'reload', root } satisfies ToWorker);
  }

  /** Fails every job and ends the worker. */
  dispose(): void {
    for (const p of this.queue.splice(0)) this.settle(p, { error: new CancelledError() });
    if (this.current) this.settle(this.current, { error: new CancelledError() });
    this.stop('the server is shutting down');
  }

  private cancel(p: Pending): void {
    const queued = this.queue.indexOf(p);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(p, { error: new CancelledError() });
    } else if (this.current === p) {
      this.settle(p, { error: new CancelledError() });
      this.stop('audit cancelled');
      this.pump();
    }
  }

  /** Sends the next queued job when the worker is free, starting a worker if there is none. */
  private pump(): void {
    if (this.current) return;
    const next = this.queue.shift();
    if (!next) {
      this.idle();
      return;
    }
    clearTimeout(this.idleTimer);
    this.current = next;
    let worker = this.worker;
    if (!worker) {
      try {
        worker = this.spawn();
      } catch (err) {
        this.settle(next, { error: new AuditWorkerError(`the audit worker could not start: ${err instanceof Error ? err.message : String(err)}`) });
        this.pump();
        return;
      }
    }
    worker.ref();
    const { root, settings, overlays } = next.job;
    worker.postMessage({ type: 'analyze', id: next.id, root, settings, overlays } satisfies ToWorker);
  }

  private spawn(): Worker {
    const worker = startWorker(this.options);
    this.worker = worker;
    const log = this.options.log ?? (() => undefined);
    log('LoopLens: audit worker started');
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'log') {
        log(`LoopLens: audit worker: ${msg.message}`);
        return;
      }
      const p = this.current;
      if (this.worker !== worker || !p || msg.id !== p.id) return;
      if (msg.type === 'step') {
        p.onStep(msg.step);
        return;
      }
      if (msg.type === 'result') this.settle(p, { result: msg.result });
      else this.settle(p, { error: Object.assign(new Error(msg.message), { stack: msg.stack ?? msg.message }) });
      this.pump();
    });
    const died = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      log(`LoopLens: audit worker stopped: ${why}`);
      if (this.current) this.settle(this.current, { error: new AuditWorkerError(`the audit worker stopped: ${why}`) });
      this.pump();
    };
    worker.on('error', (err) => died(err.message));
    worker.on('exit', (code) => died(`exit code ${code}`));
    return worker;
  }

  /** Resolves or rejects a job once; after that its steps and messages are ignored. */
  private settle(p: Pending, outcome: { error: Error } | { result: AnalysisResult }): void {
    if (p.settled) return;
    p.settled = true;
    if (this.current === p) this.current = undefined;
    p.cancelListener?.dispose();
    if ('error' in outcome) p.reject(outcome.error);
    else p.resolve(outcome.result);
  }

  /** No job left: the worker waits {@link IDLE_MS} for the next one, without keeping the process alive. */
  private idle(): void {
    const worker = this.worker;
    if (!worker) return;
    worker.unref();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stop('idle'), this.options.idleMs ?? IDLE_MS);
    this.idleTimer.unref();
  }

  /** Terminates the worker (V8 stops it wherever it is) and logs when its thread is gone. */
  private stop(why: string): void {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    const from = performance.now();
    worker.once('exit', () => this.options.log?.(`LoopLens: audit worker stopped (${why}) ${Math.round(performance.now() - from)} ms after terminate`));
    worker.terminate().catch(() => undefined);
  }
}
