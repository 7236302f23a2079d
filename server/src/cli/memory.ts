import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

/**
 * Runs a full garbage collection now, when V8 allows it; else does nothing. The CLI calls it when an analysis
 * has dropped its program: V8 would otherwise collect the program (most of the heap) only once the heap grows
 * past a limit set while the program was live, so the report and the next project's load would add to the
 * peak instead of reusing its memory. Little is live then, so it is short (gen-1000: 25 ms after a 2.5 s
 * analysis).
 *
 * V8 gives contexts a `gc` function under `--expose-gc`, which the `looplens` launcher sets (./launch.ts);
 * the main context was made before, so `gc` is taken from a new one. Run another way (the tests call the CLI
 * in-process), there is none and nothing is collected.
 */
export function collectGarbage(): void {
  if (collect === undefined) {
    try {
      const gc: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
      collect = typeof gc === 'function' ? (gc as () => void) : null;
    } catch {
      collect = null;
    }
  }
  collect?.();
}
