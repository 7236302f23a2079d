/**
 * Runs a CommonJS bundle with a V8 code cache, so that later runs skip compiling it. Compiling the CLI's
 * 12 MB bundle is about a third of a second of every run (`node --cpu-prof`: `wrapSafe`), more than the
 * whole analysis of a small project. Node 22.1+ offers `module.enableCompileCache()` for this; Node 20,
 * which the engine supports, does not.
 *
 * The cache lives in the user's cache folder (env-paths: `~/.cache/looplens-nodejs` on Linux,
 * `~/Library/Caches/looplens-nodejs` on macOS, `%LOCALAPPDATA%\looplens-nodejs\Cache` on Windows), not in the
 * shared temp folder: V8 runs the bytecode it finds there once the header fits, so another local user must not
 * be able to write it. One file per bundle, keyed by the bundle's path, size and modification time and by the
 * Node version and architecture; V8 checks its flags and the source length and rejects a cache that does not
 * fit, which is then rewritten. Writing a cache deletes the caches of earlier builds of the same bundle path
 * and Node version (an update of the extension or the CLI), which are never read again. Any file-system error (no home
 * folder, a read-only or full disk) only means running without a cache.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import envPaths from 'env-paths';

/** 20 hex digits of the SHA-256 of `parts`. */
function digest(parts: readonly (string | number)[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 20);
}

/**
 * The cache file for `bundle` (absolute), or undefined when the bundle cannot be read: named by the bundle's
 * file name, then its path with the Node version and architecture (one install run by two Node versions keeps
 * a cache for each), then the build (`cli-main.js-<install>-<build>.bin`), so that a build's cache can find its
 * predecessors.
 */
function cacheFileFor(bundle: string): string | undefined {
  try {
    const { size, mtimeMs } = statSync(bundle);
    return join(envPaths('looplens').cache, 'code-cache', `${basename(bundle)}-${digest([bundle, process.version, process.arch])}-${digest([size, mtimeMs])}.bin`);
  } catch {
    return undefined;
  }
}

/**
 * Deletes the caches of earlier builds of the same install. Throws on a file-system error other than a file
 * already gone (another process may be pruning too); the caller ignores it, as for any cache write.
 */
function pruneEarlierBuilds(cacheFile: string): void {
  const dir = dirname(cacheFile);
  const prefix = basename(cacheFile).replace(/[0-9a-f]{20}\.bin$/, '');
  for (const name of readdirSync(dir)) {
    if (name.startsWith(prefix) && join(dir, name) !== cacheFile) rmSync(join(dir, name), { force: true });
  }
}

/** After this long a process that is still running writes the cache (a language server may be killed, never exiting). */
const WRITE_AFTER_MS = 20_000;

/**
 * Runs `bundle` (absolute path of a CommonJS file) as `require` would, with `__filename`, `__dirname`,
 * `require` and `module` of its own, compiled from the code cache when one fits. When there was none (or V8
 * rejected it), the cache is written when the process exits or after {@link WRITE_AFTER_MS}, whichever comes
 * first, so that it holds the functions the run compiled. Throws what reading or running the bundle throws.
 */
export function runWithCodeCache(bundle: string): void {
  const cacheFile = cacheFileFor(bundle);
  let cachedData: Buffer | undefined;
  try {
    if (cacheFile) cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // The bundles are ASCII (scripts/build.mjs checks it), so Latin-1 decodes them exactly, and much faster than
  // UTF-8: 12 MB in about 20 ms instead of 90-180 ms.
  const text = readFileSync(bundle, 'latin1');
  const source = text.startsWith('#!') ? text.replace(/^#!.*/, '') : text;
  const script = new Script(Module.wrap(source), { filename: bundle, ...(cachedData ? { cachedData } : {}) });
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      try {
        mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 });
        // Written aside, then renamed: two processes starting at once never read half a cache.
        const partial = `${cacheFile}.${process.pid}`;
        writeFileSync(partial, script.createCachedData());
        renameSync(partial, cacheFile);
        pruneEarlierBuilds(cacheFile);
      } catch {
        // No cache this time; the next run tries again.
      }
    };
    process.once('exit', write);
    setTimeout(write, WRITE_AFTER_MS).unref();
  }
  const module = new Module(bundle);
  module.filename = bundle;
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeRequire, module: Module, filename: string, dirname: string) => void;
  wrapper.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
}
