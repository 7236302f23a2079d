/**
 * Parsing, before a project's first program, the files that program will take in besides the project's own:
 * the declaration files of the packages they import (and of those these import), the automatic `@types` and the
 * lib files. `ts.createProgram` would parse them itself, in one call no slice can interrupt (gen-1000: 1.1 s;
 * `@budibase/server`, ~4,000 declaration files: 7.7 s of the folder's first load, which an edit made meanwhile
 * would wait for). Parsed here one file per step into the project's cache, where the program's host finds them.
 *
 * ts-morph makes every file of its cache a root of the next program, so the walk takes only what the program
 * would: the module specifiers of import and export declarations and `import x = require()` (top level and in
 * ambient modules) and of `import()` calls and types, each resolved as the program resolves it (its resolution
 * mode, `ts.getModeForUsageLocation`, with the program's own host and caches, ./resolution.ts), and kept only when
 * it resolves to a TypeScript or JSON file (a package's JavaScript is not taken in: `maxNodeModuleJsDepth` is 0);
 * `/// <reference>` paths, types and libs. Whatever it misses the program parses itself, and the first edit then
 * rebuilds the program (its roots change, see listCachedFilesAsRoots).
 */
import * as nodePath from 'node:path';
import { ts, type Project } from 'ts-morph';
import { preResolver } from './resolution';
import { adoptSkeletons } from './skeleton';
import type { AnalysisStep } from './steps';

/** ts-morph's cache of parsed files (internal: `Project._context.compilerFactory`); undefined if a version moves it. */
interface FileCache {
  addOrGetSourceFileFromFilePath(file: string, options: { markInProject: boolean; scriptKind: undefined }): { compilerNode: ts.SourceFile } | undefined;
}

function fileCacheOf(project: Project): FileCache | undefined {
  const factory = (project as unknown as { _context?: { compilerFactory?: Partial<FileCache> } })._context?.compilerFactory;
  return typeof factory?.addOrGetSourceFileFromFilePath === 'function' ? (factory as FileCache) : undefined;
}

/**
 * A file's `/// <reference>` directives (paths, types, libs). They are comments before the first token: only
 * that head is scanned, not the whole file (@types/node's declaration files are tens of thousands of lines).
 */
export function tripleSlashDirectives(text: string): ts.PreProcessedFileInfo {
  const head = ts.getLeadingCommentRanges(text, 0)?.at(-1)?.end ?? 0;
  return ts.preProcessFile(text.slice(0, head), true, false);
}

/**
 * Has ts-morph list every file of its cache as a root of the project's next program. It lists them itself only
 * when a project file is added or changed, so a first program had the project's files as roots and the next
 * one, after an edit, also every file the first took in (declaration and lib files): the first edit's program
 * could not reuse the first one's structure (gen-1000: 100 ms instead of 5; the first look at budibase's row
 * controller: 120 ms instead of 30). Uses ts-morph's internal `LanguageService._reset`; does nothing without it.
 */
function listCachedFilesAsRoots(project: Project): void {
  (project.getLanguageService() as unknown as { _reset?: () => void })._reset?.();
}

/** Where ts-morph serves TypeScript's lib files from (in memory, `@ts-morph/common` getLibFolderPath). */
const LIB_FOLDER = '/node_modules/typescript/lib';

/**
 * The extensions of the files a program takes in from a resolved import: TypeScript sources and declarations,
 * and JSON modules (resolved only under `resolveJsonModule`).
 */
const TYPESCRIPT = new Set<string>([ts.Extension.Ts, ts.Extension.Tsx, ts.Extension.Dts, ts.Extension.Mts, ts.Extension.Cts, ts.Extension.Dmts, ts.Extension.Dcts, ts.Extension.Json]);

/** TypeScript's internals the program collects a file's imports with, when this version exports them. */
const internal = ts as unknown as {
  setParentRecursive?: (node: ts.Node, incremental: boolean) => void;
  getResolutionDiagnostic?: (options: ts.CompilerOptions, resolved: { extension: string }, file: { isDeclarationFile: boolean }) => unknown;
  forEachDynamicImportOrRequireCall?: (file: ts.SourceFile, includeTypeSpaceImports: boolean, requireStringLiteralLikeArgument: boolean, cb: (node: ts.Node, specifier: ts.Expression) => void) => void;
};
/** `ts.NodeFlags.PossiblyContainsDynamicImport` (internal): the parser saw an `import(…)` call or type. */
const POSSIBLY_DYNAMIC_IMPORT = (ts.NodeFlags as unknown as Record<string, number | undefined>)['PossiblyContainsDynamicImport'] ?? 0;

/**
 * The module specifiers a file's import and export declarations name, at its top level and in its ambient
 * modules (there, relative ones are not resolved), and its `import()` calls and types, as the program collects them (`collectModuleReferences` in
 * TypeScript's program.ts). Like it, sets the parent pointers of those declarations: a declaration file from
 * the shared document registry may have been parsed without them, and the resolution mode is read through them.
 */
