import type { RuleMeta } from '../registry';

export const meta: RuleMeta = {
  id: 'unbounded-fanout/foreach-async',
  family: 'unbounded-fanout',
  description: 'forEach with an async callback starts every operation at once and awaits none of them.',
  defaultSeverity: 'warning',
  fixIds: ['looplens.disable-next-line'],
};
