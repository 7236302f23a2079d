/**
 * Per-function summaries: what a function's own work contains (rule detections, calls into other project
 * functions, waits on I/O or the thread pool). Computed once per function and shared by every handler that
 * reaches it.
 */
import { ts } from 'ts-morph';
import { calleeName, isFunctionWithBody, normalizePath, type FunctionNode } from '../ast';
import { resolveCallee, resolveFunctionValue, returnsPromise, type CalleeInfo } from '../resolve';
import type { EngineSettings } from '../settings';
import type { DetectEnv, Detection, LinearWork, Rule } from '../rules/rule';
import { insideBlockingLoop, isBlockingDataLoop, loopSize, scanned } from '../rules/blocking-cpu/data-loop';
import { holdsRows, isArrayMethodLoop, isDataScan, loopCollection } from './loops';
import { isElementPart, originOf, type Memo } from './provenance';
import { isInlineCallback, walkOwnWork } from './walk';
import type { ProjectFacts } from './concurrency';
import type { FunctionNames } from './function-names';

/** A call from one project function into another. */
export interface CallEdge {
  site: ts.Node;
  callee: FunctionNode;
  name: string;
  /** The call happens inside a blocking data loop of the caller, so the callee's own loops are that loop's inner work. */
  inLoop: boolean;
}

/** A wait on something outside the event loop's own CPU time, or a whole body held in memory. */
export interface IoEvidence {
  bound: 'io' | 'threadpool' | 'memory';
  node: ts.Node;
  reason: string;
}

export interface FnSummary {
  fn: FunctionNode;
  detections: readonly Detection[];
  calls: readonly CallEdge[];
  io: readonly IoEvidence[];
  /**
   * The files of the functions whose bodies the summary's facts were read from, its own file included when it
   * read another function there: a callee's loops (linear work), its return statements (where a value comes
   * from), a limiter it forwards to. A summary that read none of an edited file's bodies is kept when the edit
   * kept the file's shape (see {@link Summaries.adopt}).
   */
  reads: ReadonlySet<string>;
}

/** Node APIs that run on libuv's thread pool (https://docs.libuv.org/en/v1.x/threadpool.html). */
export const THREADPOOL_CRYPTO = new Set(['pbkdf2', 'scrypt', 'randomBytes', 'randomFill', 'generateKeyPair', 'hkdf', 'generatePrime', 'checkPrime']);
const STREAM_MODULES = new Set(['net', 'stream', 'http', 'https', 'http2', 'tls', 'dgram']);

/** Reading a whole request or response body into memory (fetch's Body mixin, `Buffer.concat`, raw-body readers). */
const BODY_BUFFERING = new Set(['text', 'json', 'arrayBuffer', 'blob', 'formData']);
const RAW_BODY_PACKAGES = new Set(['raw-body', 'get-stream', 'stream-to-array', 'concat-stream', 'co-body']);

function memoryOf(call: ts.CallExpression | ts.NewExpression, callee: CalleeInfo | undefined, name: string): IoEvidence | undefined {
  if (!ts.isCallExpression(call)) return undefined;
  const recv = ts.isPropertyAccessExpression(call.expression) ? call.expression.expression.getText() : '';
  if (name === 'concat' && recv === 'Buffer') return { bound: 'memory', node: call, reason: 'Buffer.concat holds the whole body' };
  if (BODY_BUFFERING.has(name) && call.arguments.length === 0 && callee && !callee.body && /(?:^|\/)(?:undici-types|typescript)$|lib\.dom/.test(callee.packageName ?? 'typescript')) {
    return { bound: 'memory', node: call, reason: `${recv || 'body'}.${name}() reads the whole body` };
  }
  if (callee?.packageName && RAW_BODY_PACKAGES.has(callee.packageName)) return { bound: 'memory', node: call, reason: `${name} (${callee.packageName}) reads the whole body` };
  return undefined;
}

