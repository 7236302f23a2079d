/**
 * Finding and parsing the LoopLens config file, for the CLI (./cli/config.ts, strict) and the language server
 * (./settings.ts, lenient): `.looplensrc.json`, `.looplensrc`, `looplens.config.json` or the `looplens` key of
 * package.json, searched by lilconfig from a folder upward to the filesystem root. JSON only, so nothing from
 * the project is executed (which is what lets the editor run in untrusted workspaces).
 */
import { parse, resolve } from 'node:path';
import { lilconfigSync, type LoaderSync } from 'lilconfig';
import { oneLine } from './cli/errors';

/** The name lilconfig searches for (also the package.json key). */
export const CONFIG_NAME = 'looplens';

/** Where the config is looked for in each folder, in this order; the first that exists (with content) wins. */
export const CONFIG_FILES = ['.looplensrc.json', '.looplensrc', 'looplens.config.json', 'package.json'] as const;

/** A config file that is not valid JSON. */
export class ConfigError extends Error {
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

/**
 * A lilconfig searcher over {@link CONFIG_FILES}, stopping at the filesystem root, without a cache (files change
 * under an editor); `ext` adds a loader for a named file's extension. Its `search`/`load` throw
 * {@link ConfigError} for invalid JSON and the file system's errors for unreadable files.
 */
export function configSearcher(from: string, ext = '.json') {
  return lilconfigSync(CONFIG_NAME, {
    searchPlaces: [...CONFIG_FILES],
    stopDir: parse(resolve(from)).root,
    cache: false,
    loaders: { '.json': jsonLoader, noExt: jsonLoader, [ext || 'noExt']: jsonLoader },
  });
}

/** What {@link findConfigFile} found: the file (absent: none), its raw settings object, or why it is unusable. */
export interface FoundConfig {
  file?: string;
  raw?: unknown;
  /** Set when the file exists but cannot be read or parsed. */
  error?: string;
}

/**
 * The first config file at or above `folder` and its parsed content, never throwing: an unreadable or invalid
 * file is returned with `error` (the editor logs it and goes on with defaults).
 */
export function findConfigFile(folder: string): FoundConfig {
  try {
    const found = configSearcher(folder).search(folder);
    if (!found) return {};
    return { file: found.filepath, raw: found.isEmpty ? {} : found.config };
  } catch (e) {
    return e instanceof ConfigError ? { file: e.file, error: e.message } : { error: oneLine(e) };
  }
}
