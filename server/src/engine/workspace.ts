import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { Minimatch } from 'minimatch';
import { ts, type Project, type SourceFile } from 'ts-morph';
import { isInside, normalizePath } from './ast';
import { overBudget } from './budget';
import { analyzeProgram, analyzeProgramSteps, compareFindings, unusedSuppressionFindings } from './analysis';
import { loopSizing } from './analysis/concurrency';
import { IncrementalCache } from './analysis/incremental';
import { addFile, loadFilesProject, sourceFileFilter, loadProjectsSteps, readSource, sourceFiles, type LoadedProjects, type ProjectPart } from './project';
import { preloadSteps } from './preload';
import { isSkeleton, standsFor } from './skeleton';
import { forgetResolutions } from './resolution';
import { resolveSettings, type EngineSettings } from './settings';
import { runSliced, runSync, type AnalysisStep, type SliceOptions } from './steps';
import { Suppressions } from './suppress';
import { CancelledError, throwIfCancelled, type AnalysisResult, type CancellationToken, type Finding, type Handler } from './types';

/** How to open a workspace. */
export interface WorkspaceOptions {
  /** Absolute path of the folder to analyse. */
  root: string;
  /**
   * Path of the tsconfig to use for every file (one program). Default: each file with its nearest
   * `tsconfig.json`, one program per tsconfig (./project.ts#loadProjects), else defaults with `allowJs`.
   */
  tsconfig?: string;
  settings?: Partial<EngineSettings>;
  /**
   * Files or folders (absolute) whose source files the programs are built from; default the whole root. Files
   * outside them are parsed only when imported, so a one-shot audit of `src` does not parse the package's
   * bundled client code, scripts or specs. Handlers and mount prefixes declared only outside them are not seen.
   */
  within?: string[];
  /**
   * Analysed once (the CLI): nothing is kept for a next analysis, so each handler's trace and reach are
   * released as the analysis goes (gen-5000: 62 MiB less held once it ends; peak RSS 755 → 748 MiB), and the programs are dropped when
   * it ends. Later analyses still work, from scratch.
   */
  once?: boolean;
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
  /** Longest stretch without a turn of the event loop, in milliseconds (default 5, see ./steps.ts). */
  sliceMs?: number;
}

/** The first look's program (see Workspace.firstLook), made for one set of open files and their imports. */
interface Glance {
  /** The open files it was made for. */
  key: string;
  /** Their import specifiers when it was made: another import may bring in a file it lacks. */
  imports: string;
  project: Project;
  cache: IncrementalCache;
}

/** A file's import and require specifiers, by a syntax-only scan (`ts.preProcessFile`); empty when unreadable. */
function importSpecifiers(text: string | { skip: string }): string {
  return typeof text === 'string' ? ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName).join(',') : '';
}

/** How often a caller waiting for the shared load looks at its token, in milliseconds. */
const CANCEL_POLL_MS = 50;

/**
 * Settles as `shared` does, or rejects with CancelledError within {@link CANCEL_POLL_MS} of `token` being
 * cancelled (the shared work goes on for its other callers).
 */