/** Classifies a call to an API without a body in the project as a wait on I/O or the thread pool, or as buffering. */
function ioOf(checker: ts.TypeChecker, call: ts.CallExpression | ts.NewExpression, callee: CalleeInfo | undefined): IoEvidence | undefined {
  if (callee?.body) return undefined;
  const name = callee?.name ?? calleeName(call) ?? '';
  const memory = memoryOf(call, callee, name);
  if (memory) return memory;
  if (name.endsWith('Sync')) return undefined;
  const m = callee?.nodeModule;
  if (m === 'fs' || m === 'zlib' || (m === 'dns' && name === 'lookup') || (m === 'crypto' && THREADPOOL_CRYPTO.has(name))) {
    return { bound: 'threadpool', node: call, reason: `${name} (node:${m}, libuv thread pool)` };
  }
  if (m === 'child_process' || m === 'dns') return { bound: 'io', node: call, reason: `${name} (node:${m})` };
  if (m && STREAM_MODULES.has(m) && name === 'write') return { bound: 'io', node: call, reason: `${name} (node:${m} stream)` };
  if (ts.isCallExpression(call) && returnsPromise(checker, call)) {
    return { bound: 'io', node: call, reason: `${name || 'call'}${callee?.packageName ? ` (${callee.packageName})` : ''} returns a promise` };
  }
  return undefined;
}

/** The lists and read set of a summary that has none: most functions detect nothing, and many call nothing. */
const NONE: readonly never[] = Object.freeze([]);
const NO_READS: ReadonlySet<string> = new Set();

/** `list`, or the shared empty list: a summary is kept per function of the program. */
function kept<T>(list: T[]): readonly T[] {
  return list.length > 0 ? list : NONE;
}

/** Builds and caches function summaries for one program. */
export class Summaries {
  /** The summaries, resolved callees and their indexes: what {@link adopt} hands from one program to the next. */
  private state: SummaryState = newState();
  private readonly linear = new Map<FunctionNode, Memo<LinearWork>>();
  private readonly blockingLoops = new WeakMap<ts.Node, Memo<boolean>>();
  /** The files read from by the summary or linear-work fact being computed. */
  private reading?: Set<string>;
  /** The function whose summary is being built: reading its own text is no dependency. */
  private building?: FunctionNode;

  constructor(
    readonly checker: ts.TypeChecker,
    private readonly rules: readonly Rule[],
    private readonly settings: EngineSettings,
    private readonly isHandlerFn: (n: ts.Node) => boolean,
    private readonly project?: ProjectFacts,
    /** When given, a property-access argument is resolved only when it carries one of these names. */
    private readonly functionNames?: FunctionNames,
    /** Whether to keep the indexes {@link adopt} needs; a one-shot analysis has no next program to hand them to. */
    private readonly indexed = true,
  ) {}

  /** What a call invokes, cached per call site. */
  callee = (call: ts.CallExpression | ts.NewExpression): CalleeInfo | undefined => {
    let c = this.state.calleeCache.get(call);
    if (c === undefined) {
      c = resolveCallee(this.checker, call) ?? null;
      this.state.calleeCache.set(call, c);
      if (this.indexed) {
        addTo(this.state.callsByFile, call.getSourceFile(), call);
        if (c?.body) addTo(this.state.callsByFile, c.body.getSourceFile(), call);
      }
    }
    return c ?? undefined;
  };

  isInline = (fn: ts.Node): boolean => isInlineCallback(fn, this.isHandlerFn);

  /** Records that the fact being computed reads another function's body (see {@link FnSummary.reads}). */
  readsBody = (fn: ts.Node): void => {
    const own = this.building;
    const sf = fn.getSourceFile();
    if (own && sf === own.getSourceFile() && fn.pos >= own.pos && fn.end <= own.end) return;
    this.reading?.add(normalizePath(sf.fileName));
  };

  /**
   * Runs `compute`, collecting the files it reads for a memo; the caller's fact reads them too. A fact that read
   * no other body keeps no set: most do not, and a memo is kept per loop and per traced node (gen-5000: 7 MiB
   * of empty sets).
   */
  captureReads = <T>(compute: () => T): Memo<T> => {
    const outer = this.reading;
    const reads = new Set<string>();
    this.reading = reads;
    try {
      const value = compute();
      return reads.size > 0 ? { value, reads } : { value };
    } finally {
      this.reading = outer;
      for (const file of reads) outer?.add(file);
    }
  };

