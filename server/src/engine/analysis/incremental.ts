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
 * - each handler's reached functions (with their call chains): stale when one of the files they lie in is.
 *
 * Anything the analysis cannot attribute to files resets the whole cache: files added or removed, a change in a
 * declaration or `node_modules` file, a change touching `UV_THREADPOOL_SIZE` (project facts read by fan-out
 * fixes), a function that became or stopped being a handler outside the changed files, other settings.
 */
import { ts } from 'ts-morph';
import { normalizePath, type FunctionNode } from '../ast';
import type { DiscoveredHandler, FileDiscovery, Mount } from '../discovery';
import type { EngineSettings } from '../settings';
import type { ChainHop, HandlerKind } from '../types';
import type { Summaries } from './summary';

/** A function a handler reaches, with the call chain that reaches it (see ./index.ts#reach). */
export interface Reached {
  fn: FunctionNode;
  chain: ChainHop[];
  /** Reached only through a call made inside a blocking data loop: its own loops are that loop's inner work. */
  covered: boolean;
}

interface CachedReach {
  /** The handler's label (with its mount prefix): the first hop of every chain. */
  label: string;
  reached: Reached[];
  /** The files of the reached functions. */
  files: Set<string>;
}

const THREADPOOL_SETTING = /UV_THREADPOOL_SIZE/;

/** Whether a file re-exports another module (`export … from`), so its importers see the other module's types. */
function reExports(sf: ts.SourceFile): boolean {
  return sf.statements.some((s) => ts.isExportDeclaration(s) && s.moduleSpecifier !== undefined);
}

/**
 * The state kept across analyses of one project (one tsconfig's program). Use: {@link begin} with each new
 * program, then the lookups; a fresh instance (or a reset) makes the analysis a full one.
 */
export class IncrementalCache {
  private settings?: EngineSettings;
  /** The project files of the last program, by path. */
  private files = new Map<string, ts.SourceFile>();
  /** The other files of the last program (declarations, `node_modules`). */
  private others = new Set<ts.SourceFile>();
  private discovery = new WeakMap<ts.SourceFile, { fd: FileDiscovery; mounts: Mount[] }>();
  private importCache = new WeakMap<ts.SourceFile, string[]>();
  private reaches = new WeakMap<DiscoveredHandler, CachedReach>();
  /** Last run's resolved imports, by file. */
  private lastImports: ReadonlyMap<string, readonly string[]> = new Map();
  private lastHandlerFns = new Map<ts.Node, HandlerKind>();
  private summaries?: Summaries;
  /** Files changed since the last program; undefined when everything is to be recomputed. */
  private changed?: Set<string>;
  /** Files whose cached facts are stale (changed files and their importers); undefined: all. */
  private stale?: Set<string>;
  /** Whether the last run finished; a cancelled run's changes carry over to the next one. */
  private finished = true;

  /**
   * Compares a new program with the last one. Returns the files that changed (by path), or undefined when the
   * cache was reset and everything is recomputed.
   */
  begin(program: ts.Program, files: readonly ts.SourceFile[], settings: EngineSettings): ReadonlySet<string> | undefined {
    const next = new Map(files.map((sf) => [normalizePath(sf.fileName), sf] as const));
    const others = new Set(program.getSourceFiles().filter((sf) => !next.has(normalizePath(sf.fileName))));
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
    this.settings = settings;
    this.files = next;
    this.others = others;
    if (reset) {
      this.discovery = new WeakMap();
      this.importCache = new WeakMap();
      this.reaches = new WeakMap();
      this.lastImports = new Map();
      this.lastHandlerFns = new Map();
      this.summaries = undefined;
    }
    this.changed = reset ? undefined : changed;
    this.stale = undefined;
    this.finished = false;
    return this.changed;
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
  settleImports(imports: ReadonlyMap<string, readonly string[]>): void {
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
    this.stale = stale;
  }

  /** Whether facts about `file` computed for an earlier program may no longer hold. */
  isStale = (file: string): boolean => !this.stale || this.stale.has(file);

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
    const fileOf = (n: ts.Node) => normalizePath(n.getSourceFile().fileName);
    let same = this.summaries !== undefined && this.stale !== undefined;
    for (const [a, b] of [
      [handlerFns, this.lastHandlerFns],
      [this.lastHandlerFns, handlerFns],
    ] as const) {
      if (!same) break;
      for (const [fn, kind] of a) {
        if (b.get(fn) !== kind && !this.isStale(fileOf(fn))) {
          same = false;
          break;
        }
      }
    }
    this.lastHandlerFns = new Map(handlerFns);
    if (same) summaries.adopt(this.summaries!, this.isStale);
    else this.reaches = new WeakMap();
    this.summaries = summaries;
  }

  /** The functions a handler reaches under `label`, when still valid. */
  reached(d: DiscoveredHandler, label: string): Reached[] | undefined {
    const c = this.reaches.get(d);
    if (!c || c.label !== label || !this.stale) return undefined;
    for (const f of c.files) if (this.stale.has(f)) return undefined;
    return c.reached;
  }

  /** Remembers what a handler reaches. */
  keepReached(d: DiscoveredHandler, label: string, reached: Reached[]): void {
    const files = new Set<string>();
    for (const r of reached) files.add(normalizePath(r.fn.getSourceFile().fileName));
    this.reaches.set(d, { label, reached, files });
  }
}
