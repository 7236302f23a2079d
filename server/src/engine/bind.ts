/**
 * Binding a program's files one step at a time, before its type checker is made. A new checker binds every file
 * it has not seen bound (`initializeTypeChecker`), in one call no slice can interrupt: gen-1000 0.6 s,
 * `@budibase/server` 3.3 s of the folder's first load (bench/lsp.mjs would see an edit wait that long). Bound
 * here file by file, the checker finds them bound; after an edit only the edited files are unbound (the binding
 * lives on the `ts.SourceFile`, which the next program reuses).
 */
import { ts } from 'ts-morph';
import type { AnalysisStep } from './steps';

/** TypeScript's binder (internal, but on the `ts` namespace since 1.x); undefined if a version drops it. */
const bindSourceFile = (ts as unknown as { bindSourceFile?: (file: ts.SourceFile, options: ts.CompilerOptions) => void }).bindSourceFile;

/**
 * Binds each file of `program` that is not bound yet, yielding a `discover` step (at 0 files done) after each.
 * Does nothing when the binder is not reachable: the checker then binds them itself. Throws what the binder
 * throws (the checker would, binding the same file).
 */
export function* bindSteps(program: ts.Program, files: number): Generator<AnalysisStep, void> {
  if (!bindSourceFile) return;
  const options = program.getCompilerOptions();
  for (const sf of program.getSourceFiles()) {
    // `locals` is set by the binder on every file it bound.
    if ((sf as { locals?: unknown }).locals !== undefined) continue;
    bindSourceFile(sf, options);
    yield { phase: 'discover', filesDone: 0, files };
  }
}