async function untilCancelled<T>(shared: Promise<T>, token: CancellationToken | undefined): Promise<T> {
  if (!token) return shared;
  let timer: NodeJS.Timeout | undefined;
  const cancelled = new Promise<never>((_, reject) => {
    const check = () => {
      if (token.isCancellationRequested) reject(new CancelledError());
      else timer = setTimeout(check, CANCEL_POLL_MS);
    };
    check();
  });
  try {
    return await Promise.race([shared, cancelled]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A loaded project: keeps the parsed programs (one per tsconfig) between analyses so the editor can re-analyse after each edit.
 * The project loads lazily on the first analysis and again after `reload()`.
 */
export class Workspace {
  readonly root: string;
  settings: EngineSettings;
  private readonly tsconfig?: string;
  private readonly within?: string[];
  private readonly once: boolean;
  private readonly overlays = new Map<string, string>();
  private loaded?: LoadedProjects;
  /**
   * The sliced load under way and the first analysis after it, which concurrent callers share (see analyzeAsync).
   * Until it ends, {@link firstLook} answers.
   */
  private warming?: Promise<AnalysisResult>;
  /**
   * The progress callbacks of the callers waiting for {@link warming} (its creator's included): an audit that
   * waits for the editor's load reports that load's progress.
   */
  private readonly warmingProgress = new Set<(step: AnalysisStep) => void>();
  /** The first look's program and what its last analysis keeps, for the open files it was made for. */
  private glance?: Glance;
  /** Bumped when the loaded project is dropped: a load or first analysis of an older generation stops. */
  private generation = 0;
  /** Files created or deleted on disk while the sliced load ran (see filesCreatedOrDeleted). */
  private readonly diskChangesDuringLoad: string[] = [];
  /** Files left out of the loaded project as over the per-file budget or unparsable overlays, with the reason. */
  private readonly overBudget = new Map<string, string>();
  /** What each program's last analysis keeps for the next one (./analysis/incremental.ts); dropped with the programs. */
  private readonly incremental = new WeakMap<ProjectPart, IncrementalCache>();
  /** The last {@link scope}, for the same paths and settings. */
  private lastScope?: { key: string; settings: EngineSettings; inScope: (file: string) => boolean };

  constructor(options: WorkspaceOptions) {
    this.root = normalizePath(nodePath.resolve(options.root));
    this.tsconfig = options.tsconfig;
    if (options.within) this.within = options.within;
    this.once = options.once ?? false;
    this.settings = resolveSettings(options.settings);
  }

  /** Sets (or with `undefined`, clears) unsaved editor text for an absolute file path. */
  setOverlay(file: string, text: string | undefined): void {
    const f = normalizePath(file);
    if (text === undefined) this.overlays.delete(f);
    else this.overlays.set(f, text);
    if (!this.loaded) return;
    const owner = this.isUnderRoot(f) ? this.partFor(f) : undefined;
    for (const part of this.loaded.parts) {
      const sf = part.project.getSourceFile(f);
      if (text !== undefined) {
        // The owning program gets a new file; every program that already has the file (an import from another
        // package) sees the same text.
        if (part === owner) part.own.add(f);
        if ((sf && standsFor(sf.compilerNode)) !== text && (sf ? this.isUnderRoot(f) : part === owner)) this.addOverlay(part.project, f, text);
      } else if (sf && !isSkeleton(sf.compilerNode)) {
        // A skeleton was never given an overlay (its own text is none: see above), and reading it again would
        // give a new skeleton of the same file: nothing to refresh.
        try {
          sf.refreshFromFileSystemSync();
        } catch {
          part.project.removeSourceFile(sf);
        }
        // Deleted on disk: ts-morph forgot it.
        if (!part.project.getSourceFile(f)) forgetResolutions(part.project);
      }
    }
  }

  /** The program a file under the root belongs to: the part owning it, else the one whose tsconfig folder is nearest above it. */
  private partFor(file: string): ProjectPart | undefined {
    const parts = this.loaded?.parts ?? [];
    const owner = parts.find((p) => p.own.has(file));
    if (owner) return owner;
    let best: ProjectPart | undefined;
    let bestLength = -1;
    for (const p of parts) {
      const dir = p.tsconfig ? normalizePath(nodePath.dirname(p.tsconfig)) : '';
      if ((dir === '' || file.startsWith(dir + '/')) && dir.length > bestLength) {
        best = p;
        bestLength = dir.length;
      }
    }
    return best ?? parts[0];
  }

  /** Replaces the settings; the next analysis uses them. Changing excludes reloads the project. */
  updateSettings(settings: Partial<EngineSettings>): void {
    const next = resolveSettings(settings);
    if (JSON.stringify(next.exclude) !== JSON.stringify(this.settings.exclude)) this.reload();
    this.settings = next;
  }

  /**
   * Source files were created or deleted on disk outside the editor (a checkout, a code generator): `files`
   * absolute. A created file the load would have listed joins the program of its nearest tsconfig; a deleted one
   * leaves every program (an open document keeps its editor text); which paths exist and how imports resolve
   * is forgotten, so an import of a created file resolves in the next analysis. Before the first load there is
   * nothing to update. Never throws: an unreadable file is recorded as skipped.
   */
  filesCreatedOrDeleted(files: readonly string[]): void {
    // The first look's importers and texts were read before.
    this.glance = undefined;
    if (!this.loaded) {
      // A load under way may have listed the folder before the change: it applies them when it ends.
      if (this.warming) this.diskChangesDuringLoad.push(...files);
      return;
    }
    const listed = sourceFileFilter(this.root, this.settings.exclude, this.within);
    for (const file of files.map((f) => normalizePath(nodePath.resolve(f)))) {
      if (this.overlays.has(file)) continue;
      if (fs.existsSync(file)) {
        const part = this.partFor(file);
        if (!part || part.project.getSourceFile(file) || !listed(file)) continue;
        if (addFile(part.project, file, this.loaded.skipped)) {
          part.own.add(file);
          this.addChecked(part.project, part.project.getSourceFileOrThrow(file));
        }
      } else {
        for (const part of this.loaded.parts) {
          const sf = part.project.getSourceFile(file);
          if (sf) part.project.removeSourceFile(sf);
          part.own.delete(file);
        }
      }
    }
    for (const part of this.loaded.parts) forgetResolutions(part.project);
  }

  /** What `part`'s analyses keep for the next one, made on its first analysis. */
  private incrementalFor(part: ProjectPart): IncrementalCache {
    let cache = this.incremental.get(part);
    if (!cache) this.incremental.set(part, (cache = new IncrementalCache()));
    return cache;
  }

  /**
   * Whether the programs are loaded: an analysis now starts without the program build. It may still wait for
   * the first analysis after the load (see analyzeAsync).
   */
  isLoaded(): boolean {
    return this.loaded !== undefined;
  }

  /**
   * Forgets the loaded program (files added or removed on disk); the next analysis loads it again. A load or
   * first analysis under way stops at its next slice, and those waiting for it load again.
   */
  reload(): void {
    this.loaded = undefined;
    this.glance = undefined;
    this.generation++;
  }

  /** The text the engine sees for a file: the overlay if any, else the file on disk. Throws if unreadable. */
  readText(file: string): string {
    return this.overlays.get(normalizePath(file)) ?? fs.readFileSync(file, 'utf8');
  }

  private isUnderRoot(file: string): boolean {
    return isInside(file, this.root);
  }

  /** The loaded programs, loading them first when needed (as steps: one per source file parsed). */
  private *loadSteps(): Generator<AnalysisStep, LoadedProjects> {
    if (!this.loaded) {
      const loaded: LoadedProjects = yield* loadProjectsSteps(this.root, this.settings.exclude, this.tsconfig, this.within);
      this.loaded = loaded;
      this.overBudget.clear();
      for (const { project } of loaded.parts) for (const sf of project.getSourceFiles()) this.addChecked(project, sf);
      for (const [file, text] of this.overlays) {
        const part = this.isUnderRoot(file) ? this.partFor(file) : undefined;
        if (!part) continue;
        part.own.add(file);
        this.addOverlay(part.project, file, text);
      }
      this.filesCreatedOrDeleted(this.diskChangesDuringLoad.splice(0));
      // The editor's load is sliced to its end (an edit meanwhile gets the first look); a one-shot run keeps
      // the work inside createProgram, where nobody waits on it. After the budget check: no over-budget file is scanned.
      const total = loaded.parts.reduce((n, part) => n + part.own.size, 0);
      if (!this.once) for (const part of loaded.parts) yield* preloadSteps(part.project, total);
    }
    return this.loaded;
  }

  /** Parses editor text into the project; text the parser cannot take (its recursion overflows) leaves the file out. */
  private addOverlay(project: Project, file: string, text: string): void {
    const had = project.getSourceFile(file) !== undefined;
    try {
      this.addChecked(project, project.createSourceFile(file, text, { overwrite: true }));
    } catch (e) {
      const stale = project.getSourceFile(file);
      if (stale) project.removeSourceFile(stale);
      this.overBudget.set(file, `could not be parsed: ${String((e as Error).message).split('\n')[0]}`);
    }
    // A file added or left out changes what an import resolves to.
    if (had !== (project.getSourceFile(file) !== undefined)) forgetResolutions(project);
  }

  /**
   * Keeps a just-parsed file in the project only when it is within the per-file budget: the binder and the
   * engine's walks are recursive, so a file nested too deep would overflow the stack of the whole analysis.
   */
  private addChecked(project: Project, sf: SourceFile): void {
    const file = normalizePath(sf.getFilePath());
    const reason = overBudget(sf.compilerNode);
    if (reason) {
      this.overBudget.set(file, reason);
      project.removeSourceFile(sf);
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
    const part = this.loaded && this.partFor(normalizePath(file));
    const sf = part?.project.getSourceFile(normalizePath(file));
    if (!part || !sf) return undefined;
    return loopSizing(part.project.getProgram().compilerObject, sf.compilerNode, offset, this.settings);
  }

  /** Analyses the workspace and returns handlers and findings for the requested paths. Throws CancelledError. */
  analyze(options: AnalyzeOptions = {}): AnalysisResult {
    return runSync(this.analyzeSteps(options));
  }

  /**
   * The same analysis as {@link analyze}, giving the event loop a turn every `sliceMs` so that a server stays
   * responsive and sees cancellation while it runs: the token is checked between files and between handlers.
   * The folder's load and the first analysis after it are shared by concurrent callers and run to their end
   * whatever a token says ({@link reload} stops them); a cancelled caller stops waiting for them. Rejects with
   * CancelledError when cancelled.
   */
  async analyzeAsync(options: AnalyzeAsyncOptions = {}): Promise<AnalysisResult> {
    const slice: SliceOptions = {};
    if (options.onStep) slice.onStep = options.onStep;
    if (options.sliceMs !== undefined) slice.sliceMs = options.sliceMs;
    throwIfCancelled(options.token);
    // No token stops the load or the first analysis after it: the editor's next edit would otherwise start
    // over, and the first analysis fills the caches every later analysis adopts (gen-1000: 3.7 s, an edit after
    // it ~50 ms). Edits made meanwhile get a first look. A reload (a new generation) stops them.
    while (!this.loaded || this.warming) {
      const mine = !this.warming;
      // Before the load starts: its first steps run at once.
      if (options.onStep) this.warmingProgress.add(options.onStep);
      if (!this.warming) {
        // runSliced reports the last step again when the run ends: once is enough for progress.
        let reported: AnalysisStep | undefined;
        const onStep = (step: AnalysisStep) => {
          if (step === reported) return;
          reported = step;
          for (const report of this.warmingProgress) report(step);
        };
        const generation = this.generation;
        const stale = () => this.generation !== generation;
        const shared: SliceOptions = { ...slice, onStep, background: true, token: { get isCancellationRequested() { return stale(); } } };
        const warming: Promise<AnalysisResult> = runSliced(this.loadSteps(), shared)
          .then(() => runSliced(this.analyzeSteps({ ...(options.paths ? { paths: options.paths } : {}) }), shared))
          .finally(() => {
            if (this.warming !== warming) return;
            this.warming = undefined;
            this.glance = undefined;
          });
        // Its callers may stop waiting (their tokens): a rejection nobody awaits must not end the process.
        warming.catch(() => undefined);
        this.warming = warming;
      }
      let first: AnalysisResult;
      try {
        first = await untilCancelled(this.warming!, options.token);
      } catch (err) {
        // Stopped by a reload: load again (the loop), unless this caller was cancelled.
        if (err instanceof CancelledError && !options.token?.isCancellationRequested) continue;
        throw err;
      } finally {
        if (options.onStep) this.warmingProgress.delete(options.onStep);
      }
      throwIfCancelled(options.token);
      // Another caller's first analysis saw the texts of its time, not necessarily this caller's.
      if (mine) return first;
    }
    if (options.token) slice.token = options.token;
    return runSliced(this.analyzeSteps(options), slice);
  }

  /** Whether findings in a file are reported: under one of `paths` (default the root), included, not excluded. */
  private scope(paths: string[] = [this.root]): (file: string) => boolean {
    const under = paths.map((p) => normalizePath(nodePath.resolve(p)));
    // The editor asks for the same open files after every edit: the answers per file are kept with them
    // (gen-1000: 1,000 relative paths and glob matches, ~1 ms and ~1 MB per edit).
    const key = under.join('\n');
    if (this.lastScope?.key === key && this.lastScope.settings === this.settings) return this.lastScope.inScope;
    // Compiled once: `minimatch(path, glob)` compiles the glob on every call (gen-1000: 1.5 MB of garbage).
    const compile = (globs: readonly string[]) => globs.map((g) => new Minimatch(g, { dot: true }));
    const include = compile(this.settings.include);
    const exclude = compile(this.settings.exclude);
    const scoped = new Map<string, boolean>();
    const inScope = (file: string): boolean => {
      let yes = scoped.get(file);
      if (yes === undefined) {
        const r = nodePath.posix.relative(this.root, file);
        yes = under.some((p) => isInside(file, p)) && (include.length === 0 || include.some((m) => m.match(r))) && !exclude.some((m) => m.match(r));
        scoped.set(file, yes);
      }
      return yes;
    };
    this.lastScope = { key, settings: this.settings, inScope };
    return inScope;
  }

  /**
   * A first, partial analysis of `files` (the editor's open files, absolute) for while the project is not
   * loaded yet, so that their first diagnostics do not wait for the whole folder: over a small program of those
   * files, the files whose import specifiers name one of them (a text search), and what these import. Handlers
   * registered elsewhere, mount prefixes declared elsewhere and the other handlers of an event-loop domain are
   * not seen, so the full analysis that follows may find more or label handlers differently. Answers while the
   * project loads and its first analysis runs (see analyzeAsync); undefined after. Throws what the engine throws.
   */
  firstLook(files: string[]): AnalysisResult | undefined {
    if (this.loaded && !this.warming) return undefined;
    const open = files.map((f) => normalizePath(nodePath.resolve(f))).filter((f) => this.isUnderRoot(f));
    if (open.length === 0) return undefined;
    const glance = this.glanceAt(open);
    const program = glance.project.getProgram().compilerObject;
    const sources = program.getSourceFiles().filter((sf) => !sf.isDeclarationFile && !sf.fileName.includes('/node_modules/') && this.isUnderRoot(normalizePath(sf.fileName)) && !overBudget(sf));
    const inScope = this.scope(open);
    const { handlers, findings } = analyzeProgram({ program, files: sources, inScope, settings: this.settings, incremental: glance.cache });
    return { handlers, findings, skipped: [], files: sources.map((sf) => normalizePath(sf.fileName)).filter(inScope) };
  }

  /**
   * The first look's program for `open`: the last one with the editor's texts put in, while the open files and
   * their imports are the same (an edit while the project loads, gen-1000 in-process: ~600 → 10–35 ms), else a new one.
   */
  private glanceAt(open: string[]): Glance {
    const key = open.join('\n');
    const imports = open.map((f) => importSpecifiers(this.overlays.get(f) ?? readSource(f))).join('\n');
    const last = this.glance;
    if (last?.key === key && last.imports === imports) {
      try {
        for (const [file, text] of this.overlays) {
          const sf = last.project.getSourceFile(file);
          if (sf && sf.getFullText() !== text) last.project.createSourceFile(file, text, { overwrite: true });
        }
        return last;
      } catch {
        // Text the parser cannot take: a new program leaves the file out (project.ts#addFile).
      }
    }
    const escape = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // An index file is imported by its folder's name (`./row`, `./row/index`): "index" alone names every one.
    const names = open.map((f) => {
      const name = nodePath.posix.basename(f).replace(/\.[cm]?[jt]sx?$/i, '');
      return name === 'index' ? `${escape(nodePath.posix.basename(nodePath.posix.dirname(f)))}(?:/index)?` : escape(name);
    });
    const specifier = new RegExp(`['"\`][^'"\`\\n]*/(?:${names.join('|')})(?:\\.[cm]?[jt]sx?)?['"\`]`);
    // One read per file: the text searched here (the unsaved text when open) is the one the first look parses.
    const texts = new Map(this.overlays);
    const importers = sourceFiles(this.root, this.settings.exclude).filter((f) => {
      const file = normalizePath(f);
      if (open.includes(file)) return false;
      const text = texts.get(file) ?? readSource(f);
      if (typeof text !== 'string' || !specifier.test(text)) return false;
      texts.set(file, text);
      return true;
    });
    const project = loadFilesProject(this.root, [...open, ...importers], this.tsconfig, texts);
    return (this.glance = { key, imports, project, cache: new IncrementalCache() });
  }

  private *analyzeSteps(options: AnalyzeOptions): Generator<AnalysisStep, AnalysisResult> {
    const { token } = options;
    throwIfCancelled(token);
    const { parts, skipped } = yield* this.loadSteps();
    throwIfCancelled(token);
    const inScope = this.scope(options.paths);
    const overBudgetFiles = [...this.overBudget].map(([file, reason]) => ({ file, reason }));
    // One program per tsconfig (./project.ts#loadProjects). Each discovers handlers in the files it owns and
    // follows their calls into any file, so a finding in one package reached from another's handler is kept;
    // suppressions are shared, so a comment silences a finding whichever program reaches it.
    const programs = parts.map((part) => {
      const program = part.project.getProgram().compilerObject;
      const files = program.getSourceFiles().filter((sf) => {
        if (sf.isDeclarationFile || sf.fileName.includes('/node_modules/')) return false;
        const f = normalizePath(sf.fileName);
        // Also checked for files outside the root that the program imports, so calls into them are not followed.
        const reason = overBudget(sf);
        if (reason && !this.overBudget.has(f) && !overBudgetFiles.some((o) => o.file === f)) overBudgetFiles.push({ file: f, reason });
        return !reason && this.isUnderRoot(f) && (parts.length === 1 || part.own.has(f));
      });
      return { program, files, incremental: this.once ? undefined : this.incrementalFor(part) };
    });
    const total = programs.reduce((n, p) => n + p.files.length, 0);
    const suppressions = new Suppressions();
    const handlers = new Map<string, Handler>();
    const findings = new Map<string, Finding>();
    let before = 0;
    for (const { program, files, incremental } of programs) {
      throwIfCancelled(token);
      const steps = analyzeProgramSteps({ program, files, inScope, settings: this.settings, token, suppressions, incremental });
      // Progress counts the files of all programs: this one's steps are shifted by the files of those before it.
      let next = steps.next();
      while (!next.done) {
        yield { ...next.value, filesDone: before + next.value.filesDone, files: total };
        next = steps.next();
      }
      before += files.length;
      for (const h of next.value.handlers) if (!handlers.has(h.id)) handlers.set(h.id, h);
      for (const f of next.value.findings) {
        const key = `${f.ruleId} ${f.location.file}:${f.location.range.start.line}:${f.location.range.start.character}`;
        if (!findings.has(key)) findings.set(key, f);
      }
    }
    const allFiles = programs.flatMap((p) => p.files);
    const result = {
      handlers: [...handlers.values()],
      findings: [...findings.values(), ...unusedSuppressionFindings(suppressions, allFiles, inScope, this.settings)].sort(compareFindings),
      skipped: [...skipped, ...overBudgetFiles].filter((s) => inScope(s.file) || s.file.endsWith('tsconfig.json')),
      files: [...new Set(allFiles.map((f) => normalizePath(f.fileName)))].filter(inScope),
    };
    // A monorepo audit analyses its packages one after another: each one's programs go before the next loads.
    if (this.once) this.loaded = undefined;
    return result;
  }
}
