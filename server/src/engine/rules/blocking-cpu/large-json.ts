import type { RuleMeta } from '../registry';

export const meta: RuleMeta = {
  id: 'blocking-cpu/large-json',
  family: 'blocking-cpu',
  description: 'JSON.parse or JSON.stringify of a request- or result-sized value runs on the event loop.',
  defaultSeverity: 'warning',
  fixIds: ['looplens.disable-next-line'],
};
