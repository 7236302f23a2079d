import type { RuleMeta } from '../registry';

export const meta: RuleMeta = {
  id: 'blocking-cpu/redos',
  family: 'blocking-cpu',
  description: 'A regular expression with super-linear backtracking is applied to input on the event loop.',
  defaultSeverity: 'warning',
  fixIds: ['looplens.disable-next-line'],
};
