import { availableParallelism } from 'node:os';
import type { BoundClass, Severity } from './types';

/**
 * What the user can tune. The editor reads these from `looplens.*` settings, the CLI from its flags;
 * both pass them to the engine unchanged.
 */
export interface EngineSettings {
  /**
   * Default concurrency limit for I/O fan-out fixes when nothing more specific is known (a count of
   * operations in flight). 8 follows p-limit's README examples of a small fixed bound and keeps well under
   * common DB pool sizes (pg's default `max` is 10).
   */
  concurrencyIo: number;
  /**
   * Concurrency limit for fan-outs whose operations wait on libuv's thread pool (async `fs`, `crypto.pbkdf2`,
   * `zlib`, `dns.lookup`). 4 is the pool's size unless `UV_THREADPOOL_SIZE` says otherwise
   * (https://docs.libuv.org/en/v1.x/threadpool.html): more in flight only queue.
   */
  concurrencyThreadpool: number;
  /**
   * Size of a worker pool for CPU-bound work (threads). Default: one less than `os.availableParallelism()`,
   * at least 1, so the event loop's own thread keeps a core (Node.js, "Don't Block the Event Loop": offload to
   * a pool of k workers for k cores; https://nodejs.org/en/learn/asynchronous-work/dont-block-the-event-loop).
   */
  concurrencyCpu: number;
  /** Yield to the event loop every N iterations in the partitioning fix. */
  yieldEvery: number;
  /**
   * What the worker offload quick fix runs the moved function on (`looplens.fixes.workerPool`): a module-level
   * piscina pool (reuses threads, needs the dependency), or dependency-free `node:worker_threads` with one
   * Worker per call (for projects that cannot add packages; each call pays a thread's start-up).
   */
  workerPool: WorkerPoolKind;
  /** Per-rule severity overrides by rule id or family (`blocking-cpu`); `off` silences the rule. */
  severities: Record<string, Severity>;
  /** Glob patterns (relative to the analysed root) of files to report on; empty means all. */
  include: string[];
  /** Glob patterns of files never analysed. */
  exclude: string[];
  /**
   * Calls that register handlers of a framework the engine does not know. A pattern names the called function
   * (`registerJob`) or a method on a receiver (`bot.command`, `*.subscribe`); the last function argument of a
   * matching call is the handler.
   */
  handlerCalls: string[];
  /**
   * Functions to treat as CPU-heavy (reported as `blocking-cpu/sync-call` where a handler calls them):
   * `renderPdf`, `sharp.resize`, or `package#name` (`xlsx#read`).
   */
  cpuHeavy: string[];
  /** Functions that bound concurrency like p-limit: a fan-out whose calls go through them is not reported. */
  limiters: string[];
  /**
   * Collections known to be small, as patterns over their source text (`*.columns`, `config.*`, `ROLES`):
   * loops and fan-outs over them count as fixed-size.
   */
  smallCollections: string[];
}

/** The worker offload fix's variants: see {@link EngineSettings.workerPool}. */
export const WORKER_POOL_KINDS = ['piscina', 'worker_threads'] as const;
export type WorkerPoolKind = (typeof WORKER_POOL_KINDS)[number];

/** The default worker-pool size on this machine: one core left for the event loop, at least 1. */
export const DEFAULT_CPU_CONCURRENCY = Math.max(1, availableParallelism() - 1);

export const DEFAULT_SETTINGS: EngineSettings = {
  concurrencyIo: 8,
  concurrencyThreadpool: 4,
  concurrencyCpu: DEFAULT_CPU_CONCURRENCY,
  yieldEvery: 1000,
  workerPool: 'piscina',
  severities: {},
  include: [],
  exclude: ['**/node_modules/**', '**/dist/**', '**/build/**', '**/out/**', '**/coverage/**', '**/*.d.ts'],
  handlerCalls: [],
  cpuHeavy: [],
  limiters: [],
  smallCollections: [],
};

/** Fills missing fields of partial settings from {@link DEFAULT_SETTINGS}. */
export function resolveSettings(partial: Partial<EngineSettings> | undefined): EngineSettings {
  return { ...DEFAULT_SETTINGS, ...(partial ?? {}) };
}

/** The bound classes that have a concurrency limit. */
export type LimitedBound = Extract<BoundClass, 'io' | 'threadpool' | 'cpu'>;

/**
 * The configured concurrency limit for work of a bound class (`concurrency.io`, `.threadpool`, `.cpu`):
 * what a fix should write into `pLimit(n)` or a worker pool's size.
 */
export function concurrencyFor(settings: EngineSettings, bound: LimitedBound): number {
  return bound === 'io' ? settings.concurrencyIo : bound === 'threadpool' ? settings.concurrencyThreadpool : settings.concurrencyCpu;
}
