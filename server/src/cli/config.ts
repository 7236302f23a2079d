/**
 * The CLI's config file: the `looplens` settings (the shape of shared/settings.ts) in `.looplensrc.json`,
 * `.looplensrc`, `looplens.config.json` or the `looplens` key of package.json, found by lilconfig from the
 * audited folder upward to the filesystem root, or named with `--config`. JSON only: nothing from the
 * audited project is executed. Validated by the same code as the editor's settings, but strictly: any
 * problem makes the file unusable, so a typo fails the CI job instead of silently changing what is reported.
 */
import { statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import type { LilconfigResult } from 'lilconfig';
import { CONFIG_NAME, ConfigError, configSearcher } from '../configFile';
import type { LoopLensSettings } from '../../../shared/settings';
import { displayPath } from '../report/paths';
import { toServerSettings, validateSettings } from '../validateSettings';
import { UsageError, oneLine } from './errors';

export { CONFIG_FILES, CONFIG_NAME } from '../configFile';

/** The settings to audit with, and the file they came from (absent: none found, defaults). */
export interface LoadedConfig {
  file?: string;
  settings: LoopLensSettings;
}

export interface LoadConfigOptions {
  /** Folder the search starts from (the audited folder). */
  searchFrom: string;
  /** `--config FILE`, as given; no search when set. */
  configFile?: string;
  /** Folder `configFile` is resolved from, and error paths are shown relative to. */
  cwd: string;
}

/**
 * Finds and validates the config. Throws {@link UsageError} (exit 2) naming the file when `--config` names
 * no file, or a config file is not valid JSON or has a setting of the wrong shape.
 */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  let found: LilconfigResult;
  let file: string | undefined;
  try {
    if (options.configFile !== undefined) {
      file = resolve(options.cwd, options.configFile);
      if (!statSync(file, { throwIfNoEntry: false })?.isFile()) throw new UsageError(`no such config file: ${options.configFile}`);
      found = configSearcher(options.searchFrom, extname(file)).load(file);
    } else {
      found = configSearcher(options.searchFrom).search(options.searchFrom);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // The loaders name the file; anything else (an unreadable file) is said as it comes.
    throw e instanceof ConfigError ? new UsageError(`invalid config ${displayPath(options.cwd, e.file)}: ${e.message}`) : new UsageError(`cannot read config: ${oneLine(e)}`);
  }
  if (!found) return { settings: toServerSettings(undefined) };
  file = found.filepath;
  // lilconfig answers null for a package.json without the key (search passes such files over).
  if (found.config == null && basename(file) === 'package.json') throw new UsageError(`no "${CONFIG_NAME}" key in ${displayPath(options.cwd, file)}`);
  const { settings, problems } = validateSettings(found.isEmpty ? {} : found.config);
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new UsageError(`invalid config ${displayPath(options.cwd, file)}: ${problems[0]}${more}`);
  }
  return { file, settings };
}
