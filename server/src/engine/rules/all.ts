import type { RuleMeta } from './registry';
import { meta as syncCall } from './blocking-cpu/sync-call';
import { meta as dataLoop } from './blocking-cpu/data-loop';
import { meta as largeJson } from './blocking-cpu/large-json';
import { meta as redos } from './blocking-cpu/redos';
import { meta as promiseAll } from './unbounded-fanout/promise-all';
import { meta as loopPush } from './unbounded-fanout/loop-push';
import { meta as foreachAsync } from './unbounded-fanout/foreach-async';
import { meta as cpuBesideIo } from './mixed-bound/cpu-beside-io';

/** Every rule's metadata, sorted by id. */
export const RULES: readonly RuleMeta[] = [syncCall, dataLoop, largeJson, redos, promiseAll, loopPush, foreachAsync, cpuBesideIo].sort((a, b) =>
  a.id.localeCompare(b.id),
);

/** The rule with this id, or undefined. */
export function ruleById(id: string): RuleMeta | undefined {
  return RULES.find((r) => r.id === id);
}
