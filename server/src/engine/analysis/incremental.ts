/**
 * What one analysis of a program keeps for the next analysis of the same project (the editor re-analyses after
 * every edit). ts-morph builds each new program from the old one, so a file the edit did not touch keeps its
 * `ts.SourceFile` object, its syntax nodes and their binding; everything here is keyed by those objects and
 * dropped when the files it depends on changed:
 *
 * - a file's discovery (handlers, mounts, entry/worker facts) and its resolved imports: stale when the file
 *   changed or imports a changed file (its types may come from there), following re-exporting files;
 * - function summaries (./summary.ts): stale with the file of the function, of any function it calls, or of
 *   any function those call (transitively);
 * - each handler's reached functions (with their call chains): stale when one of the files they lie in is;
 * - each handler's trace (./trace.ts): stale when one of its reached functions has a new summary;
 * - each handler's outcome (./outcome.ts: its record, bound class, mixed-bound inputs and findings): stale with
 *   its trace, label, id, locations or domains, or with whether it runs off the event loop;
 * - each handler's registration and body locations: kept with the file's discovery.
 *
 * An edit that kept each changed file's shape (./shape.ts: function bodies changed without changing an inferred
 * return type, declarations added or removed that no importer names) leaves the importers' facts valid: only the
 * changed files are stale, and what other files' facts say of the changed files' functions (handlers, call
 * edges) moves to the new nodes. A summary that read a changed function's body (FnSummary.reads) is dropped all
 * the same.
 *
 * Anything the analysis cannot attribute to files resets the whole cache: files added or removed, a change in a
 * declaration or `node_modules` file, a change touching `UV_THREADPOOL_SIZE` (project facts read by fan-out
 * fixes), a function that became or stopped being a handler outside the changed files, other settings.
 */
import { ts } from 'ts-morph';
import { declaredNames, isJavaScriptFile, normalizePath, type FunctionNode } from '../ast';
import { checkerOf } from '../bind';
import type { DiscoveredHandler, FileDiscovery, Mount } from '../discovery';
import type { EngineSettings } from '../settings';
import type { HandlerKind, Location } from '../types';
import { sameInputs, type HandlerOutcome, type OutcomeInputs } from './outcome';
import type { Reached } from './reach';
import { importerMaySee, inferredReturnTypesMatch, matchShape, type ShapeMatch } from './shape';
import type { FnSummary, Summaries } from './summary';
import { traceHandler, type TraceItem } from './trace';

interface CachedReach {
  /** The handler's label (with its mount prefix): the first hop of every chain. */
  label: string;
  reached: Reached[];
  /** The files of the reached functions. */
  files: Set<string>;
}

/** Where a handler is registered, and its body (see {@link IncrementalCache.locations}). */
export interface HandlerLocations {
  registration: Location;
  body?: Location;
}

const THREADPOOL_SETTING = /UV_THREADPOOL_SIZE/;

/**
 * The file a declaration file stands for: a second copy of a package (same name and version elsewhere in
 * node_modules) is a redirect to the first, and TypeScript makes a new redirect object for each new program.
 */
function unredirected(sf: ts.SourceFile): ts.SourceFile {
  return (sf as { redirectInfo?: { redirectTarget: ts.SourceFile } }).redirectInfo?.redirectTarget ?? sf;
}

/** Whether a file re-exports another module (`export … from`), so its importers see the other module's types. */
function reExports(sf: ts.SourceFile): boolean {
  return sf.statements.some((s) => ts.isExportDeclaration(s) && s.moduleSpecifier !== undefined);
}

/**
 * The state kept across analyses of one project (one tsconfig's program). Use: {@link begin} with each new
 * program, then the lookups; a fresh instance (or a reset) makes the analysis a full one.
 */
export class IncrementalCache {
  /**
   * @param keeps false for a one-shot analysis (the CLI): handlers' reaches are not kept, so each handler's
   * reach and trace (keyed by the reach) become garbage once used, and the summaries skip the indexes that
   * only adoption by a next program needs. The rest dies with the cache, which a one-shot caller drops.
   */
  constructor(readonly keeps = true) {}