  replayReads = (reads: ReadonlySet<string> | undefined): void => {
    for (const file of reads ?? []) this.reading?.add(file);
  };

  isHandler = (fn: ts.Node): boolean => this.isHandlerFn(fn);

  /** Whether calling `fn` does work that grows with a collection, over what, and through which parameters (see LinearWork). */
  linearWork = (fn: FunctionNode): LinearWork => {
    this.readsBody(fn);
    const known = this.linear.get(fn);
    if (known) {
      this.replayReads(known.reads);
      return known.value;
    }
    this.linear.set(fn, { value: undefined }); // cycle guard: recursion counts as no extra work
    const m = this.captureReads(() => this.computeLinearWork(fn));
    this.linear.set(fn, m);
    return m.value;
  };

  private computeLinearWork(fn: FunctionNode): LinearWork {
    this.readsBody(fn);
    let level: 'row' | 'field' | undefined;
    const walked: { params: Set<number> | 'any' } = { params: new Set() };
    const env = { checker: this.checker, callee: this.callee, isHandler: this.isHandler, blockingLoops: this.blockingLoops, readsBody: this.readsBody, captureReads: this.captureReads, replayReads: this.replayReads };
    /** Records a walk over `size`; returns false when it is per-element or config work that costs nothing extra. */
    const over = (size: ts.Expression | undefined): boolean => {
      if (!size) {
        walked.params = 'any';
        return true;
      }
      if (isElementPart(env, size, fn)) return false;
      const o = originOf(env, size);
      if (o.kind === 'config' || o.kind === 'fixed') return false;
      if (o.kind === 'param' && o.fn === fn && o.index !== undefined) {
        if (walked.params !== 'any') walked.params.add(o.index);
      } else walked.params = 'any';
      return true;
    };
    const raise = (to: 'row' | 'field') => {
      if (to === 'row' || !level) level = to;
    };
    walkOwnWork(fn, this.isInline, (n) => {
      if (level === 'row' && walked.params === 'any') return false;
      const loop = isBlockingDataLoop(n, env);
      if ((loop || isDataScan(this.checker, n)) && over(loop ? loopSize(n) : scanned(n))) {
        const spread = ts.isSpreadElement(n) || ts.isSpreadAssignment(n);
        raise(holdsRows(this.checker, spread ? undefined : loopCollection(n)) ? 'row' : 'field');
      }
      if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
        const body = this.callee(n)?.body;
        const inner = body ? this.linearWork(body) : undefined;
        if (inner) {
          const args = n.arguments ?? [];
          const via = inner.params === 'any' ? [undefined] : inner.params.map((i) => args[i]);
          if (via.some((a) => over(a))) raise(inner.level);
        }
      }
      return undefined;
    });
    const p = walked.params;
    return level ? { level, params: p === 'any' ? 'any' : [...p].sort((a, b) => a - b) } : undefined;
  }

  /**
   * Takes over the summaries and resolved callees of the same project's previous program (an edit ago), except
   * those that may have changed: a summary is dropped when its function is stale (`staleNode`, see
   * ./incremental.ts), when it calls a stale function or one never summarised, or when it calls (transitively)
   * a function whose summary is dropped, since detections depend on the work of the functions called. Only the
   * files `staleFile` names are visited. Linear-work facts are recomputed on demand.
   *
   * With `shape` (the edit kept the shape of every changed file, ./shape.ts), a caller of a changed file's
   * functions keeps its summary, its call edges moved to the new functions, unless it read one of those
   * files' bodies ({@link FnSummary.reads}) or calls a function that has no new counterpart. So does a function
   * of a changed file that the edit left in place (`unshifted`: its text and all before it unchanged), its
   * nodes relocated into the new file, unless it read a changed file's bodies, its own included.
   */
  adopt(
    previous: Summaries,
    staleFile: (sf: ts.SourceFile) => boolean,
    staleNode: (n: ts.Node) => boolean,
    shape?: { moved: ReadonlyMap<FunctionNode, FunctionNode>; unshifted: ReadonlySet<FunctionNode>; files: ReadonlySet<string> },
  ): void {
    this.state = previous.state;
    const movable = (s: FnSummary) => s.calls.every((c) => !staleNode(c.callee) || shape!.moved.has(c.callee));
    const dropped = new Set<FunctionNode>();
    const staying: FunctionNode[] = [];
    for (const [sf, fns] of this.state.byFile) {
      if (!staleFile(sf)) continue;
      for (const fn of fns) {
        if (!staleNode(fn)) continue;
        if (shape?.unshifted.has(fn)) staying.push(fn);
        else dropped.add(fn);
      }
    }
    // A summary that read a changed body, directly or through callees (a caller's caller's loops), is stale.
    for (const file of shape?.files ?? []) for (const fn of this.state.readersOf.get(file) ?? []) dropped.add(fn);
    const moving: FunctionNode[] = [];
    for (const [sf, callers] of this.state.callsIntoFile) {
      if (!staleFile(sf)) continue;
      for (const fn of callers) {
        const s = this.state.cache.get(fn);
        if (!s?.calls.some((c) => staleNode(c.callee)) || dropped.has(fn) || staleNode(fn)) continue;
        if (shape && movable(s)) moving.push(fn);
        else dropped.add(fn);
      }
    }
    // A callee never summarised (past the reach limits) may itself call into a stale file.
    for (const fn of this.state.frontier) dropped.add(fn);
    // Callers of the changed files' functions were judged above: the rest of the callers of what is dropped go too.
    const queue = shape ? [...dropped].filter((fn) => !staleNode(fn)) : [...dropped];
    while (queue.length) {
      for (const caller of this.state.callersOf.get(queue.pop()!) ?? []) {
        if (!dropped.has(caller)) {
          dropped.add(caller);
          queue.push(caller);
        }
      }
    }
    const kept: FnSummary[] = [];
    for (const fn of staying) {
      const s = this.state.cache.get(fn)!;
      const next = !dropped.has(fn) && movable(s) ? relocated(s, staleNode, shape!.moved) : undefined;
      if (next) kept.push(next);
      else dropped.add(fn);
    }
    for (const fn of dropped) this.forget(fn);
    for (const fn of staying) if (!dropped.has(fn)) this.forget(fn);
    for (const fn of moving) if (!dropped.has(fn)) this.move(fn, staleNode, shape!.moved);
    for (const s of kept) {
      this.state.cache.set(s.fn, s);
      if (this.indexed) this.remember(s.fn, s);
    }
    for (const [sf, calls] of this.state.callsByFile) {
      if (!staleFile(sf)) continue;
      for (const call of calls) {
        const c = this.state.calleeCache.get(call);
        if (c !== undefined && !staleNode(call) && !(c?.body && staleNode(c.body))) continue;
        this.state.calleeCache.delete(call);
        calls.delete(call);
        this.state.callsByFile.get(call.getSourceFile())?.delete(call);
        if (c?.body) this.state.callsByFile.get(c.body.getSourceFile())?.delete(call);
      }
    }
    for (const index of [this.state.byFile, this.state.callsIntoFile, this.state.callsByFile]) dropEmpty(index);
    dropEmpty(this.state.readersOf);
  }

  /** Points a kept summary's calls into changed files at the new functions, in the summary and the indexes. */
  private move(fn: FunctionNode, staleNode: (n: ts.Node) => boolean, moved: ReadonlyMap<FunctionNode, FunctionNode>): void {
    const s = this.state.cache.get(fn)!;
    const calls = s.calls.map((c) => {
      if (!staleNode(c.callee)) return c;
      const callers = this.state.callersOf.get(c.callee);
      callers?.delete(fn);
      if (callers?.size === 0) this.state.callersOf.delete(c.callee);
      this.state.callsIntoFile.get(c.callee.getSourceFile())?.delete(fn);
      const callee = moved.get(c.callee)!;
      addTo(this.state.callersOf, callee, fn);
      addTo(this.state.callsIntoFile, callee.getSourceFile(), fn);
      // Until the new callee is summarised, a next edit must not trust this caller (see frontier).
      if (!this.state.cache.has(callee)) this.state.frontier.add(fn);
      return { ...c, callee };
    });
    // A new object: traces kept per handler compare summaries by identity (./trace.ts).
    this.state.cache.set(fn, { ...s, calls });
  }

  /** Drops a summary and its entries in the indexes. */
  private forget(fn: FunctionNode): void {
    const s = this.state.cache.get(fn);
    this.state.frontier.delete(fn);
    if (!s) return;
    this.state.cache.delete(fn);
    this.state.byFile.get(fn.getSourceFile())?.delete(fn);
    for (const file of s.reads) this.state.readersOf.get(file)?.delete(fn);
    for (const c of s.calls) {
      const callers = this.state.callersOf.get(c.callee);
      callers?.delete(fn);
      // Every caller of a dropped callee is dropped too: no entry is left to keep an old file's nodes alive.
      if (callers?.size === 0) this.state.callersOf.delete(c.callee);
      this.state.callsIntoFile.get(c.callee.getSourceFile())?.delete(fn);
    }
  }

  /** Records a new summary in the indexes; its callers whose callees are now all summarised leave the frontier. */
  private remember(fn: FunctionNode, s: FnSummary): void {
    addTo(this.state.byFile, fn.getSourceFile(), fn);
    for (const file of s.reads) addTo(this.state.readersOf, file, fn);
    for (const c of s.calls) {
      addTo(this.state.callersOf, c.callee, fn);
      addTo(this.state.callsIntoFile, c.callee.getSourceFile(), fn);
    }
    if (s.calls.some((c) => !this.state.cache.has(c.callee))) this.state.frontier.add(fn);
    for (const caller of this.state.callersOf.get(fn) ?? []) {
      if (this.state.frontier.has(caller) && this.state.cache.get(caller)!.calls.every((c) => this.state.cache.has(c.callee))) this.state.frontier.delete(caller);
    }
  }

  get(fn: FunctionNode): FnSummary {
    let s = this.state.cache.get(fn);
    if (!s) {
      s = this.build(fn);
      this.state.cache.set(fn, s);
      if (this.indexed) this.remember(fn, s);
    }
    return s;
  }

  private build(fn: FunctionNode): FnSummary {
    const outer = this.building;
    this.building = fn;
    try {
      // Its own file included: a function kept in an edited file must not have read the edited bodies.
      const { value, reads } = this.captureReads(() => this.walk(fn));
      return { fn, detections: kept(value.detections), calls: kept(value.calls), io: kept(value.io), reads: reads ?? NO_READS };
    } finally {
      this.building = outer;
    }
  }

  private walk(fn: FunctionNode): { detections: Detection[]; calls: CallEdge[]; io: IoEvidence[] } {
    const sf = fn.getSourceFile();
    const summary = { detections: [] as Detection[], calls: [] as CallEdge[], io: [] as IoEvidence[] };
    const env: DetectEnv = {
      checker: this.checker,
      sf,
      fn,
      settings: this.settings,
      callee: this.callee,
      linearWork: this.linearWork,
      isInline: this.isInline,
      isHandler: this.isHandler,
      project: this.project,
      blockingLoops: this.blockingLoops,
      readsBody: this.readsBody,
      captureReads: this.captureReads,
      replayReads: this.replayReads,
    };
    walkOwnWork(fn, this.isInline, (n) => {
      for (const r of this.rules) {
        if (!r.detect) continue;
        try {
          const d = r.detect(n, env);
          if (d) summary.detections.push(d);
        } catch {
          // A detector that trips on odd code skips that node; the rest of the analysis goes on.
        }
      }
      if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
        const callee = this.callee(n);
        if (callee?.body && callee.body !== fn) summary.calls.push({ site: n, callee: callee.body, name: callee.name || calleeName(n) || 'function', inLoop: insideBlockingLoop(n, fn, env) });
        const io = ioOf(this.checker, n, callee);
        if (io) summary.io.push(io);
        // Functions passed by reference run as part of this work: xs.map(score), p.then(handle).
        for (const a of n.arguments ?? []) {
          if (ts.isIdentifier(a) || (ts.isPropertyAccessExpression(a) && this.functionNames?.has(a.name.text) !== false)) {
            const f = resolveFunctionValue(this.checker, a);
            if (f && f !== fn && !this.isHandlerFn(f)) summary.calls.push({ site: a, callee: f, name: a.getText(sf), inLoop: insideBlockingLoop(a, fn, env) || isArrayMethodLoop(this.checker, n) });
          }
        }
      } else if (ts.isAwaitExpression(n) && !ts.isCallExpression(n.expression)) {
        summary.io.push({ bound: 'io', node: n, reason: 'awaits a promise' });
      }
      return isFunctionWithBody(n) && n !== fn && !this.isInline(n) ? false : undefined;
    });
    return summary;
  }
}

