import type { LoopLensSettings } from '../../shared/settings';
import { DEFAULT_SETTINGS, WORKER_POOL_KINDS, type WorkerPoolKind } from './engine/settings';
import { RULES } from './engine/rules/all';

/** The severities a `looplens.severity` entry may take. */
const SEVERITIES = ['error', 'warning', 'info', 'off'] as const;

/** The lists of non-empty strings, by key, with their defaults. */
const STRING_LISTS = {
  include: DEFAULT_SETTINGS.include,
  exclude: DEFAULT_SETTINGS.exclude,
  handlers: DEFAULT_SETTINGS.handlerCalls,
  cpuHeavy: DEFAULT_SETTINGS.cpuHeavy,
  limiters: DEFAULT_SETTINGS.limiters,
  smallCollections: DEFAULT_SETTINGS.smallCollections,
} as const satisfies Partial<Record<keyof LoopLensSettings, readonly string[]>>;

/** Keys of `concurrency`: the bound classes with a limit. */
const CONCURRENCY_KEYS = new Set(['io', 'threadpool', 'cpu']);

/** Top-level keys of the settings object; `$schema` is allowed so config files can name their schema. */
/** Keys of `fixes`. */
const FIXES_KEYS = new Set(['workerPool']);

const KEYS = new Set<string>(['$schema', 'concurrency', 'fixes', 'yieldEvery', 'severity', ...Object.keys(STRING_LISTS)]);

/** Well-formed settings, and what was wrong with the input (empty when nothing was). */
export interface ValidatedSettings {
  settings: LoopLensSettings;
  /** One line per problem, naming the key: `severity["blocking-cpu"] must be one of … (got "fatal")`. */
  problems: string[];
}

/**
 * Turns a raw `looplens` settings object (what VS Code returned for the section, or a parsed CLI config file)
 * into well-formed {@link LoopLensSettings}, and lists what was wrong with it. VS Code does not enforce the
 * settings schema at runtime (a hand-edited settings.json can hold `0`, a string or a typo'd severity), so this
 * keeps numbers positive integers, drops unknown severities and anything but non-empty strings from the lists,
 * and fills what is missing from the engine's defaults (the same values package.json contributes). The editor
 * uses the settings and ignores the problems; the CLI refuses a config file that has any.
 * Pure: no `vscode` import, so it is unit-tested directly.
 */
export function validateSettings(raw: unknown): ValidatedSettings {
  const problems: string[] = [];
  if (raw !== undefined && raw !== null && !isRecord(raw)) problems.push(`settings must be an object (got ${shown(raw)})`);
  const obj = isRecord(raw) ? raw : {};
  for (const key of Object.keys(obj)) if (!KEYS.has(key)) problems.push(`unknown key "${key}"`);

  let concurrency: Record<string, unknown> = {};
  if (isRecord(obj.concurrency)) {
    concurrency = obj.concurrency;
    for (const key of Object.keys(concurrency)) if (!CONCURRENCY_KEYS.has(key)) problems.push(`unknown key "concurrency.${key}"`);
  } else if (obj.concurrency !== undefined) {
    problems.push(`concurrency must be an object like { "io": 8 } (got ${shown(obj.concurrency)})`);
  }

  const io = positiveInt('concurrency.io', concurrency.io, DEFAULT_SETTINGS.concurrencyIo, problems);
  const threadpool = positiveInt('concurrency.threadpool', concurrency.threadpool, DEFAULT_SETTINGS.concurrencyThreadpool, problems);
  // null (the default) means "from the machine's cores", resolved where the settings are used.
  const cpu = concurrency.cpu === null ? null : positiveInt('concurrency.cpu', concurrency.cpu, null, problems);
  const yieldEvery = positiveInt('yieldEvery', obj.yieldEvery, DEFAULT_SETTINGS.yieldEvery, problems);
  const workerPool = workerPoolOf(obj.fixes, problems);
  const severity = severities(obj.severity, problems);
  const lists = Object.fromEntries(
    Object.entries(STRING_LISTS).map(([key, fallback]) => [key, strings(key, obj[key], problems) ?? [...fallback]]),
  ) as Record<keyof typeof STRING_LISTS, string[]>;
  return { settings: { concurrency: { io, threadpool, cpu }, yieldEvery, fixes: { workerPool }, severity, ...lists }, problems };
}

/** {@link validateSettings} without the problems: what the editor uses. */
export function toServerSettings(raw: unknown): LoopLensSettings {
  return validateSettings(raw).settings;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value as it appears in a problem line, cut short. */
function shown(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function positiveInt<F extends number | null>(key: string, v: unknown, fallback: F, problems: string[]): number | F {
  if (v === undefined) return fallback;
  const ok = typeof v === 'number' && Number.isFinite(v) && v >= 1;
  if (!ok || !Number.isInteger(v)) problems.push(`${key} must be a positive integer (got ${shown(v)})`);
  return ok ? Math.floor(v) : fallback;
}

/** `fixes.workerPool` from the raw `fixes` object: one of {@link WORKER_POOL_KINDS}, else the default. */
function workerPoolOf(fixes: unknown, problems: string[]): WorkerPoolKind {
  if (fixes === undefined) return DEFAULT_SETTINGS.workerPool;
  if (!isRecord(fixes)) {
    problems.push(`fixes must be an object like { "workerPool": "piscina" } (got ${shown(fixes)})`);
    return DEFAULT_SETTINGS.workerPool;
  }
  for (const key of Object.keys(fixes)) if (!FIXES_KEYS.has(key)) problems.push(`unknown key "fixes.${key}"`);
  const v = fixes.workerPool;
  if (v === undefined) return DEFAULT_SETTINGS.workerPool;
  if (typeof v === 'string' && (WORKER_POOL_KINDS as readonly string[]).includes(v)) return v as WorkerPoolKind;
  problems.push(`fixes.workerPool must be one of ${WORKER_POOL_KINDS.join(', ')} (got ${shown(v)})`);
  return DEFAULT_SETTINGS.workerPool;
}

/** Rule ids and families a severity key may name. */
let severityKeys: Set<string> | undefined;

function severities(v: unknown, problems: string[]): LoopLensSettings['severity'] {
  const out: LoopLensSettings['severity'] = {};
  if (v === undefined) return out;
  if (!isRecord(v)) {
    problems.push(`severity must be an object of rule id or family → severity (got ${shown(v)})`);
    return out;
  }
  severityKeys ??= new Set(RULES.flatMap((r) => [r.id, r.family]));
  for (const [key, value] of Object.entries(v)) {
    if (!severityKeys.has(key)) problems.push(`severity: unknown rule or family "${key}"`);
    if (typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value)) out[key] = value as (typeof SEVERITIES)[number];
    else problems.push(`severity["${key}"] must be one of ${SEVERITIES.join(', ')} (got ${shown(value)})`);
  }
  return out;
}

/** A list of non-empty strings (others dropped, each a problem), or undefined when `v` is not an array. */
function strings(key: string, v: unknown, problems: string[]): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) {
    problems.push(`${key} must be an array of strings (got ${shown(v)})`);
    return undefined;
  }
  const out: string[] = [];
  v.forEach((item: unknown, i) => {
    if (typeof item === 'string' && item.length > 0) out.push(item);
    else problems.push(`${key}[${i}] must be a non-empty string (got ${shown(item)})`);
  });
  return out;
}
