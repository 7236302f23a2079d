/**
 * Parsing, before a project's first program, the files that program will take in besides the project's own:
 * the declaration files of the packages they import (and of those these import), and the automatic `@types`.
 * `ts.createProgram` would parse them itself, in one call no slice can interrupt (gen-1000: 1.1 s;
 * `@budibase/server`, ~4,000 declaration files: 7.7 s of the folder's first load, which an edit made meanwhile
 * would wait for). Parsed here one file per step into the project's cache, where the program's host finds them.
 *
 * The walk follows `ts.preProcessFile` (imports, `require`, `/// <reference>`), resolved with the program's own
 * host and caches (./resolution.ts), so what the program resolves later is a cache hit; a file it misses is
 * parsed by the program. Not under node16/nodenext resolution, where an import's target depends on the module
 * format of the importing file (see preloadSteps).
 */
import * as nodePath from 'node:path';
import { ts, type Project } from 'ts-morph';
import { preResolver } from './resolution';
import type { AnalysisStep } from './steps';

/** ts-morph's cache of parsed files (internal: `Project._context.compilerFactory`); undefined if a version moves it. */
interface FileCache {
  addOrGetSourceFileFromFilePath(file: string, options: { markInProject: boolean; scriptKind: undefined }): { compilerNode: ts.SourceFile } | undefined;
}

function fileCacheOf(project: Project): FileCache | undefined {
  const factory = (project as unknown as { _context?: { compilerFactory?: Partial<FileCache> } })._context?.compilerFactory;
  return typeof factory?.addOrGetSourceFileFromFilePath === 'function' ? (factory as FileCache) : undefined;
}

/** The module resolution the compiler uses with `options` (TypeScript's own rule when it is reachable). */
function moduleResolutionOf(options: ts.CompilerOptions): ts.ModuleResolutionKind | undefined {
  const effective = (ts as unknown as { getEmitModuleResolutionKind?: (o: ts.CompilerOptions) => ts.ModuleResolutionKind }).getEmitModuleResolutionKind;
  return effective ? effective(options) : options.moduleResolution;
}

/** Where ts-morph serves TypeScript's lib files from (in memory, `@ts-morph/common` getLibFolderPath). */
const LIB_FOLDER = '/node_modules/typescript/lib';

/**
 * Parses the files `project`'s program will reach from its source files into its cache, yielding a `parse`
 * step (`filesDone` = `files`, the source files of the load) after each file it parses or scans. Does nothing under node16/nodenext module
 * resolution, or when ts-morph's cache or the project's resolver is not reachable. Never throws for a file: one that cannot be read or parsed is left to
 * the program.
 */
export function* preloadSteps(project: Project, files: number): Generator<AnalysisStep, void> {
  const cache = fileCacheOf(project);
  const resolve = preResolver(project);
  if (!cache || !resolve) return;
  const options = project.getCompilerOptions();
  // ts-morph makes every file in its cache a root of the next program, so a file resolved here that the program
  // would not take in would join it. Under node16/nodenext an import resolves by its file's module format (an
  // export map's `import` or `require` entry), which is known only inside the program: no preload there.
  const kind = moduleResolutionOf(options);
  if (kind === ts.ModuleResolutionKind.Node16 || kind === ts.ModuleResolutionKind.NodeNext) return;
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
  const lib = (name: string) => want(`${LIB_FOLDER}/${name}`);
  const scan = (sf: ts.SourceFile) => {
    let info: ts.PreProcessedFileInfo;
    try {
      info = ts.preProcessFile(sf.text, true, !sf.isDeclarationFile);
    } catch {
      return;
    }
    for (const m of info.importedFiles) want(resolve.module(m.fileName, sf.fileName)?.resolvedFileName);
    for (const r of info.referencedFiles) want(nodePath.resolve(nodePath.dirname(sf.fileName), r.fileName));
    for (const t of info.typeReferenceDirectives) want(resolve.typeReference(t.fileName, sf.fileName)?.resolvedFileName);
    for (const l of info.libReferenceDirectives) lib(`lib.${l.fileName.toLowerCase()}.d.ts`);
  };
  const own = project.getSourceFiles().map((sf) => sf.compilerNode);
  for (const sf of own) seen.add(sf.fileName);
  if (!options.noLib) for (const name of options.lib ?? [ts.getDefaultLibFileName(options)]) lib(name);
  const inferred = nodePath.join(project.getFileSystem().getCurrentDirectory(), '__inferred type names__.ts');
  for (const name of ts.getAutomaticTypeDirectiveNames(options, ts.sys)) want(resolve.typeReference(name, inferred)?.resolvedFileName);
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
    if (sf) scan(sf);
    yield step;
  }
}
