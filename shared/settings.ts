/**
 * The `looplens.*` settings as the client contributes them and the server reads them
 * (`workspace/configuration`, section `looplens`, per workspace folder).
 */
export interface LoopLensSettings {
  /** Default concurrency limit for the fan-out quick fix. */
  concurrency: { io: number };
  /** Yield to the event loop every N iterations in the partitioning quick fix. */
  yieldEvery: number;
  /** Severity per rule id or family: `error` | `warning` | `info` | `off`. */
  severity: Record<string, 'error' | 'warning' | 'info' | 'off'>;
  /** Globs of files to report on (empty: all). */
  include: string[];
  /** Globs of files never analysed. */
  exclude: string[];
}
