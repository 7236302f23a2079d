import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { minimatch } from 'minimatch';
import type { Project, SourceFile } from 'ts-morph';
import { normalizePath } from './ast';
import { overBudget } from './budget';
import { analyzeProgramSteps } from './analysis';
import { loopSizing } from './analysis/concurrency';
import { loadProjectSteps, type LoadedProject } from './project';
import { resolveSettings, type EngineSettings } from './settings';
import { runSliced, runSync, type AnalysisStep, type SliceOptions } from './steps';
import { throwIfCancelled, type AnalysisResult, type CancellationToken, type SkippedFile } from './types';

/** How to open a workspace. */
export interface WorkspaceOptions {
  /** Absolute path of the folder to analyse. */
  root: string;
  /** Path of the tsconfig to use; default the nearest `tsconfig.json` at or above root, else defaults with `allowJs`. */
  tsconfig?: string;
  settings?: Partial<EngineSettings>;
}

/** Options for one analysis run. */
export interface AnalyzeOptions {
  /** Files or folders (absolute) whose findings to report; default the whole root. */
  paths?: string[];
  token?: CancellationToken;
}

/** Options for {@link Workspace.analyzeAsync}: those of `analyze`, plus progress and the slice length. */
export interface AnalyzeAsyncOptions extends AnalyzeOptions {
  /** Called about once per slice with the phase and the files done (see ./steps). */
  onStep?: (step: AnalysisStep) => void;
  /** Longest stretch without a turn of the event loop, in milliseconds (default 20). */
  sliceMs?: number;
}

/**
 * A loaded project: keeps the parsed program between analyses so the editor can re-analyse after each edit.
 * The project loads lazily on the first analysis and again after `reload()`.
 */
export class Workspace {
  readonly root: string;
  settings: EngineSettings;
  private readonly tsconfig?: string;
  private readonly overlays = new Map<string, string>();
  private loaded?: { project: Project; skipped: SkippedFile[] };
  /** Files left out of the loaded project as over the per-file budget or unparsable overlays, with the reason. */
  private readonly overBudget = new Map<string, string>();

  constructor(options: WorkspaceOptions) {
    this.root = normalizePath(nodePath.resolve(options.root));
    this.tsconfig = options.tsconfig;
    this.settings = resolveSettings(options.settings);
  }

  /** Sets (or with `undefined`, clears) unsaved editor text for an absolute file path. */
  setOverlay(file: string, text: string | undefined): void {
    const f = normalizePath(file);
    if (text === undefined) this.overlays.delete(f);
    else this.overlays.set(f, text);
    if (!this.loaded) return;
    const sf = this.loaded.project.getSourceFile(f);
    if (text !== undefined) {
      if (sf?.getFullText() !== text && this.isUnderRoot(f)) this.addOverlay(this.loaded.project, f, text);
    } else if (sf) {
      try {
        sf.refreshFromFileSystemSync();
      } catch {
        this.loaded.project.removeSourceFile(sf);
      }
    }
  }

  /** Replaces the settings; the next analysis uses them. Changing excludes reloads the project. */
  updateSettings(settings: Partial<EngineSettings>): void {
    const next = resolveSettings(settings);
    if (JSON.stringify(next.exclude) !== JSON.stringify(this.settings.exclude)) this.loaded = undefined;
    this.settings = next;
  }

  /** Forgets the loaded program (files added or removed on disk); the next analysis loads it again. */
  reload(): void {
    this.loaded = undefined;
  }

  /** The text the engine sees for a file: the overlay if any, else the file on disk. Throws if unreadable. */
  readText(file: string): string {
    return this.overlays.get(normalizePath(file)) ?? fs.readFileSync(file, 'utf8');
  }

  private isUnderRoot(file: string): boolean {
    return file === this.root || file.startsWith(this.root + '/');
  }

  /** The loaded project, loading it first when needed (as steps: one per source file parsed). */
  private *loadSteps(): Generator<AnalysisStep, { project: Project; skipped: SkippedFile[] }> {
    if (!this.loaded) {
      const { project, skipped }: LoadedProject = yield* loadProjectSteps(this.root, this.settings.exclude, this.tsconfig);
      this.loaded = { project, skipped };
      this.overBudget.clear();
      for (const sf of project.getSourceFiles()) this.addChecked(sf);
      for (const [file, text] of this.overlays) if (this.isUnderRoot(file)) this.addOverlay(project, file, text);
    }
    return this.loaded;
  }

