/**
 * The engine's type checker for a program, and the binding before it, one file at a time. A program's own
 * checker binds every file it has not seen bound (`initializeTypeChecker`) in one call no slice can interrupt
 * (gen-1000 0.6 s, `@budibase/server` 3.3 s of the folder's first load), and most of a service's program is the
 * declaration modules of its dependencies, which the checker needs only once an import of them is resolved
 * (`@budibase/server`: 3,004 of 4,581 files are never bound in an audit). So the files the checker needs before
 * it starts are bound here file by file, and the checker is made over the program with its declaration modules
 * bound when the checker first resolves them. The binding lives on the `ts.SourceFile`, which the next program
 * of an edit reuses: only the edited files are bound again.
 */
import { ts } from 'ts-morph';
import { adoptSkeletons, fillSkeleton } from './skeleton';
import type { AnalysisStep } from './steps';

/** TypeScript's binder (internal, but on the `ts` namespace since 1.x); undefined if a version drops it. */
const bindSourceFile = (ts as unknown as { bindSourceFile?: (file: ts.SourceFile, options: ts.CompilerOptions) => void }).bindSourceFile;

/** TypeScript's checker factory (internal, on the `ts` namespace); undefined if a version drops it. */
const createTypeChecker = (ts as unknown as { createTypeChecker?: (host: ts.Program) => ts.TypeChecker }).createTypeChecker;

type Bindable = ts.SourceFile & { locals?: unknown; redirectInfo?: { redirectTarget: ts.SourceFile } };

/**
 * Whether `sf` is bound before the checker is made: every file but a declaration file (the engine asks the
 * checker about their nodes directly), and the declaration files the checker needs bound when it is made: a
 * script (its declarations are global), a module that augments another module or the global scope
 * (`declare module 'x'`, `declare global`), one that declares a UMD global (`export as namespace X`).
 */
function bindsEagerly(sf: ts.SourceFile): boolean {
  // Asked of every file of every program, an edit's included; the answer lives as long as the file, which the
  // next program reuses (@budibase/server: 1.3-5 ms per program for 4,486 files, asked again).
  let eager = eagerFiles.get(sf);
  if (eager === undefined) {
    const file = sf as ts.SourceFile & { externalModuleIndicator?: unknown; moduleAugmentations?: readonly unknown[] };
    eager = !sf.isDeclarationFile || !file.externalModuleIndicator || (file.moduleAugmentations?.length ?? 0) > 0 || sf.statements.some(ts.isNamespaceExportDeclaration);
    eagerFiles.set(sf, eager);
  }
  return eager;
}

const eagerFiles = new WeakMap<ts.SourceFile, boolean>();

/**
 * Binds `sf` unless it is bound, filling it first if it is a skeleton (./skeleton.ts); a second copy of a
 * package binds the first (it reads the first's binding and tree).
 */
function bind(sf: ts.SourceFile, options: ts.CompilerOptions): void {
  const file = sf as Bindable;
  if (file.redirectInfo) bind(file.redirectInfo.redirectTarget, options);
  if (file.locals === undefined) {
    fillSkeleton(sf);
    bindSourceFile!(sf, options);
  }
}

/**
 * Binds the files of `program` the checker needs bound before it is made ({@link bindsEagerly}) that are not
 * bound yet, yielding a `discover` step (at 0 files done) after each, then makes the program's checker (what
 * `program.getTypeChecker()` returns from then on). The other files, declaration modules of the dependencies
 * for the most part, are bound when the checker first resolves an import of them: a module is reached only
 * through its importers. Without the binder or the checker factory, the program's own checker binds every file.
 * Throws what the binder throws (the checker would, binding the same file).
 */
export function* bindSteps(program: ts.Program, files: number): Generator<AnalysisStep, void> {
  if (!bindSourceFile || !createTypeChecker) {
    // The program's own checker binds every file as it is: each must be whole first.
    for (const sf of program.getSourceFiles()) fillSkeleton(sf);
    return;
  }
  if (checkers.has(program)) return;
  const options = program.getCompilerOptions();
  const all = program.getSourceFiles();
  adoptSkeletons(all);
  // `stableTypeOrdering` orders types by their file's place in the list the checker is made with, which must
  // then hold every file: a file missing from it has no place, and TypeScript loops forever ordering a union.
  const eager = (options as { stableTypeOrdering?: boolean }).stableTypeOrdering ? all : all.filter(bindsEagerly);
  for (const sf of eager) {
    if ((sf as Bindable).locals !== undefined) continue;
    bind(sf, options);
    yield { phase: 'discover', filesDone: 0, files };
  }
  // A caller may have made the checker while this one waited between steps (a code action during a sliced analysis).
  if (checkers.has(program)) return;
  let made = false;
  let allBound = false;
  const host: ts.Program = Object.create(program);
  // While the checker is made it sees the files bound so far. After, a walk over every file (naming a symbol by
  // the modules that re-export it) binds them all first.
  host.getSourceFiles = () => {
    if (!made) return eager;
    if (!allBound) {
      for (const sf of all) bind(sf, options);
      allBound = true;
    }
    return all;
  };
  host.getSourceFile = (name) => {
    const sf = program.getSourceFile(name);
    if (sf) bind(sf, options);
    return sf;
  };
  const checker = createTypeChecker(host);
  made = true;
  checkers.set(program, checker);
  program.getTypeChecker = () => checker;
}

/** The checkers made here, so that a second call for the same program makes none. */
const checkers = new WeakMap<ts.Program, ts.TypeChecker>();

/**
 * The checker of `program`: binds what {@link bindSteps} binds, in one go, if no analysis has yet. Every use of
 * a program's checker goes through here or through bindSteps, so that the program never makes its own, which
 * binds every file. The program's diagnostics and emit (`getSemanticDiagnostics`, `emit`,
 * `ts.getPreEmitDiagnostics`) still make their own through a closure this does not replace: the engine calls none.
 */
export function checkerOf(program: ts.Program): ts.TypeChecker {
  for (const _ of bindSteps(program, 0));
  return program.getTypeChecker();
}
