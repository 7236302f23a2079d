/**
 * What the handler loop (./index.ts, step 4) makes of one handler's trace: its handler record with its bound
 * class, the inputs mixed-bound needs (CPU evidence, waits), and the detections it may report. It depends on
 * the trace, on whether the handler runs off the event loop, and on the suppression comments next to the
 * trace's detections, which lie in the files of the reached functions: when one of those files changes, the
 * trace gets new items. So the editor keeps the outcome with the handler while its inputs are the same
 * objects (./incremental.ts), and each run only redoes what depends on the run: the suppressions it used, and
 * which handler reports a construct first.
 */
import type { BoundHandler } from '../rules/mixed-bound/cpu-beside-io';
import type { Suppressions } from '../suppress';
import type { BoundClass, BoundEvidence, Finding, Handler, Location } from '../types';
import type { TraceItem, TracedDetection } from './trace';

/** What an outcome was made from; equal inputs (same objects) give the same outcome. */
export interface OutcomeInputs {
  id: string;
  label: string;
  registration: Location;
  body: Location | undefined;
  /** The handler's event-loop domains. */
  domains: readonly string[];
  /** Runs off the main event loop (a worker thread, a command-line script): blocking-cpu is silent there. */
  offLoop: boolean;
  /** The trace (./incremental.ts#trace keeps the same array while it is valid). */
  items: readonly TraceItem[];
}

/** A detection the handler may report, with its finding once a run asked for it (null: its rule is off). */
export interface Report {
  item: TracedDetection;
  finding?: Finding | null;
}

export interface HandlerOutcome {
  inputs: OutcomeInputs;
  handler: Handler;
  bound: BoundHandler;
  /** In trace order. Another handler may have reported the same construct first (checked per run). */
  reports: Report[];
  /** Detections a suppression comment silenced, asked again on reuse so that the comment counts as used. */
  suppressed: TracedDetection[];
}

/** Whether an outcome made from `a` holds for `b`. */
export function sameInputs(a: OutcomeInputs, b: OutcomeInputs): boolean {
  return (
    a.items === b.items &&
    a.offLoop === b.offLoop &&
    a.id === b.id &&
    a.label === b.label &&
    a.registration === b.registration &&
    a.body === b.body &&
    a.domains.length === b.domains.length &&
    a.domains.every((d, i) => d === b.domains[i])
  );
}

/**
 * Classifies a handler from its trace: I/O items give bound evidence and waits; detections silenced by a
 * suppression comment are dropped (and the comment marked used in `suppressions`); blocking-cpu detections give
 * CPU evidence unless the handler runs off the event loop, where they are dropped.
 */
export function classify(inputs: OutcomeInputs, kind: Handler['kind'], suppressions: Suppressions): HandlerOutcome {
  const { id, label, registration, body, domains, offLoop, items } = inputs;
  const handler: Handler = { id, kind, label, registration, body, bounds: [], bound: 'none', domain: domains[0]! };
  const bound: BoundHandler = { handler, domains: [...domains], cpu: [], waits: [] };
  const reports: Report[] = [];
  const suppressed: TracedDetection[] = [];
  for (const item of items) {
    if (item.kind === 'io') {
      if (item.wait) bound.waits.push(item.wait);
      handler.bounds.push(item.bound);
      continue;
    }
    const { det, cpu } = item;
    if (cpu && offLoop) continue;
    if (suppressions.suppresses(det.node.getSourceFile(), det.location.range.start, det.ruleId)) {
      suppressed.push(item);
      continue;
    }
    if (cpu) {
      bound.cpu.push(cpu.evidence);
      handler.bounds.push(cpu.bound);
    }
    reports.push({ item });
  }
  handler.bound = boundClassOf(handler.bounds);
  return { inputs, handler, bound, reports, suppressed };
}

/** A handler's class from its evidence; see {@link Handler.bound}. */
export function boundClassOf(bounds: readonly BoundEvidence[]): BoundClass {
  const has = (b: BoundEvidence['bound']) => bounds.some((e) => e.bound === b);
  if (has('cpu')) return has('io') || has('threadpool') ? 'mixed' : 'cpu';
  for (const b of ['io', 'threadpool', 'memory'] as const) if (has(b)) return b;
  return 'none';
}
