/**
 * The `looplens` settings as the server reads them: per scope (a workspace folder, or the folder of a file
 * outside every workspace folder) with `workspace/configuration`, cached until `didChangeConfiguration`.
 */
import type { Connection } from 'vscode-languageserver';
import { toServerSettings } from './validateSettings';
import { resolveSettings, type EngineSettings } from './engine/settings';
import type { LoopLensSettings } from '../../shared/settings';

/** The configuration section the server asks for. */
export const SETTINGS_SECTION = 'looplens';

/** Maps the settings shape of the editor and the CLI's config file onto the engine's. */
export function toEngineSettings(s: LoopLensSettings): EngineSettings {
  return resolveSettings({
    concurrencyIo: s.concurrency.io,
    yieldEvery: s.yieldEvery,
    severities: s.severity,
    include: s.include,
    exclude: s.exclude,
    handlerCalls: s.handlers,
    cpuHeavy: s.cpuHeavy,
    limiters: s.limiters,
    smallCollections: s.smallCollections,
  });
}

/**
 * Reads and caches settings per scope URI. When the client cannot answer `workspace/configuration` the
 * defaults are used. Malformed values (a string where a number belongs, unknown severities) are replaced
 * by defaults; a failed request is logged and answered with defaults, not cached, and never throws.
 */
export class SettingsCache {
  private readonly cache = new Map<string, Promise<EngineSettings>>();

  constructor(
    private readonly connection: Connection,
    private readonly clientCanAnswer: () => boolean,
  ) {}

  /** The engine settings for a scope (a folder or file URI). */
  get(scopeUri: string): Promise<EngineSettings> {
    if (!this.clientCanAnswer()) return Promise.resolve(toEngineSettings(toServerSettings(undefined)));
    let pending = this.cache.get(scopeUri);
    if (!pending) {
      pending = this.connection.workspace
        .getConfiguration({ scopeUri, section: SETTINGS_SECTION })
        .then((raw: unknown) => toEngineSettings(toServerSettings(raw)))
        .catch((err: unknown) => {
          this.cache.delete(scopeUri);
          this.connection.console.error(`LoopLens: reading settings for ${scopeUri} failed: ${String(err)}`);
          return toEngineSettings(toServerSettings(undefined));
        });
      this.cache.set(scopeUri, pending);
    }
    return pending;
  }

  /** Forgets every cached scope; the next {@link get} asks the client again. */
  clear(): void {
    this.cache.clear();
  }
}
