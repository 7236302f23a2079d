import { closeSync, mkdirSync, openSync, statSync, writeSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { displayPath } from '../report/paths';
import { writePieces } from '../report/pieces';
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

/**
 * Writes `text` (a string, or pieces of a report as `reportPieces` gives them, written in batches) to `file`
 * (absolute) as UTF-8, creating its folders. The first piece is taken before the file is opened, so a report
 * that fails to build leaves an existing file as it was. Throws {@link UsageError} naming `shown` when the file
 * cannot be written; an error of the pieces themselves propagates unchanged.
 */
export function writeOutput(file: string, shown: string, text: string | Iterable<string>): void {
  const failure = (e: unknown) => new UsageError(`cannot write ${shown}: ${oneLine(e)}`);
  const pieces = (typeof text === 'string' ? [text] : text)[Symbol.iterator]();
  // A report's pieces are built on the first call (reportPieces): before the file is truncated.
  const first = pieces.next();
  let fd: number;
  try {
    mkdirSync(dirname(file), { recursive: true });
    fd = openSync(file, 'w');
  } catch (e) {
    throw failure(e);
  }
  let error: unknown;
  try {
    writePieces(resume(first, pieces), (batch) => {
      const bytes = Buffer.from(batch, 'utf8');
      try {
        // writeSync may write less than asked (a full disk reports ENOSPC on the next call).
        for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
      } catch (e) {
        throw failure(e);
      }
    });
  } catch (e) {
    error = e;
  }
  try {
    closeSync(fd);
  } catch (e) {
    error ??= failure(e);
  }
  if (error !== undefined) throw error;
}

/** The pieces of an iterator whose first result was already taken. */
function* resume(first: IteratorResult<string>, rest: Iterator<string>): Generator<string> {
  for (let r = first; !r.done; r = rest.next()) yield r.value;
}
