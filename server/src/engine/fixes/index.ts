import type { EngineSettings } from '../settings';
import { meta as unusedSuppressionMeta } from '../rules/looplens/unused-suppression';
import type { CodeFix, Finding } from '../types';

const UNUSED_SUPPRESSION = unusedSuppressionMeta.id;
import { chunkedFix } from './chunked';
import { disableNextLineFix } from './disable-next-line';
import { installDependencyFixes } from './install-dependency';
import { pMapConcurrencyFix, pMapFix } from './p-map';
import { removeSuppressionFix } from './remove-suppression';
import { parseSource } from './source';
import { wrapPLimitFix } from './wrap-p-limit';
import { yieldInLoopFix } from './yield-in-loop';
import { partitionAsyncFix } from './async-conversion';
import { syncToAsyncFix } from './sync-to-async';
import { workerOffloadFix } from './worker-offload';

export { DISABLE_NEXT_LINE, DISABLE_DIRECTIVE, DISABLE_REASON_PLACEHOLDER } from './disable-next-line';
export { REMOVE_SUPPRESSION } from './remove-suppression';
export { WRAP_P_LIMIT } from './wrap-p-limit';
export { P_MAP_CONCURRENCY, USE_P_MAP } from './p-map';
export { CHUNKED } from './chunked';
export { INSTALL_DEPENDENCY, INSTALL_DEPENDENCY_COMMAND } from './install-dependency';
export { YIELD_IN_LOOP } from './yield-in-loop';
export { PARTITION_ASYNC } from './async-conversion';
export { SYNC_TO_ASYNC } from './sync-to-async';
export { WORKER_OFFLOAD } from './worker-offload';

/**
 * The quick fixes for one finding, computed from `text`, the current text of the finding's file (whose
 * positions the finding's ranges refer to), the preferred one first: for `limit-fanout` the variants that
 * apply among `looplens.wrap-p-limit`, `looplens.p-map`, `looplens.chunked` and `looplens.p-map-concurrency` (at
 * most one preferred), then a command-only `looplens.install-dependency` per limiter package they import that
 * package.json lacks; for `yield-in-loop` `looplens.yield-in-loop` or `looplens.partition-async`; for
 * blocking-cpu findings `looplens.sync-to-async` and `looplens.worker-offload` (never preferred), either
 * possibly disabled with a reason; then `looplens.disable-next-line`; for `looplens/unused-suppression`, only
 * `looplens.remove-suppression`. Each fix's edits are in the finding's file and never overlap. Returns fewer
 * fixes (possibly none) when the text no longer matches the finding's ranges. Pure; does not throw on any
 * text.
 */
export function fixesFor(finding: Finding, text: string, settings: EngineSettings): CodeFix[] {
  const src = parseSource(finding.location.file, text);
  if (finding.ruleId === UNUSED_SUPPRESSION) return [removeSuppressionFix(finding, src)].filter((f): f is CodeFix => f !== undefined);
  const fixes: (CodeFix | undefined)[] = [];
  if (finding.fix.kind === 'limit-fanout') {
    const wrap = wrapPLimitFix(finding, src);
    const pMap = pMapFix(finding, src);
    fixes.push(wrap, pMap, chunkedFix(finding, src), pMapConcurrencyFix(finding, src));
    fixes.push(...installDependencyFixes(finding, [...(wrap ? ['p-limit'] : []), ...(pMap ? ['p-map'] : [])]));
  }
  if (finding.fix.kind === 'yield-in-loop') fixes.push(yieldInLoopFix(finding, src, settings), partitionAsyncFix(finding, src, settings));
  if (finding.family === 'blocking-cpu') fixes.push(syncToAsyncFix(finding, src), workerOffloadFix(finding, src, settings.workerPool));
  fixes.push(disableNextLineFix(finding, src));
  return fixes.filter((f): f is CodeFix => f !== undefined).sort((a, b) => Number(b.isPreferred) - Number(a.isPreferred));
}
