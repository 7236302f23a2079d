import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, parse, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { ts } from 'ts-morph';
import { toSlash } from '../report/paths';
import { UsageError } from './errors';

/** Paths analysed together by one engine Workspace. All paths absolute with forward slashes. */
export interface ProjectGroup {
  /** The project folder: nearest ancestor with tsconfig.json or package.json, or the `--tsconfig` folder. */
  root: string;
  /** The tsconfig given with `--tsconfig`, if any. */
  tsconfig?: string;
  /** Files and folders to report on, none inside another. */
  paths: string[];
}

/** What to audit: the audited folder reports are relative to, and one group per project. */
export interface Targets {
  /** Nearest folder containing every path (for a single file, its folder). */
  base: string;
  groups: ProjectGroup[];
}

const MARKERS = ['tsconfig.json', 'package.json'];

/** Nearest folder at or above `dir` holding tsconfig.json or package.json; `dir` itself when none does. */
export function findProjectRoot(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (MARKERS.some((m) => existsSync(join(d, m)))) return d;
    if (d === parse(d).root) return dir;
  }
}

/** Nearest folder containing all `paths` (absolute); a file counts as its folder. */
export function commonFolder(paths: readonly string[]): string {
  const dirs = paths.map((p) => (isDirectory(p) ? p : dirname(p)));
  let common = dirs[0]!;
  for (const d of dirs.slice(1)) while (!isWithin(common, d)) common = dirname(common);
  return common;
}

function isDirectory(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** Whether `p` is `folder` or below it. */
function isWithin(folder: string, p: string): boolean {
  return p === folder || p.startsWith(folder.endsWith('/') ? folder : folder + '/');
}

/** Canonical absolute path of an existing, readable file or folder; throws {@link UsageError} otherwise. */
function checkedPath(abs: string, shown: string): string {
  if (!existsSync(abs)) throw new UsageError(`no such file or directory: ${shown}`);
  const dir = isDirectory(abs);
  try {
    accessSync(abs, dir ? constants.R_OK | constants.X_OK : constants.R_OK);
  } catch {
    throw new UsageError(`cannot read ${dir ? 'directory' : 'file'}: ${shown}`);
  }
  return toSlash(realpathSync.native(abs));
}

/**
 * Expands the audit's path arguments: each is an existing file or folder, or (when no such path exists) a
 * glob pattern matched from `cwd`. No arguments means `cwd`. Returns absolute canonical paths, forward
 * slashes, without repeats. Throws {@link UsageError} for a missing or unreadable path or a pattern that
 * matches nothing.
 */
export async function expandPaths(args: readonly string[], cwd: string): Promise<string[]> {
  const out = new Set<string>();
  for (const arg of args.length > 0 ? args : ['.']) {
    const abs = resolve(cwd, arg);
    if (!existsSync(abs) && isDynamicPattern(arg)) {
      const matches = await glob(arg, { cwd, absolute: true, ignore: ['**/node_modules/**'] });
      if (matches.length === 0) throw new UsageError(`no files match ${arg}`);
      for (const m of matches.sort()) out.add(checkedPath(m, m));
    } else {
      out.add(checkedPath(abs, arg));
    }
  }
  return [...out];
}

/**
 * Groups absolute paths into projects. With `tsconfig` (resolved from `cwd`, a file or a folder holding one; it
 * must exist and parse, else
 * {@link UsageError}) every path goes into one group rooted at its folder; otherwise each path goes to the
 * nearest project root above it. Paths inside another path of the same group are dropped.
 */
export function groupByProject(paths: readonly string[], cwd: string, tsconfig?: string): Targets {
  const base = commonFolder(paths);
  if (tsconfig !== undefined) {
    let file = resolve(cwd, tsconfig);
    // Like `tsc -p`, a folder means its tsconfig.json.
    if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) file = join(file, 'tsconfig.json');
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) throw new UsageError(`no such tsconfig file: ${tsconfig}`);
    const real = checkedPath(file, tsconfig);
    // A tsconfig the user names must parse; only one found by search falls back to defaults.
    const parsed = ts.readConfigFile(real, ts.sys.readFile);
    if (parsed.error) throw new UsageError(`tsconfig ${tsconfig} does not parse: ${ts.flattenDiagnosticMessageText(parsed.error.messageText, ' ')}`);
    return { base, groups: [{ root: dirname(real), tsconfig: real, paths: outermost(paths) }] };
  }
  const byRoot = new Map<string, string[]>();
  for (const p of paths) {
    const root = toSlash(findProjectRoot(isDirectory(p) ? p : dirname(p)));
    byRoot.set(root, [...(byRoot.get(root) ?? []), p]);
  }
  const groups = [...byRoot].map(([root, ps]) => ({ root, paths: outermost(ps) }));
  return { base, groups: groups.sort((a, b) => a.root.localeCompare(b.root)) };
}

/** The paths not inside another of the paths. */
function outermost(paths: readonly string[]): string[] {
  return paths.filter((p) => !paths.some((q) => q !== p && isWithin(q, p)));
}

/**
 * The repository root of `dir` (absolute): the nearest folder at or above it holding `.git` (a folder, or the
 * file of a git worktree), else `dir` itself. SARIF URIs and baseline paths are relative to it, as GitHub code
 * scanning resolves them against the checkout.
 */
export function findRepoRoot(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (d === parse(d).root) return dir;
  }
}
