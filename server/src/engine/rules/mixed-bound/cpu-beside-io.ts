/**
 * mixed-bound/cpu-beside-io
 *
 * What it does: in each event-loop domain (one process: an entry file and what it imports), reports every
 * CPU-bound handler — one that reaches a `blocking-cpu` construct — when the same domain also registers
 * I/O-bound handlers (ones that wait on the network, a database or the thread pool and do no blocking work).
 * Reported at the CPU-bound handler's registration, with related locations at the blocking construct and at
 * the I/O-bound handlers it starves.
 *
 * Why it is bad: the event loop runs one callback at a time. While the CPU-bound handler runs, the I/O-bound
 * handlers' completed I/O waits in the queue, so their latency becomes the CPU handler's run time and their
 * timeouts cannot be kept (Node.js, "Don't Block the Event Loop";
 * https://nodejs.org/en/learn/asynchronous-work/dont-block-the-event-loop). Separate them: a worker pool
 * (piscina) for the CPU work, or a separate process or service.
 */
import * as nodePath from 'node:path';
import type { ChainHop, Finding, Handler, Location } from '../../types';
import { formatMessage, type Rule } from '../rule';
import type { RuleMeta } from '../registry';

export const meta: RuleMeta = {
  id: 'mixed-bound/cpu-beside-io',
  family: 'mixed-bound',
  description: 'A CPU-bound handler is registered in the same process as I/O-bound handlers, which it starves.',
  defaultSeverity: 'warning',
  fixIds: ['looplens.disable-next-line'],
};

export const rule: Rule = {
  meta,
  messages: {
    mixed: '{handler} is CPU-bound ({reason}) and shares its event loop with {count} I/O-bound handler{s} ({ioNames}), which wait while it runs. Move the CPU work to a worker pool (piscina) or a separate process.',
  },
};

/** A handler with what the analysis found it reaches. */
export interface BoundHandler {
  handler: Handler;
  domains: string[];
  /** Unsuppressed blocking-cpu constructs the handler reaches, with their chains. */
  cpu: { reason: string; location: Location; chain: ChainHop[] }[];
  /** Waits on I/O or the thread pool. */
  waits: { reason: string; location: Location }[];
}

const MAX_NAMED = 3;

function describe(h: Handler): string {
  return `\`${h.label}\` (${nodePath.basename(h.registration.file)}:${h.registration.range.start.line + 1})`;
}

/**
 * The mixed-bound findings for a set of classified handlers, for those registered in a file `inScope` accepts
 * (default all). The editor asks for its open files only: the others' findings, one per CPU-bound handler of the
 * workspace (~300 at 1,000 files), would be built on every edit to be dropped.
 */
export function checkMixedBound(handlers: readonly BoundHandler[], inScope: (file: string) => boolean = () => true): Omit<Finding, 'severity'>[] {
  const out: Omit<Finding, 'severity'>[] = [];
  const reported = new Set<string>();
  const isIo = (h: BoundHandler) => h.cpu.length === 0 && h.waits.length > 0;
  // The I/O-bound handlers of each domain, in registration order: one pass, not one per CPU-bound handler (777
  // handlers at 1,000 files, re-checked on every edit).
  const ioByDomain = new Map<string, BoundHandler[]>();
  for (const o of handlers) {
    if (!isIo(o)) continue;
    for (const d of new Set(o.domains)) {
      const list = ioByDomain.get(d);
      if (list) list.push(o);
      else ioByDomain.set(d, [o]);
    }
  }
  const starvedBy = (h: BoundHandler): BoundHandler[] => {
    const domains = new Set(h.domains);
    if (domains.size === 1) return (ioByDomain.get(h.domains[0]!) ?? []).filter((o) => o !== h);
    // A file several entry points import (rare): one pass over all, in registration order.
    return handlers.filter((o) => o !== h && isIo(o) && o.domains.some((d) => domains.has(d)));
  };
  for (const h of handlers) {
    if (h.cpu.length === 0 || h.domains.some((d) => d.startsWith('worker:')) || !inScope(h.handler.registration.file)) continue;
    const key = `${h.handler.registration.file}:${h.handler.registration.range.start.line}:${h.handler.registration.range.start.character}`;
    if (reported.has(key)) continue;
    const starved = starvedBy(h);
    if (starved.length === 0) continue;
    reported.add(key);
    const names = starved.slice(0, MAX_NAMED).map((o) => `\`${o.handler.label}\``).join(', ') + (starved.length > MAX_NAMED ? `, +${starved.length - MAX_NAMED} more` : '');
    const first = h.cpu[0]!;
    out.push({
      ruleId: meta.id,
      family: 'mixed-bound',
      message: formatMessage(rule.messages.mixed!, {
        handler: describe(h.handler),
        reason: first.reason,
        count: starved.length,
        s: starved.length === 1 ? '' : 's',
        ioNames: names,
      }),
      location: h.handler.registration,
      handler: { id: h.handler.id, label: h.handler.label, registration: h.handler.registration },
      chain: first.chain,
      // The chain already ends at the blocking construct; related places are the handlers it starves.
      related: starved.slice(0, 10).map((o) => ({ ...o.handler.registration, label: `I/O-bound handler ${o.handler.label} (${o.waits[0]!.reason})` })),
      fix: { kind: 'none' },
    });
  }
  return out;
}
