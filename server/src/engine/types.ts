/**
 * Shapes shared by every stage of the engine: parse → discover handlers → classify → rules → findings.
 * Nothing here imports `vscode` or `vscode-languageserver`; the server, the CLI and the tests all use these.
 */

/** A zero-based position, as in LSP: `line` counts lines, `character` counts UTF-16 code units. */
export interface Position {
  line: number;
  character: number;
}

/** A half-open range [start, end) of zero-based positions. */
export interface Range {
  start: Position;
  end: Position;
}

/** A place in a file. `file` is an absolute, forward-slash path. */
export interface Location {
  file: string;
  range: Range;
}

/** Something a caller can set to ask long work to stop; checked between phases and files. */
export interface CancellationToken {
  readonly isCancellationRequested: boolean;
}

/** Thrown by engine entry points when their token is cancelled. */
export class CancelledError extends Error {
  constructor() {
    super('LoopLens analysis was cancelled');
    this.name = 'CancelledError';
  }
}

/** Throws {@link CancelledError} when the token asks to stop. */
export function throwIfCancelled(token: CancellationToken | undefined): void {
  if (token?.isCancellationRequested) throw new CancelledError();
}

/**
 * The rule families; a rule id is `family/kind`. Three are event-loop mistakes; `looplens` holds the reports
 * about LoopLens's own comments (`looplens/unused-suppression`).
 */
export type RuleFamily = 'blocking-cpu' | 'unbounded-fanout' | 'mixed-bound' | 'looplens';

export type Severity = 'error' | 'warning' | 'info' | 'off';

/**
 * How a handler spends its time, from what it reaches:
 * - `cpu`: synchronous work that holds the event loop (data-sized loops, sync crypto/zlib/fs/child_process,
 *   big JSON, super-linear regexes);
 * - `io`: waits on network, database or streams;
 * - `threadpool`: waits on libuv's thread pool (async fs, crypto.pbkdf2/scrypt, zlib, dns.lookup), which has
 *   `UV_THREADPOOL_SIZE` threads (default 4; https://docs.libuv.org/en/v1.x/threadpool.html);
 * - `memory`: does little but hold a connection or a buffer;
 * - `mixed`: both blocking work and waits — it has `cpu` evidence and `io` or `threadpool` evidence. It still
 *   holds the event loop while it computes, so it starves other handlers exactly as a `cpu` one does
 *   (`mixed-bound` reports it); `memory` beside `cpu` is not a wait and leaves the class `cpu`;
 * - `none`: nothing measurable (constant responses, registrations).
 */
export type BoundClass = 'cpu' | 'io' | 'threadpool' | 'memory' | 'mixed' | 'none';

/** Frameworks and event sources whose handlers the engine discovers. */
export type HandlerKind =
  | 'express'
  | 'fastify'
  | 'koa'
  | 'nestjs'
  | 'hono'
  | 'nextjs'
  | 'lambda'
  | 'http-server'
  | 'listener'
  | 'bullmq'
  | 'timer';

/** One hop in the path from a handler to the construct a finding is about. */
export interface ChainHop extends Location {
  /** What happens at this hop, e.g. `calls buildMatchReport` or `POST /campaigns/:id/matches`. */
  label: string;
}

/** A function that runs on the event loop when a request, event, job or timer arrives. */
export interface Handler {
  /** Stable within one analysis: `file:line:character` of the registration. */
  id: string;
  kind: HandlerKind;
  /** Human name: `POST /export`, `Worker "digest"`, `socket 'data'`, `setInterval`, `Lambda handler`. */
  label: string;
  /** Where it is registered (`app.post(` …, `@Get()`, `createServer(`, the timer call). */
  registration: Location;
  /** The function body that runs, when it could be resolved. */
  body?: Location;
  /** Bound classes with the evidence for each (never `mixed`: each piece is one class); empty means `none`. */
  bounds: BoundEvidence[];
  /**
   * The handler's class: `mixed` if there is CPU evidence and I/O or thread-pool evidence, else `cpu` if any
   * CPU evidence, else `io`, `threadpool`, `memory`, `none` (the first present).
   */
  bound: BoundClass;
  /** The event-loop domain (process) this handler runs in: the entry file's path, or its own file. */
  domain: string;
}

/** Why a handler has a bound class. */
export interface BoundEvidence {
  bound: Exclude<BoundClass, 'mixed' | 'none'>;
  /** Where the evidence is, and how the handler reaches it. */
  chain: ChainHop[];
  /** Short reason: `pbkdf2Sync (node:crypto)`, `await fetch`, `nested loop over people × roles`. */
  reason: string;
}

/** How Node loads a file: as an ES module or as CommonJS. */
export type ModuleSystem = 'esm' | 'cjs';

/**
 * Data the quick fixes need, carried on the finding (and on `Diagnostic.data` in the editor).
 * Every range is in the finding's file. `blocking-cpu` findings also carry {@link BlockingFixData}, computed
 * with the type checker when the finding is made (fix builders only see one file's syntax).
 */
export type FixData = BaseFixData & BlockingFixData;

/** What the blocking-cpu fixes need besides their base kind; every part absent when not applicable. */
export interface BlockingFixData {
  /** Swap a Node `*Sync` call for its promise form (`looplens.sync-to-async`). */
  swap?: SwapData;
  /** Move the function holding the work into a worker pool (`looplens.worker-offload`). */
  offload?: OffloadData;
  /** Make the sync function holding the construct async, awaiting it at every call (needed by swap/yield). */
  conversion?: ConversionData;
}

