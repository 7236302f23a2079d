import { mkdirSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { displayPath } from '../report/paths';
import { UsageError, oneLine } from './errors';

/** `stat` of a path, or `undefined` when there is nothing there (or a file stands where a folder should). */
function statOrNothing(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Fails early, before a long analysis, when `file` (absolute) can plainly not be written: it is a folder, or
 * the nearest existing path above it is a file. Throws {@link UsageError} naming `shown` and paths relative to
 * `cwd`. Permissions are left to the write itself.
 */
export function checkWritable(file: string, shown: string, cwd: string): void {
  if (statOrNothing(file)?.isDirectory()) throw new UsageError(`cannot write ${shown}: it is a directory`);
  for (let d = dirname(file); d !== dirname(d); d = dirname(d)) {
    const s = statOrNothing(d);
    if (!s) continue;
    if (!s.isDirectory()) throw new UsageError(`cannot write ${shown}: ${displayPath(cwd, d)} is not a directory`);
    return;
  }
}

/** Writes `text` to `file` (absolute), creating its folders. Throws {@link UsageError} naming `shown` on failure. */
export function writeOutput(file: string, shown: string, text: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  } catch (e) {
    throw new UsageError(`cannot write ${shown}: ${oneLine(e)}`);
  }
}
