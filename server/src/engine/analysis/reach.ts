/**
 * The functions a handler reaches: a depth-first walk of the call edges in the function summaries from the
 * handler's function, each function with the call path that reaches it. Most reached functions contribute
 * nothing to the handler's trace (no detection, no I/O), so a path is kept as a link to the function it was
 * reached from, and its chain of hops is built only when a trace item asks for it ({@link chainOf}). Building
 * every chain up front cost 1.1 MB of garbage at gen-1000 and about 16 MiB at gen-5000 (heap sampling).
 */
import { locationOf, type FunctionNode } from '../ast';
import type { ChainHop } from '../types';
import type { CallEdge, Summaries } from './summary';

/** Calls followed from a handler before giving up on deeper paths (keeps pathological graphs bounded). */
const MAX_DEPTH = 12;
/** Functions visited per handler at most. */
const MAX_REACHED = 2000;

/** A function a handler reaches, with the call path that reaches it. */
export interface Reached {
  fn: FunctionNode;
  /** The function it was reached from, absent for the handler's own function… */
  from?: Reached;
  /** …and the call there. */
  edge?: CallEdge;
  /** Calls from the handler's function: 0 for the handler's own function. */
  depth: number;
  /** Reached only through a call made inside a blocking data loop: its own loops are that loop's inner work. */
  covered: boolean;
  /** Registration → each call on the path → `fn`: given for the handler's own function, else built by {@link chainOf}. */
  chain?: ChainHop[];
}

/** `r.chain`, built from the function it was reached from the first time it is asked for. */
export function chainOf(r: Reached): ChainHop[] {
  return (r.chain ??= [...chainOf(r.from!), { ...locationOf(r.edge!.site), label: `calls ${r.edge!.name}` }]);
}

/**
 * Depth-first walk of the project functions a handler's function `start` reaches (at most {@link MAX_REACHED},
 * {@link MAX_DEPTH} calls deep), in visiting order; `first` is the chains' first hop, the registration. A function first reached inside a loop is visited again if a
 * path outside any loop reaches it too.
 */
export function reach(summaries: Summaries, start: FunctionNode, first: ChainHop): Reached[] {
  const out: Reached[] = [];
  const seen = new Map<FunctionNode, boolean>([[start, false]]); // fn → covered when last visited
  const stack: Reached[] = [{ fn: start, depth: 0, covered: false, chain: [first] }];
  while (stack.length && out.length < MAX_REACHED) {
    const cur = stack.pop()!;
    out.push(cur);
    if (cur.depth >= MAX_DEPTH) continue;
    const calls = summaries.get(cur.fn).calls;
    for (let i = calls.length - 1; i >= 0; i--) {
      const edge = calls[i]!;
      const covered = cur.covered || edge.inLoop;
      const before = seen.get(edge.callee);
      if (before === false || (before === true && covered)) continue;
      seen.set(edge.callee, covered);
      stack.push({ fn: edge.callee, from: cur, edge, depth: cur.depth + 1, covered });
    }
  }
  return out;
}
