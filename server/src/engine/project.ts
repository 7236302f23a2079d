/**
 * Loads the TypeScript program for a folder: compiler options from its tsconfig (the nearest one at or above
 * the folder), or defaults with `allowJs` when there is none or it does not parse; source files from the folder
 * only, less those a `.gitignore` ignores (./gitignore.ts). Files that are too large, minified or unreadable are skipped with a reason, never fatal.
 */
import * as fs from 'node:fs';
import { isBuiltin } from 'node:module';
import * as nodePath from 'node:path';
import { RealFileSystemHost } from '@ts-morph/common';
import { Project, ts, type ProjectOptions } from 'ts-morph';
import { Minimatch } from 'minimatch';
import { globSync } from 'tinyglobby';
import { isInside, normalizePath } from './ast';
import { cachedResolution } from './resolution';
import { gitignored } from './gitignore';
import { preloadSteps, tripleSlashDirectives } from './preload';
import { readAsSkeleton } from './skeleton';
import { runSync, type AnalysisStep } from './steps';
import type { SkippedFile } from './types';

/** Files larger than this are skipped as generated or bundled (bytes). */
export const MAX_FILE_BYTES = 1_000_000;
/** A line longer than this marks a minified file (characters). */
const MINIFIED_LINE = 5_000;
/** JavaScript at least this large is checked for mangled names (bytes); below it a parse is short (≤ 30 ms). */
const MANGLED_MIN_BYTES = 100_000;
/**
 * The share of one- and two-character identifiers that marks bundler output whose names were mangled but whose
 * lines were kept (Vite and Rollup chunks: `var t = U(), c = V(t);`). Measured on JavaScript of 100 KB to 1 MB:
 * @budibase/server's built client chunks 0.45–0.73; of 112 files under node_modules (paths without dist, build,
 * min or bundle), the 16 at 0.45 or more are bundles, generated code or data (Vite assets, svelte's compiler,
 * webpack UMD builds, @babel/helpers' generated helpers, mysql2's certificate table), and hand-written ones reach
 * 0.40 at most (moment's locales, full of two-letter codes).
 */
