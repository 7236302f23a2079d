/**
 * The LoopLens settings: the `looplens.*` settings as the client contributes them and the server reads them
 * (`workspace/configuration`, section `looplens`, per workspace folder), and the same shape in the config
 * file (`.looplensrc.json`, `.looplensrc`, `looplens.config.json`, or `looplens` in package.json) that the CLI
 * and the server both read. The client sends only the keys the user set (see client/src/explicitSettings.ts),
 * so the server can apply defaults < config file < editor settings.
 */
export interface LoopLensSettings {
  /**
   * Concurrency limits per bound class, written by the quick fixes: `io` for fan-outs that wait on the network
   * or a database, `threadpool` for ones that wait on libuv's thread pool, `cpu` for a worker pool's size
   * (`null`: one less than the machine's cores).
   */
  concurrency: { io: number; threadpool: number; cpu: number | null };
  /** Yield to the event loop every N iterations in the partitioning quick fix. */
  yieldEvery: number;
  /** Quick fix choices: `workerPool` is what the worker offload fix runs on. */
  fixes: { workerPool: 'piscina' | 'worker_threads' };
  /** Severity per rule id or family: `error` | `warning` | `info` | `off`. */
  severity: Record<string, 'error' | 'warning' | 'info' | 'off'>;
  /** Globs of files to report on (empty: all). */
  include: string[];
  /** Globs of files never analysed. */
  exclude: string[];
  /** Calls that register handlers of frameworks LoopLens does not know: `registerJob`, `bot.command`, `*.subscribe`. */
  handlers: string[];
  /** Functions to treat as CPU-heavy: `renderPdf`, `sharp.resize`, `xlsx#read`. */
  cpuHeavy: string[];
  /** Functions that bound concurrency like p-limit. */
  limiters: string[];
  /** Collections known to be small, as patterns over their source text: `*.columns`, `config.*`, `ROLES`. */
  smallCollections: string[];
}
