/**
 * Loads the TypeScript program for a folder: compiler options from its tsconfig (the nearest one at or above
 * the folder), or defaults with `allowJs` when there is none or it does not parse; source files from the folder
 * only, less those a `.gitignore` ignores (./gitignore.ts). Files that are too large, minified or unreadable are skipped with a reason, never fatal.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { Project, ts } from 'ts-morph';
import { globSync } from 'tinyglobby';
import { normalizePath } from './ast';
import { gitignored } from './gitignore';
import { runSync, type AnalysisStep } from './steps';
import type { SkippedFile } from './types';

/** Files larger than this are skipped as generated or bundled (bytes). */
export const MAX_FILE_BYTES = 1_000_000;
/** A line longer than this marks a minified file (characters). */
const MINIFIED_LINE = 5_000;

export const SOURCE_GLOB = '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}';
const ALWAYS_EXCLUDED = ['**/node_modules/**', '**/.git/**'];

const DEFAULT_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  allowJs: true,
  checkJs: false,
  strict: true,
  esModuleInterop: true,
  skipLibCheck: true,
  experimentalDecorators: true,
  noEmit: true,
};

/** The nearest `tsconfig.json` at or above `dir`, or undefined. */
export function findTsconfig(dir: string): string | undefined {
  for (let d = nodePath.resolve(dir); ; d = nodePath.dirname(d)) {
    const p = nodePath.join(d, 'tsconfig.json');
    if (fs.existsSync(p)) return p;
    if (nodePath.dirname(d) === d) return undefined;
  }
}

/**
 * Where bundled Node typings live when the engine runs from a bundle without node_modules (the .vsix ships
 * `dist/types/node_modules/@types/node` and `undici-types`, copied there by scripts/build.mjs); in the repo,
 * the dev dependency's own folder.
 */
function bundledTypeRoot(): string | undefined {
  const shipped = nodePath.join(__dirname, 'types', 'node_modules', '@types');
  if (fs.existsSync(nodePath.join(shipped, 'node', 'index.d.ts'))) return shipped;
  try {
    return nodePath.dirname(nodePath.dirname(require.resolve('@types/node/package.json')));
  } catch {
    return undefined;
  }
}

/**
 * Makes Node's own typings part of the program. TypeScript 6 no longer includes every `@types` package by
 * default (`types` defaults to `[]`), and without `@types/node` no call can be traced to `node:fs` or
 * `node:crypto`. When the project names no `types`, `node` is added; when the project cannot resolve
 * `@types/node` itself (a plain JavaScript service), the engine's bundled copy is used.
 */
function ensureNodeTypes(project: Project, root: string): void {
  const options = project.compilerOptions.get();
  if (options.types && !options.types.includes('node')) return; // the project chose its ambient types
  const types = [...new Set([...(options.types ?? []), 'node'])];
  const containing = nodePath.join(root, 'tsconfig.json');
  const resolved = ts.resolveTypeReferenceDirective('node', containing, { ...options, types }, ts.sys).resolvedTypeReferenceDirective;
  const fallback = resolved ? undefined : bundledTypeRoot();
  const typeRoots = fallback ? [...(options.typeRoots ?? [nodePath.join(root, 'node_modules', '@types')]), fallback] : options.typeRoots;
  project.compilerOptions.set({ types, ...(typeRoots ? { typeRoots } : {}) });
}

export interface LoadedProject {
  project: Project;
  tsconfig?: string;
  skipped: SkippedFile[];
}

/** Why a file should be skipped instead of analysed, or undefined to analyse it. */
export function skipReason(file: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    return `unreadable: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
  }
  if (!stat.isFile()) return 'not a regular file';
  if (stat.size > MAX_FILE_BYTES) return `larger than ${MAX_FILE_BYTES / 1_000_000} MB (generated or bundled code is not analysed)`;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return `unreadable: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
  }
  if (text.includes('\u0000')) return 'binary content';
  if (text.split('\n', 50).some((l) => l.length > MINIFIED_LINE)) return 'minified (a line longer than 5,000 characters)';
  return undefined;
}

/**
 * Loads a project rooted at `root` (absolute). `exclude` globs (relative to root) keep files out.
 * Never throws for a bad tsconfig: it falls back to defaults and records why in `skipped`.
 */
export function loadProject(root: string, exclude: readonly string[], tsconfig?: string): LoadedProject {
  return runSync(loadProjectSteps(root, exclude, tsconfig));
}

/** {@link loadProject} as steps: yields before each source file is read and parsed (see ./steps). */
export function* loadProjectSteps(root: string, exclude: readonly string[], tsconfig?: string): Generator<AnalysisStep, LoadedProject> {
  const skipped: SkippedFile[] = [];
  const configPath = tsconfig ?? findTsconfig(root);
  let project: Project | undefined;
  if (configPath) {
    try {
      project = new Project({ tsConfigFilePath: configPath, skipAddingFilesFromTsConfig: true });
    } catch (e) {
      skipped.push({ file: normalizePath(configPath), reason: `tsconfig could not be read (${String((e as Error).message).split('\n')[0]}); using default options` });
      project = undefined;
    }
  }
  if (!project) project = new Project({ compilerOptions: DEFAULT_OPTIONS });
  // JavaScript is analysed too, whatever the tsconfig says; nothing is emitted.
  project.compilerOptions.set({ allowJs: true, noEmit: true });
  ensureNodeTypes(project, root);

  // Dot-folders (.git, .next, .turbo, .cache) are never globbed (`dot: false`); .gitignored files are left out.
  const ignored = gitignored(root);
  const files = globSync(SOURCE_GLOB, { cwd: root, absolute: true, ignore: [...ALWAYS_EXCLUDED, ...exclude], followSymbolicLinks: false, dot: false }).filter((f) => !ignored(f));
  for (const [i, file] of files.sort().entries()) {
    yield { phase: 'parse', filesDone: i, files: files.length };
    const reason = skipReason(file);
    if (reason) {
      skipped.push({ file: normalizePath(file), reason });
      continue;
    }
    try {
      project.addSourceFileAtPath(file);
    } catch (e) {
      skipped.push({ file: normalizePath(file), reason: `could not be parsed: ${String((e as Error).message).split('\n')[0]}` });
    }
  }
  return { project, tsconfig: configPath, skipped };
}
