import { isAbsolute, posix, relative } from 'node:path';

/** Turns a path into forward-slash form (engine paths already are; OS paths from argv may not be). */
export function toSlash(path: string): string {
  return path.replace(/\\/g, '/');
}

/**
 * `file` relative to `base` with forward slashes, or `undefined` when `file` is not inside `base`.
 * Both are absolute paths. `base` itself gives `''`.
 */
export function relativeInside(base: string, file: string): string | undefined {
  const rel = toSlash(relative(base, file));
  if (rel === '') return '';
  if (rel === '..' || rel.startsWith('../') || isAbsolute(rel)) return undefined;
  return rel;
}

/** `file` as shown to people: relative to `base` when inside it, else relative with `../`, forward slashes. */
export function displayPath(base: string, file: string): string {
  const inside = relativeInside(base, file);
  if (inside !== undefined) return inside === '' ? '.' : inside;
  return posix.normalize(toSlash(relative(base, file)));
}
