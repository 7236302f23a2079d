import type { ts } from 'ts-morph';
import type { FunctionNode } from '../ast';
import type { CalleeInfo } from '../resolve';
import type { EngineSettings } from '../settings';
import type { FixData, Location, RuleFamily } from '../types';
import type { RuleMeta } from './registry';
import type { ProjectFacts } from '../analysis/concurrency';
import type { Memo } from '../analysis/provenance';

/** What a rule's detector can ask while the engine walks one function's own work. */
export interface DetectEnv {
  checker: ts.TypeChecker;
  sf: ts.SourceFile;
  /** The function being walked. */
  fn: FunctionNode;
  settings: EngineSettings;
  /** What a call invokes (cached per call site). */
  callee(call: ts.CallExpression | ts.NewExpression): CalleeInfo | undefined;
  /** Whether calling a project function does work that grows with a collection; see {@link LinearWork}. */
  linearWork(fn: FunctionNode): LinearWork;
  /** Whether a nested function runs as part of the walked function (inline callbacks) rather than later. */
  isInline(fn: ts.Node): boolean;
  /** Whether a function is a discovered handler (its parameters are request input). */
  isHandler(fn: ts.Node): boolean;
  /** Project files the fixes need (package.json, thread-pool size, module system); absent in bare rule tests. */
  project?: ProjectFacts;
  /** The analysis's cache of blocking-loop verdicts (see OriginEnv.blockingLoops). */
  blockingLoops?: WeakMap<ts.Node, Memo<boolean>>;
  /** See OriginEnv.captureReads. */
  captureReads?<T>(compute: () => T): Memo<T>;
  /** See OriginEnv.replayReads. */
  replayReads?(reads: ReadonlySet<string> | undefined): void;
  /**
   * To be called with any other function whose body a detector reads (a callee's returns or loops): the
   * summary then depends on that body (see FnSummary.reads). Absent in bare rule tests.
   */
  readsBody?(fn: ts.Node): void;
}

/**
 * The work a call to a function does over data-sized collections, undefined when none: `level` is `row` when
 * it loops over or scans rows (objects, text), `field` when only over primitives (names, ids); `params` lists
 * the parameters whose collections it walks when those are all it walks, or is `any` when it also walks data
 * it gets elsewhere (a query, module state) — then every call costs that, whatever its arguments.
 */
export type LinearWork = { level: 'row' | 'field'; params: readonly number[] | 'any' } | undefined;

/** A construct a rule found in a function; it becomes a finding when a handler reaches the function. */
export interface Detection {
  ruleId: string;
  family: Exclude<RuleFamily, 'mixed-bound' | 'looplens'>;
  node: ts.Node;
  location: Location;
  /** Key into the rule's `messages`. */
  messageId: string;
  /** Values for the message's `{placeholders}`; the engine adds `{handler}`. */
  data: Record<string, string | number>;
  fix: FixData;
  /** Short reason used as bound-class evidence and in the audit report: `pbkdf2Sync (crypto)`. */
  reason: string;
}

/**
 * A rule: metadata, message templates, and a detector the engine offers every node of the functions that
 * handlers reach. Detectors must not throw; they return undefined for nodes that are not theirs.
 */
export interface Rule {
  meta: RuleMeta;
  /** Message templates by message id; `{name}` placeholders are filled from the detection's data. */
  messages: Record<string, string>;
  detect?(node: ts.Node, env: DetectEnv): Detection | undefined;
}

/** Fills `{name}` placeholders in a message template. Unknown names are left as they are. */
export function formatMessage(template: string, data: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in data ? String(data[name]) : whole));
}
