/**
 * What a program reads from a declaration file to build itself, as a program collects it: module-ness, imports
 * with their resolution modes, augmentations, ambient modules, UMD globals and triple-slash directives. Used to
 * check that a skeleton (server/src/engine/skeleton.ts) gives a program what the file's own text gives it.
 */
import * as fs from 'node:fs';
import { ts } from 'ts-morph';
import { declarationSkeleton, refusesToScan } from '../../server/src/engine/skeleton';

export interface Facts {
  module: boolean;
  /** `specifier@mode`, in the order the program collects them. */
  imports: string[];
  augmentations: string[];
  ambientModules: string[];
  umd: boolean;
  references: string[];
  types: string[];
  libs: string[];
  noDefaultLib: boolean;
}

/** Parses `text` as ts-morph parses a file of a project's cache. */
export function parse(fileName: string, text: string): ts.SourceFile {
  return ts.createLanguageServiceSourceFile(fileName, ts.ScriptSnapshot.fromString(text), ts.ScriptTarget.ES2022, '0', true);
}

/** The facts of each of `files` (name → parsed file), collected by one program over them that resolves nothing. */
export function programFacts(files: Map<string, ts.SourceFile>): Map<string, Facts> {
  const options: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noLib: true, types: [], noEmit: true };
  const host: ts.CompilerHost = {
    getSourceFile: (name) => files.get(name),
    fileExists: (name) => files.has(name),
    readFile: () => undefined,
    getDefaultLibFileName: () => '/lib.d.ts',
    writeFile: () => undefined,
    getCurrentDirectory: () => '/',
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    resolveModuleNameLiterals: (literals) => literals.map(() => ({ resolvedModule: undefined })),
    resolveTypeReferenceDirectiveReferences: (refs) => refs.map(() => ({ resolvedTypeReferenceDirective: undefined })),
  };
  const program = ts.createProgram([...files.keys()], options, host);
  const out = new Map<string, Facts>();
  for (const [name, sf] of files) {
    const file = sf as ts.SourceFile & { imports: readonly ts.StringLiteralLike[]; moduleAugmentations: readonly (ts.StringLiteral | ts.Identifier)[]; ambientModuleNames: readonly string[] };
    out.set(name, {
      module: ts.isExternalModule(sf),
      imports: file.imports.map((i) => `${i.text}@${program.getModeForUsageLocation(sf, i)}`),
      augmentations: file.moduleAugmentations.map((m) => m.text),
      ambientModules: [...file.ambientModuleNames],
      umd: sf.statements.some(ts.isNamespaceExportDeclaration),
      references: sf.referencedFiles.map((r) => r.fileName),
      types: sf.typeReferenceDirectives.map((r) => `${r.fileName}@${r.resolutionMode}`),
      libs: sf.libReferenceDirectives.map((r) => r.fileName),
      noDefaultLib: sf.hasNoDefaultLib,
    });
  }
  return out;
}

export interface SkeletonCheck {
  /** Files given a skeleton. */
  skeletons: number;
  /** Files that keep their text though a skeleton would do (a module without augmentations or UMD global). */
  missed: string[];
  /** Files whose skeleton gives a program other facts than their text: each with both. */
  wrong: { file: string; text: Facts; skeleton: Facts }[];
}

/** Compares, for each of `texts` (file name → text), the facts of its text and of its skeleton. */
export function checkSkeletons(texts: Map<string, string>): SkeletonCheck {
  const full = new Map<string, ts.SourceFile>();
  const skeletons = new Map<string, ts.SourceFile>();
  for (const [name, text] of texts) {
    full.set(name, parse(name, text));
    const skeleton = declarationSkeleton(text);
    if (skeleton !== undefined) skeletons.set(name, parse(name, skeleton));
  }
  const textFacts = programFacts(full);
  const skeletonFacts = programFacts(skeletons);
  const result: SkeletonCheck = { skeletons: skeletons.size, missed: [], wrong: [] };
  for (const [name, facts] of textFacts) {
    const skeleton = skeletonFacts.get(name);
    const eligible = facts.module && facts.augmentations.length === 0 && facts.ambientModules.length === 0 && !facts.umd;
    if (!skeleton) {
      if (eligible) result.missed.push(name);
    } else if (!eligible || JSON.stringify(skeleton) !== JSON.stringify(facts)) {
      result.wrong.push({ file: name, text: facts, skeleton });
    }
  }
  return result;
}

export interface FilesCheck {
  /** Files read. */
  files: number;
  skeletons: number;
  /** Plain modules whose text the scan refuses on purpose (a Unicode escape, a conflict marker): they keep it. */
  refused: string[];
  /** Plain modules that keep their text for no such reason. */
  missed: string[];
  wrong: SkeletonCheck['wrong'];
}

/**
 * {@link checkSkeletons} on the declaration files `files` (absolute), 1,000 at a time: one program over all of a
 * real package's dependencies would hold every tree at once. Unreadable files are not counted.
 */
export function checkFiles(files: readonly string[]): FilesCheck {
  const out: FilesCheck = { files: 0, skeletons: 0, refused: [], missed: [], wrong: [] };
  for (let i = 0; i < files.length; i += 1000) {
    const texts = new Map<string, string>();
    for (const f of files.slice(i, i + 1000)) {
      try {
        texts.set(f, fs.readFileSync(f, 'utf8'));
      } catch {
        // Unreadable: not a case.
      }
    }
    const check = checkSkeletons(texts);
    out.files += texts.size;
    out.skeletons += check.skeletons;
    for (const f of check.missed) (refusesToScan(texts.get(f)!) ? out.refused : out.missed).push(f);
    out.wrong.push(...check.wrong);
  }
  return out;
}
