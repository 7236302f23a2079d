import type { RuleMeta } from '../registry';

export const meta: RuleMeta = {
  id: 'blocking-cpu/data-loop',
  family: 'blocking-cpu',
  description: 'A loop whose work grows with the data (nested loops over collections) runs on the event loop without yielding.',
  defaultSeverity: 'warning',
  fixIds: ['looplens.yield-in-loop', 'looplens.disable-next-line'],
};
