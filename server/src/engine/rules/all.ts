import type { RuleMeta } from './registry';
import type { Rule } from './rule';
import { rule as dataLoop } from './blocking-cpu/data-loop';
import { rule as largeJson } from './blocking-cpu/large-json';
import { rule as redos } from './blocking-cpu/redos';
import { rule as syncCall } from './blocking-cpu/sync-call';
import { rule as unusedSuppression } from './looplens/unused-suppression';
import { rule as cpuBesideIo } from './mixed-bound/cpu-beside-io';
import { rule as foreachAsync } from './unbounded-fanout/foreach-async';
import { rule as loopPush } from './unbounded-fanout/loop-push';
import { rule as promiseAll } from './unbounded-fanout/promise-all';

/** Every rule, sorted by id. */
export const RULE_IMPLS: readonly Rule[] = [dataLoop, largeJson, redos, syncCall, unusedSuppression, cpuBesideIo, foreachAsync, loopPush, promiseAll].sort((a, b) =>
  a.meta.id.localeCompare(b.meta.id),
);

/** Every rule's metadata, sorted by id. */
export const RULES: readonly RuleMeta[] = RULE_IMPLS.map((r) => r.meta);

/** The rule with this id, or undefined. */
export function ruleById(id: string): RuleMeta | undefined {
  return RULES.find((r) => r.id === id);
}
