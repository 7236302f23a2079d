/**
 * The `looplens` settings as the server reads them, per scope (a workspace folder, or the folder of a file
 * outside every workspace folder): the config file found from the scope's folder upward (./configFile.ts),
 * then the editor's settings from `workspace/configuration`, cached until `didChangeConfiguration` or a
 * watched config file changes.
 */
import type { Connection } from 'vscode-languageserver';
import { findConfigFile } from './configFile';
import { toServerSettings, validateSettings } from './validateSettings';
import { DEFAULT_CPU_CONCURRENCY, resolveSettings, type EngineSettings } from './engine/settings';
import { uriToPath } from './uri';
import type { LoopLensSettings } from '../../shared/settings';

/** The configuration section the server asks for. */
export const SETTINGS_SECTION = 'looplens';

/** Maps the settings shape of the editor and the config file onto the engine's. */
export function toEngineSettings(s: LoopLensSettings): EngineSettings {
  return resolveSettings({
    concurrencyIo: s.concurrency.io,
    concurrencyThreadpool: s.concurrency.threadpool,
    concurrencyCpu: s.concurrency.cpu ?? DEFAULT_CPU_CONCURRENCY,
    yieldEvery: s.yieldEvery,
    workerPool: s.fixes.workerPool,
    severities: s.severity,
    include: s.include,
    exclude: s.exclude,
    handlerCalls: s.handlers,
    cpuHeavy: s.cpuHeavy,
    limiters: s.limiters,
    smallCollections: s.smallCollections,
  });
}

/** Keys whose values are objects merged key by key across layers; every other key is replaced whole. */
const MERGED_KEYS = new Set(['concurrency', 'fixes', 'severity']);

/**
 * Layers raw settings objects, later ones winning: `layerSettings(configFile, editor)` gives
 * defaults < config file < editor settings once validated. `concurrency`, `fixes` and `severity` merge per key (an
 * editor `severity: { "blocking-cpu": "error" }` keeps the file's other severities); arrays and numbers replace.
 * A layer that is not an object is skipped. Pure.
 */
export function layerSettings(...layers: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!isRecord(layer)) continue;
    for (const [key, value] of Object.entries(layer)) {
      const below = out[key];
      out[key] = MERGED_KEYS.has(key) && isRecord(below) && isRecord(value) ? { ...below, ...value } : value;
    }
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads and caches settings per scope URI: the config file at or above the scope's folder, overridden by what
 * the client answers for `workspace/configuration` (the LoopLens client sends only the keys the user set, so
 * an untouched setting does not hide the file's value). When the client cannot answer, the config file alone
 * is used. Malformed values (a string where a number belongs, unknown severities) are replaced by defaults and
 * a config file's problems are logged; a failed request is logged, not cached, and never throws.
 */
export class SettingsCache {
  private readonly cache = new Map<string, Promise<EngineSettings>>();

  constructor(
    private readonly connection: Connection,
    private readonly clientCanAnswer: () => boolean,
  ) {}

  /** The engine settings for a scope (a folder or file URI). */
  get(scopeUri: string): Promise<EngineSettings> {
    let pending = this.cache.get(scopeUri);
    if (!pending) {
      pending = this.read(scopeUri);
      this.cache.set(scopeUri, pending);
    }
    return pending;
  }

  /** Forgets every cached scope; the next {@link get} reads the config files and asks the client again. */
  clear(): void {
    this.cache.clear();
  }

  private async read(scopeUri: string): Promise<EngineSettings> {
    const folder = uriToPath(scopeUri);
    const fromFile = folder === undefined ? undefined : this.configFile(folder);
    let fromEditor: unknown;
    if (this.clientCanAnswer()) {
      try {
        fromEditor = await this.connection.workspace.getConfiguration({ scopeUri, section: SETTINGS_SECTION });
      } catch (err) {
        this.cache.delete(scopeUri);
        this.connection.console.error(`LoopLens: reading settings for ${scopeUri} failed: ${String(err)}`);
      }
    }
    return toEngineSettings(toServerSettings(layerSettings(fromFile, fromEditor)));
  }

  /** The raw settings of the config file for `folder`, logging why a file is unusable or partly wrong. */
  private configFile(folder: string): unknown {
    const found = findConfigFile(folder);
    if (found.error !== undefined) {
      this.connection.console.error(`LoopLens: config file ${found.file ?? ''} ignored: ${found.error}`);
      return undefined;
    }
    if (found.file === undefined) return undefined;
    const { problems } = validateSettings(found.raw);
    if (problems.length > 0) this.connection.console.warn(`LoopLens: ${found.file}: ${problems.join('; ')} (defaults used for those values)`);
    else this.connection.console.log(`LoopLens: settings for ${folder} from ${found.file}`);
    return found.raw;
  }
}