/** A `*Sync` call of `node:fs`, `node:crypto`, `node:zlib` or `node:child_process`. */
export interface SwapData {
  /** The whole call expression. */
  call: Range;
  /** The declared name, e.g. `readFileSync`. */
  api: string;
  /** The builtin module without `node:`: `fs`, `crypto`, `zlib`, `child_process`. */
  module: string;
  /** Why the swap is not offered (shown as a disabled code action). */
  refused?: string;
}

/** Turning a sync function into an async one. */
export interface ConversionData {
  /** The function (declaration, or arrow/function expression initialising a `const`). */
  fn: Range;
  /** Every call of it (whole call expressions), each inside an async function, to be prefixed with `await`. */
  calls: Range[];
  /** Why the conversion is not possible; absent when every caller can await. */
  refused?: string;
}

/** Moving a top-level function into `<name>.worker.ts` run by a worker pool. */
export interface OffloadData {
  /** The function declaration to move. */
  fn: Range;
  name: string;
  /** Its calls (whole call expressions) to replace with `await pool.run([...args])`; each in an async function. */
  calls: Range[];
  /** Top-level statements of the file the worker needs too (imports, `const`s, helper functions). */
  copies: Range[];
  /** How the file is emitted, which decides how the worker's file name is written. */
  moduleFormat: 'esm' | 'cjs';
  /** Why the offload is refused (shown as a disabled code action). */
  refused?: string;
  /** Set when the body also does blocking I/O: what, for the title's warning. */
  io?: string;
  /** The function returns a `Buffer`, which arrives from the worker as a plain `Uint8Array`: re-wrap it. */
  resultBuffer?: boolean;
}

/** The fix data every finding has, by kind. */
export type BaseFixData =
  | {
      kind: 'limit-fanout';
      /**
       * The expression that starts one operation per item: either the callback passed to `.map`/`.forEach`
       * (an arrow or function expression, or a function reference) or a call expression pushed into an array
       * in a loop. The fix wraps it so the call runs as `limit(() => …)`.
       */
      launch: Range;
      /**
       * Suggested concurrency limit and why: the resource the launched work reaches
       * (`libuv threadpool: UV_THREADPOOL_SIZE default 4`, `pg Pool max 20`) or `looplens.concurrency.io setting`.
       */
      limit: number;
      limitReason: string;
      /** How Node runs the file; absent when unknown (the fix then reads the file's own syntax). */
      moduleSystem?: ModuleSystem;
      /** False when the compiler turns `import()` into `require()` (TypeScript `module: commonjs`). */
      dynamicImport?: boolean;
      /** Limiter packages (`p-limit`, `p-map`) the nearest package.json does not list. */
      missingDeps?: string[];
      /** Folder of that package.json (absolute, forward slashes): where `npm install` runs. */
      packageDir?: string;
    }
  | {
      kind: 'yield-in-loop';
      /** The loop statement; the yield goes first in its body. */
      loop: Range;
      /** Whether the enclosing function is already async (only then is the fix offered). */
      inAsyncFunction: boolean;
    }
  | { kind: 'none' };

/** One problem found in the code. */
export interface Finding {
  /** `family/kind`, e.g. `blocking-cpu/sync-call`. */
  ruleId: string;
  family: RuleFamily;
  severity: Exclude<Severity, 'off'>;
  /** One sentence naming the handler, the construct and why it matters. */
  message: string;
  /** Where the construct is. */
  location: Location;
  /** The handler that reaches it (absent for findings about code not reached from a known handler). */
  handler?: { id: string; label: string; registration: Location };
  /** handler registration → … → construct; the last hop is `location`. */
  chain: ChainHop[];
  /** Extra places: for `mixed-bound`, the blocking construct and the I/O-bound handlers. */
  related: ChainHop[];
  fix: FixData;
}

/** A file the engine could not analyse, and why (unreadable, too large, generated, parse failure …). */
export interface SkippedFile {
  file: string;
  reason: string;
}

/** Everything one analysis produced. */
export interface AnalysisResult {
  handlers: Handler[];
  findings: Finding[];
  skipped: SkippedFile[];
  /** Files analysed (reported-on scope), absolute paths. */
  files: string[];
}

/** A text replacement in one file. */
export interface TextEdit {
  file: string;
  range: Range;
  newText: string;
}

/** A code change the user can apply: a quick fix. */
export interface CodeFix {
  /** Stable id per fix kind, e.g. `looplens.wrap-p-limit`: the same id means "fix all of this kind". */
  fixId: string;
  /** What it will do, including any number it chose and why. */
  title: string;
  edits: TextEdit[];
  /** The one `--fix` and `source.fixAll.looplens` apply. */
  isPreferred: boolean;
  /** Files the fix creates (a worker module), with their whole text; they must not exist yet. */
  creates?: { file: string; text: string }[];
  /** Why the fix cannot be applied here: shown as a disabled code action, never applied. */
  disabled?: string;
  /**
   * A client command the action runs (after its edits, if any), e.g. `looplens.installDependency` with
   * `[{ cwd, packages }]`. Fixes with a command are never preferred: fix-all and `--fix` only edit text.
   */
  command?: { title: string; command: string; arguments: unknown[] };
}
