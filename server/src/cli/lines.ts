import { readFileSync } from 'node:fs';

/**
 * A reader of 0-based lines of files on disk, caching each file's lines. Returns `undefined` for a file that
 * cannot be read or a line past its end.
 */
export function lineReader(): (file: string, line: number) => string | undefined {
  const cache = new Map<string, string[] | undefined>();
  return (file, line) => {
    if (!cache.has(file)) {
      try {
        cache.set(file, readFileSync(file, 'utf8').split(/\r?\n/));
      } catch {
        cache.set(file, undefined);
      }
    }
    return cache.get(file)?.[line];
  };
}