function moduleSpecifiers(sf: ts.SourceFile): ts.StringLiteralLike[] {
  const out: ts.StringLiteralLike[] = [];
  const visit = (statements: readonly ts.Statement[], inAmbientModule: boolean) => {
    for (const s of statements) {
      const name =
        ts.isImportDeclaration(s) || ts.isExportDeclaration(s)
          ? s.moduleSpecifier
          : ts.isImportEqualsDeclaration(s) && ts.isExternalModuleReference(s.moduleReference)
            ? s.moduleReference.expression
            : undefined;
      if (name && ts.isStringLiteral(name) && name.text && (!inAmbientModule || !ts.isExternalModuleNameRelative(name.text))) {
        internal.setParentRecursive?.(s, false);
        out.push(name);
      } else if (!inAmbientModule && !ts.isExternalModule(sf) && ts.isModuleDeclaration(s) && ts.isStringLiteral(s.name) && s.body && ts.isModuleBlock(s.body)) {
        // A top-level `declare module "x"` of a script file; an augmentation (in a module file) is not read.
        if (sf.isDeclarationFile || (ts.getCombinedModifierFlags(s) & ts.ModifierFlags.Ambient) !== 0) visit(s.body.statements, true);
      }
    }
  };
  visit(sf.statements, false);
  // `import("x")` calls and types (@types/node's globals name undici-types only so): the program takes these in too.
  if (sf.flags & POSSIBLY_DYNAMIC_IMPORT) {
    internal.forEachDynamicImportOrRequireCall?.(sf, true, true, (node, specifier) => {
      internal.setParentRecursive?.(node, false);
      if (ts.isStringLiteralLike(specifier)) out.push(specifier);
    });
  }
  return out;
}

/**
 * Parses the files `project`'s program will reach from its source files into its cache, yielding a `parse`
 * step (`filesDone` = `files`, the source files of the load) after each file it parses or scans. Under
 * `noResolve` (the first look) only the lib files and automatic types. Does nothing when ts-morph's cache or
 * the project's resolver is not reachable. Never throws for a
 * file: one that cannot be read or parsed is left to the program.
 */
export function* preloadSteps(project: Project, files: number): Generator<AnalysisStep, void> {
  const cache = fileCacheOf(project);
  const resolve = preResolver(project);
  const options = project.getCompilerOptions();
  if (!cache || !resolve) return;
  const step: AnalysisStep = { phase: 'parse', filesDone: files, files };
  const seen = new Set<string>();
  /** Files to parse; then each parsed file's references are read. */
  const pending: string[] = [];
  const want = (file: string | undefined) => {
    if (file && !seen.has(file)) {
      seen.add(file);
      pending.push(file);
    }
  };
  const lib = (name: string) => {
    if (!options.noLib) want(`${LIB_FOLDER}/${name}`);
  };
  const scan = (sf: ts.SourceFile) => {
    try {
      const info = tripleSlashDirectives(sf.text);
      for (const l of info.libReferenceDirectives) lib(`lib.${l.fileName.toLowerCase()}.d.ts`);
      // Under noResolve the program follows neither imports nor references, only libs and automatic types.
      if (options.noResolve) return;
      const modes = new Map<string, ts.ResolutionMode>();
      // The program resolves each specifier once per file, in the mode of its first use (resolution.ts modeOf).
      for (const literal of moduleSpecifiers(sf)) {
        // Without parent pointers the mode cannot be read: left to the program.
        if (!modes.has(literal.text) && literal.parent) modes.set(literal.text, ts.getModeForUsageLocation(sf, literal, options));
      }
      for (const [name, mode] of modes) {
        const r = resolve.module(name, sf.fileName, mode);
        // The program leaves out what it reports instead (a .tsx without `jsx`, JSON without `resolveJsonModule`).
        if (r && TYPESCRIPT.has(r.extension) && !internal.getResolutionDiagnostic?.(options, r, sf)) want(r.resolvedFileName);
      }
      for (const r of info.referencedFiles) want(nodePath.resolve(nodePath.dirname(sf.fileName), r.fileName));
      for (const t of info.typeReferenceDirectives) want(resolve.typeReference(t.fileName, sf.fileName, t.resolutionMode)?.resolvedFileName);
    } catch {
      // Left to the program.
    }
  };
  const own = project.getSourceFiles().map((sf) => sf.compilerNode);
  for (const sf of own) seen.add(sf.fileName);
  for (const name of options.lib ?? [ts.getDefaultLibFileName(options)]) lib(name);
  // Where the program resolves them from: the tsconfig's folder, else the current one.
  const folder = typeof options.configFilePath === 'string' ? nodePath.dirname(options.configFilePath) : project.getFileSystem().getCurrentDirectory();
  const inferred = nodePath.join(folder, '__inferred type names__.ts');
  for (const name of ts.getAutomaticTypeDirectiveNames(options, ts.sys)) want(resolve.typeReference(name, inferred, undefined)?.resolvedFileName);
  for (const sf of own) {
    scan(sf);
    yield step;
  }
  while (pending.length > 0) {
    const file = pending.pop()!;
    let sf: ts.SourceFile | undefined;
    try {
      sf = cache.addOrGetSourceFileFromFilePath(file, { markInProject: false, scriptKind: undefined })?.compilerNode;
    } catch {
      // Left to the program, which reports it as it would have.
    }
    if (sf) {
      // A skeleton's text goes with its file now: other projects may read the file again before this one binds.
      adoptSkeletons([sf]);
      if (!file.endsWith(ts.Extension.Json)) scan(sf);
    }
    yield step;
  }
  // The first program then has the roots of the programs after an edit, and its structure is reused.
  listCachedFilesAsRoots(project);
}