  private settings?: EngineSettings;
  /** The project files of the last program, by path. */
  private files = new Map<string, ts.SourceFile>();
  /** The other files of the last program (declarations, `node_modules`). */
  private others = new Set<ts.SourceFile>();
  private discovery = new WeakMap<ts.SourceFile, { fd: FileDiscovery; mounts: Mount[] }>();
  private importCache = new WeakMap<ts.SourceFile, string[]>();
  private reaches = new WeakMap<DiscoveredHandler, CachedReach>();
  /** Keyed by the reached list, which is kept only while valid (see {@link reached}). */
  private traces = new WeakMap<readonly Reached[], { summaries: FnSummary[]; items: TraceItem[] }>();
  private handlerLocations = new WeakMap<DiscoveredHandler, HandlerLocations>();
  /** Each handler's outcome in the last run (./outcome.ts), kept with its discovery. */
  private outcomes = new WeakMap<DiscoveredHandler, HandlerOutcome>();
  /** Last run's resolved imports, by file. */
  private lastImports: ReadonlyMap<string, readonly string[]> = new Map();
  private lastHandlerFns = new Map<ts.Node, HandlerKind>();
  private summaries?: Summaries;
  /** Files changed since the last program; undefined when everything is to be recomputed. */
  private changed?: Set<string>;
  /** Files whose cached facts are stale (changed files and their importers); undefined: all. */
  private stale?: Set<string>;
  /** Per run: the stale names of importer files, and whether a top-level statement mentions one. */
  private staleNames = new Map<ts.SourceFile, Set<string> | undefined>();
  private staleStatements = new WeakMap<ts.Node, boolean>();
  private fileStates = new Map<ts.SourceFile, 'fresh' | 'changed' | 'importer'>();
  /** Per run: the file a module specifier resolves to from a file, when it resolves to a project file. */
  private resolve?: (specifier: string, from: ts.SourceFile) => string | undefined;
  /** Whether the last run finished; a cancelled run's changes carry over to the next one. */
  private finished = true;
  /**
   * Per run, when every changed file kept its shape (./shape.ts): their matches merged. `moved` maps each old
   * function to the new one (those nested in a changed body have none).
   */
  private shape?: Pick<ShapeMatch, 'moved' | 'names' | 'unshifted'>;

  /**
   * Compares a new program with the last one. Returns the files that changed (by path), or undefined when the
   * cache was reset and everything is recomputed.
   */
  begin(program: ts.Program, files: readonly ts.SourceFile[], settings: EngineSettings): ReadonlySet<string> | undefined {
    const next = new Map(files.map((sf) => [normalizePath(sf.fileName), sf] as const));
    const others = new Set(program.getSourceFiles().flatMap((sf) => (next.has(normalizePath(sf.fileName)) ? [] : [unredirected(sf)])));
    const carried = this.finished ? new Set<string>() : this.changed;
    let reset = !carried || this.settings !== settings || next.size !== this.files.size || others.size !== this.others.size;
    const changed = new Set<string>(carried);
    if (!reset) {
      for (const [file, sf] of next) {
        const old = this.files.get(file);
        if (old === sf) continue;
        if (!old || THREADPOOL_SETTING.test(old.text) || THREADPOOL_SETTING.test(sf.text)) {
          reset = true;
          break;
        }
        changed.add(file);
      }
    }
    if (!reset) for (const sf of others) if (!this.others.has(sf)) reset = true;
    const checker = checkerOf(program);
    this.shape = !reset && carried!.size === 0 && changed.size > 0 ? this.shapeKept(changed, next, checker) : undefined;
    this.settings = settings;
    this.files = next;
    this.others = others;
    if (reset) {
      this.discovery = new WeakMap();
      this.importCache = new WeakMap();
      this.reaches = new WeakMap();
      this.outcomes = new WeakMap();
      this.lastImports = new Map();
      this.lastHandlerFns = new Map();
      this.summaries = undefined;
    }
    this.changed = reset ? undefined : changed;
    this.stale = undefined;
    this.staleNames = new Map();
    this.staleStatements = new WeakMap();
    this.fileStates = new Map();
    this.finished = false;
    return this.changed;
  }