/**
 * Summaries by the file of their function, summarised callers by callee and by the callee's file, resolved call
 * sites by the file of the call and of the body, and the summaries with a callee never summarised: indexes that
 * let {@link Summaries.adopt} find what an edit touches without visiting every summary.
 */
interface SummaryState {
  cache: Map<FunctionNode, FnSummary>;
  calleeCache: Map<ts.Node, CalleeInfo | null>;
  byFile: Map<ts.SourceFile, Set<FunctionNode>>;
  callersOf: Map<FunctionNode, Set<FunctionNode>>;
  callsIntoFile: Map<ts.SourceFile, Set<FunctionNode>>;
  callsByFile: Map<ts.SourceFile, Set<ts.Node>>;
  frontier: Set<FunctionNode>;
  /** Summaries by the files whose bodies they read ({@link FnSummary.reads}), through any chain of callees. */
  readersOf: Map<string, Set<FunctionNode>>;
}

function newState(): SummaryState {
  return { cache: new Map(), calleeCache: new Map(), byFile: new Map(), callersOf: new Map(), callsIntoFile: new Map(), callsByFile: new Map(), frontier: new Set(), readersOf: new Map() };
}

/**
 * The summary of a function the edit left in place (same text at the same offsets) for its new node: each node
 * it holds is found in the new function by its path of child indexes, which the same text keeps. Undefined if
 * a node is not where it should be.
 */
