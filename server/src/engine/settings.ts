import type { Severity } from './types';

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
  /** Yield to the event loop every N iterations in the partitioning fix. */
  yieldEvery: number;
  /** Per-rule severity overrides by rule id or family (`blocking-cpu`); `off` silences the rule. */
  severities: Record<string, Severity>;
  /** Glob patterns (relative to the analysed root) of files to report on; empty means all. */
  include: string[];
  /** Glob patterns of files never analysed. */
  exclude: string[];
}

export const DEFAULT_SETTINGS: EngineSettings = {
  concurrencyIo: 8,
  yieldEvery: 1000,
  severities: {},
  include: [],
  exclude: ['**/node_modules/**', '**/dist/**', '**/build/**', '**/out/**', '**/coverage/**', '**/*.d.ts'],
};

/** Fills missing fields of partial settings from {@link DEFAULT_SETTINGS}. */
export function resolveSettings(partial: Partial<EngineSettings> | undefined): EngineSettings {
  return { ...DEFAULT_SETTINGS, ...(partial ?? {}) };
}