  /**
   * When every changed file kept its shape: their matches merged, after moving the handlers of the other files'
   * kept discoveries onto the new nodes. The old checker is the last summaries'. Undefined when one did not (or
   * nothing is kept for a next run: the summaries have no indexes to adopt by), or when a kept discovery
   * holds what cannot move: a function nested in a changed body, a router symbol of a changed file (its new
   * binding makes new symbols, which the changed file's own mounts now use).
   */
  private shapeKept(changed: ReadonlySet<string>, next: ReadonlyMap<string, ts.SourceFile>, checker: ts.TypeChecker): IncrementalCache['shape'] {
    if (!this.keeps || !this.summaries) return undefined;
    const shape = { moved: new Map<FunctionNode, FunctionNode>(), names: [] as string[], unshifted: new Set<FunctionNode>() };
    const { moved } = shape;
    const oldFiles = new Set<ts.SourceFile>();
    for (const file of changed) {
      const before = this.files.get(file)!;
      const m = matchShape(before, next.get(file)!);
      if (!m || !inferredReturnTypesMatch(m.changed, this.summaries.checker, checker)) return undefined;
      oldFiles.add(before);
      for (const [a, b] of m.moved) moved.set(a, b);
      shape.names.push(...m.names);
      for (const fn of m.unshifted) shape.unshifted.add(fn);
    }
    const inChanged = (n: ts.Node | undefined) => n !== undefined && oldFiles.has(n.getSourceFile());
    const declaredInChanged = (s: ts.Symbol | undefined) => s?.declarations?.some(inChanged) === true;
    const moves: DiscoveredHandler[] = [];
    for (const [file, sf] of next) {
      if (changed.has(file)) continue;
      const entry = this.discovery.get(sf);
      if (!entry) continue;
      if (entry.mounts.some((m) => declaredInChanged(m.target) || declaredInChanged(m.parent) || inChanged(m.via))) return undefined;
      for (const d of entry.fd.handlers) {
        if (declaredInChanged(d.router)) return undefined;
        if (!inChanged(d.fn)) continue;
        if (!moved.has(d.fn!)) return undefined;
        moves.push(d);
      }
    }
    for (const d of moves) {
      d.fn = moved.get(d.fn!);
      // Its body's range may have moved with the edit.
      this.handlerLocations.delete(d);
    }
    return shape;
  }

  /** The run over the program given to {@link begin} completed: its changes need not carry over. */
  finish(): void {
    this.finished = true;
  }

  /** A file's resolved imports (computed by `compute` unless cached and the file is unchanged). */
  importsOf(sf: ts.SourceFile, compute: () => string[]): string[] {
    let out = this.changed?.has(normalizePath(sf.fileName)) === false ? this.importCache.get(sf) : undefined;
    if (!out) {
      out = compute();
      this.importCache.set(sf, out);
    }
    return out;
  }

  /**
   * After the imports of every file are known: the stale files are the changed ones and the files importing
   * them, through any chain of re-exporting files (in the old or the new import graph).
   */
  settleImports(imports: ReadonlyMap<string, readonly string[]>, resolve: (specifier: string, from: ts.SourceFile) => string | undefined): void {
    this.resolve = resolve;
    const last = this.lastImports;
    this.lastImports = new Map(imports);
    if (!this.changed) return;
    const importers = new Map<string, string[]>();
    for (const graph of [last, imports]) {
      for (const [from, tos] of graph) {
        for (const to of tos) {
          const list = importers.get(to);
          if (list) list.push(from);
          else importers.set(to, [from]);
        }
      }
    }
    const stale = new Set(this.changed);
    const queue = [...this.changed];
    while (queue.length) {
      const file = queue.pop()!;
      for (const importer of importers.get(file) ?? []) {
        if (stale.has(importer)) continue;
        stale.add(importer);
        const sf = this.files.get(importer);
        if (sf && reExports(sf)) queue.push(importer);
      }
    }
    // An edit that kept its files' shape is seen by their importers only through added or removed names.
    const loadsChanged = (spec: string, from: ts.SourceFile) => {
      const target = this.resolve?.(spec, from);
      return target !== undefined && this.changed!.has(target);
    };
    const sees = (file: string) => {
      const sf = this.files.get(file);
      return !sf || importerMaySee(sf, this.shape!.names, loadsChanged);
    };
    if (this.shape && [...stale].every((f) => this.changed!.has(f) || !sees(f))) {
      this.stale = new Set(this.changed);
      return;
    }
    this.shape = undefined;
    this.stale = stale;
  }