function relocated(s: FnSummary, staleNode: (n: ts.Node) => boolean, moved: ReadonlyMap<FunctionNode, FunctionNode>): FnSummary | undefined {
  const to = moved.get(s.fn)!;
  const at = <N extends ts.Node>(n: N): N => {
    const found = samePlace(n, s.fn, to);
    if (!found) throw new RangeError('not in place');
    return found as N;
  };
  try {
    return {
      fn: to,
      detections: s.detections.map((d) => ({ ...d, node: at(d.node) })),
      io: s.io.map((e) => ({ ...e, node: at(e.node) })),
      calls: s.calls.map((c) => ({ ...c, site: at(c.site), callee: staleNode(c.callee) ? moved.get(c.callee)! : c.callee })),
      reads: s.reads,
    };
  } catch {
    return undefined;
  }
}

/** The node of `to` at the place `node` has in `from` (the same text parses to the same tree), if there is one. */
function samePlace(node: ts.Node, from: ts.Node, to: ts.Node): ts.Node | undefined {
  const path: number[] = [];
  for (let n = node; n !== from; n = n.parent) {
    if (!n.parent) return undefined;
    let i = 0;
    let at = -1;
    ts.forEachChild(n.parent, (c) => {
      if (c === n) at = i;
      i++;
    });
    path.push(at);
  }
  let cur = to;
  for (const k of path.reverse()) {
    let i = 0;
    let next: ts.Node | undefined;
    ts.forEachChild(cur, (c) => {
      if (i++ === k) next = c;
    });
    if (!next) return undefined;
    cur = next;
  }
  return cur.kind === node.kind && cur.pos === node.pos && cur.end === node.end ? cur : undefined;
}

function dropEmpty<K, V>(index: Map<K, Set<V>>): void {
  for (const [key, set] of index) if (set.size === 0) index.delete(key);
}

function addTo<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  const set = index.get(key);
  if (set) set.add(value);
  else index.set(key, new Set([value]));
}
