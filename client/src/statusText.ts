/** The status bar item's text for LoopLens problems. Pure: no `vscode` import. */

/** Short names of the families in the status bar, in a fixed order. */
const SHORT: Record<string, string> = { 'blocking-cpu': 'CPU', 'unbounded-fanout': 'fan-out', 'mixed-bound': 'mixed' };

/** `3 CPU · 2 fan-out · 1 mixed` (families without problems left out). */
export function familySummary(counts: ReadonlyMap<string, number>): string {
  const known = Object.keys(SHORT).filter((f) => (counts.get(f) ?? 0) > 0).map((f) => `${counts.get(f)} ${SHORT[f]}`);
  const other = [...counts].filter(([f]) => !(f in SHORT)).reduce((a, [, n]) => a + n, 0);
  return [...known, ...(other > 0 ? [`${other} other`] : [])].join(' · ');
}