  /** Whether facts about `file` computed for an earlier program may no longer hold. */
  isStale = (file: string): boolean => !this.stale || this.stale.has(file);

  /**
   * Whether facts about the code of `node` computed for an earlier program may no longer hold: always in a
   * changed file; in a file stale only because it imports one, when the top-level statement holding the node
   * mentions a name bound to a stale module (directly or through the file's own top-level declarations that
   * mention one), since only through those names can types or calls of the changed file reach it.
   */
  isStaleNode = (node: ts.Node): boolean => {
    if (!this.stale) return true;
    const sf = node.getSourceFile();
    let state = this.fileStates.get(sf);
    if (state === undefined) {
      const file = normalizePath(sf.fileName);
      state = !this.stale.has(file) ? 'fresh' : this.changed?.has(file) !== false ? 'changed' : 'importer';
      this.fileStates.set(sf, state);
    }
    if (state !== 'importer') return state === 'changed';
    const names = this.staleNamesOf(sf);
    if (!names) return true;
    let top: ts.Node = node;
    while (top.parent && top.parent !== sf) top = top.parent;
    let yes = this.staleStatements.get(top);
    if (yes === undefined) {
      yes = mentions(top, names);
      this.staleStatements.set(top, yes);
    }
    return yes;
  };

  /**
   * The names in `sf` through which a stale module can reach its code: its imports of stale modules and the
   * top-level declarations that mention them. Undefined when it cannot tell (CommonJS `require`, dynamic
   * `import()`, `import x = require()`, JavaScript): then the whole file is stale.
   */
  private staleNamesOf(sf: ts.SourceFile): Set<string> | undefined {
    if (this.staleNames.has(sf)) return this.staleNames.get(sf);
    let names: Set<string> | undefined = new Set<string>();
    if (isJavaScriptFile(sf.fileName) || /\brequire\s*\(|\bimport\s*\(/.test(sf.text)) names = undefined;
    for (const st of sf.statements) {
      if (!names) break;
      if (ts.isImportEqualsDeclaration(st)) names = undefined;
      else if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
        const target = this.resolve?.(st.moduleSpecifier.text, sf);
        if (target !== undefined && !this.isStale(target)) continue;
        for (const n of declaredNames(st)) names.add(n);
      }
    }
    for (let grew = names !== undefined && names.size > 0; grew; ) {
      grew = false;
      for (const st of sf.statements) {
        if (ts.isImportDeclaration(st)) continue;
        const declared = declaredNames(st).filter((n) => !names!.has(n));
        if (declared.length > 0 && mentions(st, names!)) {
          for (const n of declared) names!.add(n);
          grew = true;
        }
      }
    }
    this.staleNames.set(sf, names);
    return names;
  }

  /** A file's discovery, with the router mounts it declares (recomputed when the file is stale). */
  discover(sf: ts.SourceFile, compute: (mounts: Mount[]) => FileDiscovery): { fd: FileDiscovery; mounts: Mount[] } {
    let entry = this.isStale(normalizePath(sf.fileName)) ? undefined : this.discovery.get(sf);
    if (!entry) {
      const mounts: Mount[] = [];
      entry = { fd: compute(mounts), mounts };
      this.discovery.set(sf, entry);
    }
    return entry;
  }

  /**
   * Hands the summaries of the last program to `summaries` (built on the new checker), except the stale ones.
   * All are dropped when a function outside the stale files became or stopped being a handler (or changed
   * kind): summaries do not follow calls into handlers.
   */
  adoptSummaries(summaries: Summaries, handlerFns: ReadonlyMap<ts.Node, HandlerKind>): void {
    let same = this.summaries !== undefined && this.stale !== undefined;
    for (const [a, b] of [
      [handlerFns, this.lastHandlerFns],
      [this.lastHandlerFns, handlerFns],
    ] as const) {
      if (!same) break;
      for (const [fn, kind] of a) {
        if (b.get(fn) !== kind && !this.isStaleNode(fn)) {
          same = false;
          break;
        }
      }
    }
    // Summaries do not follow calls into handlers: a kept caller of a function that became or stopped being one
    // would keep the wrong edges.
    for (const [old, now] of this.shape?.moved ?? []) if (this.lastHandlerFns.get(old) !== handlerFns.get(now)) same = false;
    if (same) summaries.adopt(this.summaries!, (sf) => this.isStale(normalizePath(sf.fileName)), this.isStaleNode, this.shape && { ...this.shape, files: this.changed! });
    else this.reaches = new WeakMap();
    this.lastHandlerFns = new Map(handlerFns);
    this.summaries = summaries;
    // The old nodes are of no more use: let the old file go.
    this.shape = undefined;
  }

  /**
   * A discovered handler's registration and body locations. A discovery is kept only while its file is
   * unchanged (see {@link discover}), so they are computed once per discovery.
   */
  locations(d: DiscoveredHandler, compute: () => HandlerLocations): HandlerLocations {
    let out = this.handlerLocations.get(d);
    if (!out) {
      out = compute();
      this.handlerLocations.set(d, out);
    }
    return out;
  }

  /** A handler's trace over `reached` (./trace.ts), kept while every reached function keeps the same summary object. */
  trace(reached: readonly Reached[], summaryOf: (fn: FunctionNode) => FnSummary): TraceItem[] {
    const kept = this.traces.get(reached);
    if (kept && reached.every((r, i) => summaryOf(r.fn) === kept.summaries[i])) return kept.items;
    const summaries = reached.map((r) => summaryOf(r.fn));
    const items = traceHandler(reached, summaries);
    this.traces.set(reached, { summaries, items });
    return items;
  }

  /** The functions a handler reaches under `label`, when still valid. */
  reached(d: DiscoveredHandler, label: string): Reached[] | undefined {
    const c = this.reaches.get(d);
    if (!c || c.label !== label || !this.stale) return undefined;
    for (const f of c.files) if (this.stale.has(f) && c.reached.some((r) => this.isStaleNode(r.fn))) return undefined;
    return c.reached;
  }

  /** A handler's outcome from the last run, when it was made from the same inputs. */
  outcome(d: DiscoveredHandler, inputs: OutcomeInputs): HandlerOutcome | undefined {
    const kept = this.outcomes.get(d);
    return kept && sameInputs(kept.inputs, inputs) ? kept : undefined;
  }

  /** Remembers a handler's outcome (not for a one-shot analysis). */
  keepOutcome(d: DiscoveredHandler, outcome: HandlerOutcome): void {
    if (this.keeps) this.outcomes.set(d, outcome);
  }

  /** Remembers what a handler reaches. */
  keepReached(d: DiscoveredHandler, label: string, reached: Reached[]): void {
    if (!this.keeps) return;
    const files = new Set<string>();
    for (const r of reached) files.add(normalizePath(r.fn.getSourceFile().fileName));
    this.reaches.set(d, { label, reached, files });
  }
}

/** Whether an identifier under `node` is spelled like one of `names` (shadowing only makes it say yes more often). */
function mentions(node: ts.Node, names: ReadonlySet<string>): boolean {
  const visit = (n: ts.Node): boolean => (ts.isIdentifier(n) ? names.has(n.text) : ts.forEachChild(n, visit) === true);
  return visit(node);
}
