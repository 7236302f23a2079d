/**
 * The CLI's config file: the `looplens` settings (the shape of shared/settings.ts) in `.looplensrc.json`,
 * `.looplensrc`, `looplens.config.json` or the `looplens` key of package.json, found by lilconfig from the
 * audited folder upward to the filesystem root, or named with `--config`. JSON only: nothing from the
 * audited project is executed. Validated by the same code as the editor's settings, but strictly: any
 * problem makes the file unusable, so a typo fails the CI job instead of silently changing what is reported.
 */
import { statSync } from 'node:fs';
import { basename, extname, parse, resolve } from 'node:path';
import { lilconfigSync, type LilconfigResult, type LoaderSync } from 'lilconfig';
import type { LoopLensSettings } from '../../../shared/settings';
import { displayPath } from '../report/paths';
import { toServerSettings, validateSettings } from '../validateSettings';
import { UsageError, oneLine } from './errors';

/** The name lilconfig searches for (also the package.json key). */
export const CONFIG_NAME = 'looplens';

/** Where the config is looked for in each folder, in this order; the first that exists (with content) wins. */
export const CONFIG_FILES = ['.looplensrc.json', '.looplensrc', 'looplens.config.json', 'package.json'] as const;

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
      found = searcher(options.searchFrom, extname(file)).load(file);
    } else {
      found = searcher(options.searchFrom).search(options.searchFrom);
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

/** A config file that is not valid JSON. */
class ConfigError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

/** Parses JSON (a leading BOM allowed), throwing a {@link ConfigError} that names the file. */
const jsonLoader: LoaderSync = (file, content) => {
  try {
    return JSON.parse(content.replace(/^\uFEFF/, '')) as unknown;
  } catch (e) {
    throw new ConfigError(file, oneLine(e));
  }
};

/** A lilconfig searcher over {@link CONFIG_FILES}, stopping at the filesystem root; `ext` adds a loader for `--config`. */
function searcher(from: string, ext = '.json') {
  return lilconfigSync(CONFIG_NAME, {
    searchPlaces: [...CONFIG_FILES],
    stopDir: parse(resolve(from)).root,
    cache: false,
    loaders: { '.json': jsonLoader, noExt: jsonLoader, [ext || 'noExt']: jsonLoader },
  });
}