const MANGLED_SHARE = 0.45;
const IDENTIFIER = /(?<![\w$.'"`])[A-Za-z_$][\w$]*/g;
const JAVASCRIPT = /\.(c|m)?jsx?$/i;

/** Whether a JavaScript text is mangled bundler output (see {@link MANGLED_SHARE}). */
function isMangled(text: string): boolean {
  let short = 0;
  let all = 0;
  for (const m of text.matchAll(IDENTIFIER)) {
    all++;
    if (m[0].length <= 2) short++;
  }
  return all > 0 && short / all >= MANGLED_SHARE;
}

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

/**
 * A source file's text (UTF-8, as ts-morph reads it), or why it is skipped: unreadable, not a regular file,
 * larger than {@link MAX_FILE_BYTES}, binary (a NUL character), minified (a line among the first 50 longer
 * than 5,000 characters) or bundled (JavaScript of 100 KB or more with mangled names, see {@link MANGLED_SHARE}).
 * Never throws.
 */
export function readSource(file: string): string | { skip: string } {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    return { skip: `unreadable: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  if (!stat.isFile()) return { skip: 'not a regular file' };
  if (stat.size > MAX_FILE_BYTES) return { skip: `larger than ${MAX_FILE_BYTES / 1_000_000} MB (generated or bundled code is not analysed)` };
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return { skip: `unreadable: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  if (text.includes('\u0000')) return { skip: 'binary content' };
  if (text.split('\n', 50).some((l) => l.length > MINIFIED_LINE)) return { skip: 'minified (a line longer than 5,000 characters)' };
  if (JAVASCRIPT.test(file) && stat.size >= MANGLED_MIN_BYTES && isMangled(text)) {
    return { skip: 'bundled (JavaScript whose names are mostly one or two characters long)' };
  }
  return text;
}

/** A declaration file of a dependency: ts-morph's in-memory lib files are under `/node_modules/typescript/lib` too, but are scripts, which keep their text. */
const DEPENDENCY_DECLARATION = /\/node_modules\/.*\.d\.[cm]?ts$/i;

/**
 * The real file system, with three differences:
 * - a text the loader has just read (to decide whether to skip the file) is handed to ts-morph's next read of
 *   that path instead of being read again. ts-morph's own `createSourceFile(path, text, { overwrite: true })`
 *   would read the file anyway (it loads the existing file before overwriting it) and mark the file unsaved;
 *   through `addSourceFileAtPath` the file stays an on-disk, saved file, so `refreshFromFileSystemSync` behaves
 *   as for any other file;
 * - whether a path exists is remembered, as `tsc` remembers it (`changeCompilerHostLikeToUseCache`): module
 *   resolution probes the same candidate paths from many files (on `@budibase/server` 32,000 stat calls against
 *   `tsc`'s 17,700). {@link forget} drops what was remembered; the project calls it whenever its set of files
 *   changes (./resolution.ts#forgetResolutions), which includes files created or deleted outside the editor
 *   (Workspace.filesCreatedOrDeleted);
 * - a declaration module of a dependency reads as its skeleton (./skeleton.ts), filled when the checker binds it.
 */
class PrereadFileSystem extends RealFileSystemHost {
  private readonly preread = new Map<string, string>();
  private readonly files = new Map<string, boolean>();
  private readonly directories = new Map<string, boolean>();

  /** Adds `file` (absolute) to `project` with `text`, read once by the caller. Throws what ts-morph throws. */
  addWithText(project: Project, file: string, text: string): void {
    const key = normalizePath(file);
    this.preread.set(key, text);
    try {
      project.addSourceFileAtPath(file);
    } finally {
      this.preread.delete(key);
    }
  }

  /** Forgets which paths exist. */
  forget(): void {
    this.files.clear();
    this.directories.clear();
  }

  override readFileSync(filePath: string, encoding?: string): string {
    const path = normalizePath(filePath);
    const text = this.preread.get(path);
    if (text !== undefined) {
      this.preread.delete(path);
      return text;
    }
    const read = super.readFileSync(filePath, encoding);
    return DEPENDENCY_DECLARATION.test(path) ? readAsSkeleton(path, read) : read;
  }

  override fileExistsSync(filePath: string): boolean {
    let yes = this.files.get(filePath);
    if (yes === undefined) this.files.set(filePath, (yes = super.fileExistsSync(filePath)));
    return yes;
  }

  override directoryExistsSync(dirPath: string): boolean {
    let yes = this.directories.get(dirPath);
    if (yes === undefined) this.directories.set(dirPath, (yes = super.directoryExistsSync(dirPath)));
    return yes;
  }
}

/** Each project's file system, for {@link addFile} (every project is made by {@link newProject}). */
const fileSystems = new WeakMap<Project, PrereadFileSystem>();

/** One TypeScript program's worth of files: those whose nearest tsconfig is `tsconfig`. */
export interface ProjectPart {
  project: Project;
  /** The tsconfig whose options it uses; undefined: defaults. */
  tsconfig?: string;
  /** The files this part owns (normalized absolute paths): handlers are discovered in these only. */
  own: Set<string>;
}

export interface LoadedProjects {
  parts: ProjectPart[];
  skipped: SkippedFile[];
}

/** A ts-morph Project on a {@link PrereadFileSystem} with resolutions cached across its programs. Throws what ts-morph throws for a bad tsconfig. */
function newProject(options: Pick<ProjectOptions, 'tsConfigFilePath' | 'skipAddingFilesFromTsConfig' | 'compilerOptions'>): Project {
  const fileSystem = new PrereadFileSystem();
  const resolution = cachedResolution();
  const project = new Project({ ...options, fileSystem, resolutionHost: resolution.factory });
  fileSystems.set(project, fileSystem);
  resolution.attach(project, () => fileSystem.forget());
  return project;
}

/** A Project with a tsconfig's options (defaults with `allowJs` when none or unreadable, recorded in `skipped`). */
function createProject(root: string, configPath: string | undefined, skipped: SkippedFile[]): Project {
  let project: Project | undefined;
  if (configPath) {
    try {
      project = newProject({ tsConfigFilePath: configPath, skipAddingFilesFromTsConfig: true });
    } catch (e) {
      skipped.push({ file: normalizePath(configPath), reason: `tsconfig could not be read (${String((e as Error).message).split('\n')[0]}); using default options` });
      project = undefined;
    }
  }
  project ??= newProject({ compilerOptions: DEFAULT_OPTIONS });
  // JavaScript is analysed too, whatever the tsconfig says; nothing is emitted.
  project.compilerOptions.set({ allowJs: true, noEmit: true });
  // Node's typings resolve from the package the tsconfig belongs to when it is inside the root, else the root.
  const configDir = configPath && normalizePath(nodePath.dirname(configPath));
  ensureNodeTypes(project, configDir && configDir.startsWith(normalizePath(root) + '/') ? configDir : root);
  return project;
}

/**
 * The source files under `root` to analyse, sorted: not excluded, not in dot-folders (`dot: false`), not
 * .gitignored, and when `within` (absolute files or folders) is given, at or under one of them.
 */
export function sourceFiles(root: string, exclude: readonly string[], within?: readonly string[]): string[] {
  // The glob prunes excluded folders as it walks; the filter decides, as it does for a single file.
  const files = globSync(SOURCE_GLOB, { cwd: root, absolute: true, ignore: [...ALWAYS_EXCLUDED, ...exclude], followSymbolicLinks: false, dot: false });
  return files.filter(sourceFileFilter(root, exclude, within)).sort();
}

/** Whether a file (absolute) is at or under one of `within` (absolute files or folders); every file when undefined. */
function withinFilter(within: readonly string[] | undefined): (file: string) => boolean {
  const under = within?.map((p) => normalizePath(nodePath.resolve(p)));
  return (file) => !under || under.some((p) => isInside(normalizePath(file), p));
}

/**
 * A test of whether {@link sourceFiles} of `root` would list a file (absolute): a source extension, under the
 * root and `within` when given, not excluded, not in a dot-folder, not .gitignored. Reads the .gitignore files
 * and compiles the patterns once, when made.
 */
export function sourceFileFilter(root: string, exclude: readonly string[], within?: readonly string[]): (file: string) => boolean {
  const ignored = gitignored(root);
  const wanted = withinFilter(within);
  const source = new Minimatch(SOURCE_GLOB);
  const excluded = [...ALWAYS_EXCLUDED, ...exclude].map((g) => new Minimatch(g, { dot: true }));
  const base = normalizePath(root);
  return (file) => {
    const rel = nodePath.posix.relative(base, normalizePath(file));
    if (rel === '' || rel.startsWith('../') || nodePath.isAbsolute(rel) || rel.split('/').some((segment) => segment.startsWith('.'))) return false;
    if (!wanted(file) || !source.match(rel) || excluded.some((m) => m.match(rel))) return false;
    return !ignored(file);
  };
}

/**
 * Adds a file to a project, or records why it is skipped; true when added. `text`: what {@link readSource}
 * gave the caller for the file (or its unsaved editor text), so it is not read again.
 */
export function addFile(project: Project, file: string, skipped: SkippedFile[], text?: ReturnType<typeof readSource>): boolean {
  const read = text ?? readSource(file);
  if (typeof read !== 'string') {
    skipped.push({ file: normalizePath(file), reason: read.skip });
    return false;
  }
  try {
    fileSystems.get(project)!.addWithText(project, file, read);
    return true;
  } catch (e) {
    skipped.push({ file: normalizePath(file), reason: `could not be parsed: ${String((e as Error).message).split('\n')[0]}` });
    return false;
  }
}

/**
 * Whether a tsconfig is solution-style (`"files": []` with `references`, no `include`): it only lists the
 * packages, so its options describe no file and the files under it are analysed with defaults. Unreadable:
 * false (createProject records why and uses defaults).
 */
function isSolutionStyle(configPath: string): boolean {
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (!config || typeof config !== 'object') return false;
  const c = config as { files?: unknown; include?: unknown; references?: unknown; extends?: unknown };
  return Array.isArray(c.files) && c.files.length === 0 && c.include === undefined && c.extends === undefined && Array.isArray(c.references);
}

/**
 * A small project for a first look at `files` (absolute) before the whole folder is loaded: those files and the
 * project files they import directly, nothing further (`noResolve`: a real package's imports reach most of it),
 * with the options of the tsconfig the full load gives the first file (`tsconfig` when given; defaults below a
 * solution-style one). `texts` (normalized path → text) holds what the caller has already read or the editor's
 * unsaved text; other files are read from disk, each once. Never throws: files that cannot be read or parsed
 * are left out.
 */
export function loadFilesProject(root: string, files: readonly string[], tsconfig?: string, texts: ReadonlyMap<string, string> = new Map()): Project {
  const config = tsconfig ?? (files[0] ? findTsconfig(nodePath.dirname(files[0])) : undefined);
  const project = createProject(root, config && !isSolutionStyle(config) ? config : undefined, []);
  project.compilerOptions.set({ noResolve: true });
  const options = project.getCompilerOptions();
  const read = new Map<string, string | { skip: string }>(texts);
  const textOf = (file: string) => {
    const f = normalizePath(file);
    let text = read.get(f);
    if (text === undefined) read.set(f, (text = readSource(file)));
    return text;
  };
  const roots = new Set(files.map(normalizePath));
  const builtins = new Set<string>();
  for (const file of files) {
    const text = textOf(file);
    for (const { fileName } of typeof text === 'string' ? ts.preProcessFile(text, true, true).importedFiles : []) {
      if (isBuiltin(fileName)) builtins.add(fileName.replace(/^node:/, ''));
      const r = ts.resolveModuleName(fileName, file, options, ts.sys).resolvedModule;
      if (r && !r.isExternalLibraryImport && !r.resolvedFileName.endsWith('.d.ts')) roots.add(normalizePath(r.resolvedFileName));
    }
  }
  for (const file of roots) addFile(project, file, [], textOf(file));
  for (const [file, text] of ambientTypes(options, nodePath.join(root, 'tsconfig.json'), builtins)) addFile(project, file, [], text);
  // The lib files the program takes in besides these, parsed now: its first program then has the roots of the
  // programs after an edit, and the first edit's program reuses it.
  runSync(preloadSteps(project, roots.size));
  return project;
}

/**
 * The declaration files of the `types` packages (`@types/node` …) with the files they reference
 * (`/// <reference path>` and `types`), which `noResolve` would leave out: without them no call is traced to
 * `node:crypto`. Of `@types/node` (2.3 MB, about a third of a first look's time) only the files of the
 * `builtins` the first look's files import are taken, each named after its module (`fs.d.ts` declares
 * `fs` and `node:fs`), and `globals.d.ts`. Returns each file's text by path (files that cannot be read are left out).
 */
function ambientTypes(options: ts.CompilerOptions, containing: string, builtins: ReadonlySet<string>): Map<string, string> {
  const resolveType = (name: string, from: string) => ts.resolveTypeReferenceDirective(name, from, options, ts.sys).resolvedTypeReferenceDirective?.resolvedFileName;
  const queue: (string | undefined)[] = [];
  for (const t of options.types ?? []) {
    const index = resolveType(t, containing);
    if (t !== 'node' || !index) queue.push(index);
    else for (const name of ['globals', ...builtins]) queue.push(nodePath.join(nodePath.dirname(index), `${name}.d.ts`));
  }
  const seen = new Set<string>();
  // Each file's text, read once: the caller parses it from here.
  const texts = new Map<string, string>();
  while (queue.length > 0) {
    const file = queue.pop();
    if (!file || seen.has(file)) continue;
    seen.add(file);
    const text = ts.sys.readFile(file);
    if (text === undefined) continue;
    texts.set(file, text);
    const info = tripleSlashDirectives(text);
    for (const r of info.referencedFiles) queue.push(nodePath.resolve(nodePath.dirname(file), r.fileName));
    for (const t of info.typeReferenceDirectives) queue.push(resolveType(t.fileName, file));
  }
  return texts;
}

/**
 * Loads a project rooted at `root` (absolute) as one program. `exclude` globs (relative to root) keep files out;
 * `within` (absolute files or folders) limits its source files to those under them (see {@link loadProjectsSteps}).
 * Never throws for a bad tsconfig: it falls back to defaults and records why in `skipped`.
 */
export function loadProject(root: string, exclude: readonly string[], tsconfig?: string, within?: readonly string[]): LoadedProject {
  return runSync(loadProjectSteps(root, exclude, tsconfig, within));
}

/** {@link loadProject} as steps: yields before each source file is read and parsed (see ./steps). */
export function* loadProjectSteps(root: string, exclude: readonly string[], tsconfig?: string, within?: readonly string[]): Generator<AnalysisStep, LoadedProject> {
  const skipped: SkippedFile[] = [];
  const configPath = tsconfig ?? findTsconfig(root);
  const project = createProject(root, configPath, skipped);
  const files = sourceFiles(root, exclude, within);
  for (const [i, file] of files.entries()) {
    yield { phase: 'parse', filesDone: i, files: files.length };
    addFile(project, file, skipped);
  }
  return { project, tsconfig: configPath, skipped };
}

/**
 * Loads the folder `root` (absolute) as one program per tsconfig, so that each file is analysed with the
 * compiler options of its nearest `tsconfig.json` (a monorepo's packages, each with its own `paths`, `types` or
 * `jsx`; project references are followed as ordinary imports). Files under no tsconfig of the folder use the
 * nearest one at or above `root`; a solution-style tsconfig (`"files": []`, only `references`) or none at all
 * means defaults. With `tsconfig` given (`--tsconfig`), everything is one program with it. tsconfig files in
 * excluded, .gitignored or dot-folders do not count. With `within` (absolute files or folders), only the source
 * files under them are loaded; a file outside them enters a program only when one of those imports it. Never
 * throws for a bad tsconfig.
 */
export function loadProjects(root: string, exclude: readonly string[], tsconfig?: string, within?: readonly string[]): LoadedProjects {
  return runSync(loadProjectsSteps(root, exclude, tsconfig, within));
}

/** {@link loadProjects} as steps: yields before each source file is read and parsed, over all programs (see ./steps). */
export function* loadProjectsSteps(root: string, exclude: readonly string[], tsconfig?: string, within?: readonly string[]): Generator<AnalysisStep, LoadedProjects> {
  if (tsconfig) {
    const one: LoadedProject = yield* loadProjectSteps(root, exclude, tsconfig, within);
    const own = new Set(one.project.getSourceFiles().map((sf) => normalizePath(sf.getFilePath())));
    return { parts: [{ project: one.project, tsconfig, own }], skipped: one.skipped };
  }
  const skipped: SkippedFile[] = [];
  const normRoot = normalizePath(root);
  const ignored = gitignored(root);
  const configDirs = new Set(
    globSync('**/tsconfig.json', { cwd: root, absolute: true, ignore: [...ALWAYS_EXCLUDED, ...exclude], followSymbolicLinks: false, dot: false })
      .filter((f) => !ignored(f))
      .map((f) => nodePath.posix.dirname(normalizePath(f))),
  );
  const above = findTsconfig(root);
  const top = above && normalizePath(above);
  const solution = new Map<string, boolean>();
  const usable = (config: string | undefined): string | undefined => {
    if (!config) return undefined;
    if (!solution.has(config)) solution.set(config, isSolutionStyle(config));
    return solution.get(config) ? undefined : config;
  };
  /** The tsconfig whose options a file gets: the nearest in the folder, else the one at or above the root. */
  const configOf = (file: string): string | undefined => {
    for (let d = nodePath.posix.dirname(file); d.length > normRoot.length; d = nodePath.posix.dirname(d)) {
      if (configDirs.has(d)) return usable(`${d}/tsconfig.json`);
    }
    return usable(top);
  };
  const files = sourceFiles(root, exclude, within);
  const parts = new Map<string | undefined, ProjectPart>();
  for (const [i, file] of files.entries()) {
    yield { phase: 'parse', filesDone: i, files: files.length };
    const f = normalizePath(file);
    const config = configOf(f);
    let part = parts.get(config);
    if (!part) parts.set(config, (part = { project: createProject(root, config, skipped), ...(config ? { tsconfig: config } : {}), own: new Set() }));
    if (addFile(part.project, file, skipped)) part.own.add(f);
  }
  if (parts.size === 0) {
    const config = usable(top);
    parts.set(config, { project: createProject(root, config, skipped), ...(config ? { tsconfig: config } : {}), own: new Set() });
  }
  return { parts: [...parts.values()], skipped };
}
