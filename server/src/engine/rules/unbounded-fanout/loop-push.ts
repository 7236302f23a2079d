import type { RuleMeta } from '../registry';

export const meta: RuleMeta = {
  id: 'unbounded-fanout/loop-push',
  family: 'unbounded-fanout',
  description: 'A loop starts one promise per item without awaiting it, so every operation is in flight at once.',
  defaultSeverity: 'warning',
  fixIds: ['looplens.wrap-p-limit', 'looplens.disable-next-line'],
};
