/**
 * A handler's trace: what the functions it reaches contribute to its findings and bound class, in the order the
 * walk met them, each with its call chain from the registration. It depends only on the reached functions and
 * their summaries, so the editor keeps it across edits that touch neither (./incremental.ts); the filters that
 * depend on the run (off-loop handlers, suppressions, severities, the requested paths, findings already
 * reported by an earlier handler) are applied to it per analysis (./index.ts).
 */
import * as nodePath from 'node:path';
import { locationOf } from '../ast';
import type { Detection } from '../rules/rule';
import type { BoundEvidence, ChainHop, Location } from '../types';
import { chainOf, type Reached } from './reach';
import type { FnSummary } from './summary';

/** A rule detection in a reached function. */
export interface TracedDetection {
  kind: 'detection';
  det: Detection;
  /** Reached only inside a blocking data loop (see Reached.covered). */
  covered: boolean;
  /** Registration → … → the detection. */
  chain: ChainHop[];
  /** For blocking-cpu detections: the mixed-bound evidence (`pbkdf2Sync (crypto) at users.ts:12`) and the bound entry. */
  cpu?: { evidence: { reason: string; location: Location; chain: ChainHop[] }; bound: BoundEvidence };
}

/** A wait on I/O or the thread pool, or a body held in memory, in a reached function. */
export interface TracedIo {
  kind: 'io';
  /** Undefined for memory: holding a body is not waiting, so a CPU-bound neighbour does not starve it. */
  wait?: { reason: string; location: Location };
  bound: BoundEvidence;
}

export type TraceItem = TracedDetection | TracedIo;

/** The trace of a handler over its reached functions, `summaries[i]` being the summary of `reached[i].fn`. */
export function traceHandler(reached: readonly Reached[], summaries: readonly FnSummary[]): TraceItem[] {
  const items: TraceItem[] = [];
  for (const [i, r] of reached.entries()) {
    const s = summaries[i]!;
    for (const det of s.detections) {
      const chain = [...chainOf(r), { ...det.location, label: det.reason }];
      const item: TracedDetection = { kind: 'detection', det, covered: r.covered, chain };
      if (det.family === 'blocking-cpu') {
        const where = `${nodePath.basename(det.location.file)}:${det.location.range.start.line + 1}`;
        item.cpu = {
          evidence: { reason: `${det.reason} at ${where}`, location: det.location, chain },
          bound: { bound: 'cpu', chain, reason: det.reason },
        };
      }
      items.push(item);
    }
    for (const io of s.io) {
      const location = locationOf(io.node);
      items.push({
        kind: 'io',
        wait: io.bound === 'memory' ? undefined : { reason: io.reason, location },
        bound: { bound: io.bound, chain: [...chainOf(r), { ...location, label: io.reason }], reason: io.reason },
      });
    }
  }
  return items;
}
