import type { RuleMeta } from '../registry';

export const meta: RuleMeta = {
  id: 'unbounded-fanout/promise-all',
  family: 'unbounded-fanout',
  description: 'Promise.all/allSettled/any/race over an array mapped from a data-sized collection starts every operation at once.',
  defaultSeverity: 'warning',
  fixIds: ['looplens.wrap-p-limit', 'looplens.disable-next-line'],
};
