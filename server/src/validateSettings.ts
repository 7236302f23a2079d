import type { LoopLensSettings } from '../../shared/settings';
import { DEFAULT_SETTINGS } from './engine/settings';

/** The severities a `looplens.severity` entry may take. */
const SEVERITIES = new Set(['error', 'warning', 'info', 'off']);

/**
 * Turns whatever VS Code returned for the `looplens` section into a well-formed {@link LoopLensSettings}.
 * VS Code does not enforce the settings schema at runtime (a hand-edited settings.json can hold `0`, a string
 * or a typo'd severity), so this keeps numbers positive integers, drops unknown severities and non-string
 * globs, and fills what is missing from the engine's defaults (the same values package.json contributes).
 * Pure: no `vscode` import, so it is unit-tested directly.
 */
export function toServerSettings(raw: unknown): LoopLensSettings {
  const obj = isRecord(raw) ? raw : {};
  const concurrency = isRecord(obj.concurrency) ? obj.concurrency : {};
  return {
    concurrency: { io: positiveInt(concurrency.io, DEFAULT_SETTINGS.concurrencyIo) },
    yieldEvery: positiveInt(obj.yieldEvery, DEFAULT_SETTINGS.yieldEvery),
    severity: severities(obj.severity),
    include: globs(obj.include) ?? [...DEFAULT_SETTINGS.include],
    exclude: globs(obj.exclude) ?? [...DEFAULT_SETTINGS.exclude],
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function positiveInt(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 1 ? Math.floor(v) : fallback;
}

function severities(v: unknown): LoopLensSettings['severity'] {
  const out: LoopLensSettings['severity'] = {};
  if (!isRecord(v)) return out;
  for (const [key, value] of Object.entries(v)) {
    if (typeof value === 'string' && SEVERITIES.has(value)) out[key] = value as LoopLensSettings['severity'][string];
  }
  return out;
}

function globs(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((g): g is string => typeof g === 'string' && g.length > 0) : undefined;
}