  /** Parses editor text into the project; text the parser cannot take (its recursion overflows) leaves the file out. */
  private addOverlay(project: Project, file: string, text: string): void {
    try {
      this.addChecked(project.createSourceFile(file, text, { overwrite: true }));
    } catch (e) {
      const stale = project.getSourceFile(file);
      if (stale) project.removeSourceFile(stale);
      this.overBudget.set(file, `could not be parsed: ${String((e as Error).message).split('\n')[0]}`);
    }
  }

  /**
   * Keeps a just-parsed file in the project only when it is within the per-file budget: the binder and the
   * engine's walks are recursive, so a file nested too deep would overflow the stack of the whole analysis.
   */
  private addChecked(sf: SourceFile): void {
    const file = normalizePath(sf.getFilePath());
    const reason = overBudget(sf.compilerNode);
    if (reason) {
      this.overBudget.set(file, reason);
      this.loaded?.project.removeSourceFile(sf);
    } else {
      this.overBudget.delete(file);
    }
  }

  /**
   * The concurrency limit (sized from what the loop body reaches, see `analysis/concurrency.ts`) and file facts
   * for the loop refactor at `offset` in `file`; undefined before the first analysis loaded the project (a
   * code action never waits for a load), when the file is not in it, or there is no `for…of` there.
   */
  loopSizing(file: string, offset: number): ReturnType<typeof loopSizing> {
    if (!this.loaded) return undefined;
    const sf = this.loaded.project.getSourceFile(normalizePath(file));
    if (!sf) return undefined;
    return loopSizing(this.loaded.project.getProgram().compilerObject, sf.compilerNode, offset, this.settings);
  }

  /** Analyses the workspace and returns handlers and findings for the requested paths. Throws CancelledError. */
  analyze(options: AnalyzeOptions = {}): AnalysisResult {
    return runSync(this.analyzeSteps(options));
  }

  /**
   * The same analysis as {@link analyze}, giving the event loop a turn every `sliceMs` so that a server stays
   * responsive and sees cancellation while it runs: the token is checked between files and between handlers.
   * Rejects with CancelledError when cancelled.
   */
  analyzeAsync(options: AnalyzeAsyncOptions = {}): Promise<AnalysisResult> {
    const slice: SliceOptions = {};
    if (options.token) slice.token = options.token;
    if (options.onStep) slice.onStep = options.onStep;
    if (options.sliceMs !== undefined) slice.sliceMs = options.sliceMs;
    return runSliced(this.analyzeSteps(options), slice);
  }

  private *analyzeSteps(options: AnalyzeOptions): Generator<AnalysisStep, AnalysisResult> {
    const { token } = options;
    throwIfCancelled(token);
    const { project, skipped } = yield* this.loadSteps();
    throwIfCancelled(token);
    const program = project.getProgram().compilerObject;
    const paths = (options.paths ?? [this.root]).map((p) => normalizePath(nodePath.resolve(p)));
    const { include, exclude } = this.settings;
    const rel = (f: string) => nodePath.posix.relative(this.root, f);
    const inScope = (file: string): boolean => {
      if (!paths.some((p) => file === p || file.startsWith(p + '/'))) return false;
      const r = rel(file);
      if (include.length > 0 && !include.some((g) => minimatch(r, g, { dot: true }))) return false;
      return !exclude.some((g) => minimatch(r, g, { dot: true }));
    };
    const overBudgetFiles = [...this.overBudget].map(([file, reason]) => ({ file, reason }));
    const files = program.getSourceFiles().filter((sf) => {
      if (sf.isDeclarationFile || sf.fileName.includes('/node_modules/')) return false;
      // Also checked for files outside the root that the program imports, so calls into them are not followed.
      const reason = overBudget(sf);
      if (reason && !this.overBudget.has(normalizePath(sf.fileName))) overBudgetFiles.push({ file: normalizePath(sf.fileName), reason });
      return !reason && this.isUnderRoot(normalizePath(sf.fileName));
    });
    const { handlers, findings } = yield* analyzeProgramSteps({ program, files, inScope, settings: this.settings, token });
    return {
      handlers,
      findings,
      skipped: [...skipped, ...overBudgetFiles].filter((s) => inScope(s.file) || s.file.endsWith('tsconfig.json')),
      files: files.map((f) => normalizePath(f.fileName)).filter(inScope),
    };
  }
}
