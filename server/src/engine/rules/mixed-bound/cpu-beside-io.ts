import type { RuleMeta } from '../registry';

export const meta: RuleMeta = {
  id: 'mixed-bound/cpu-beside-io',
  family: 'mixed-bound',
  description: 'A CPU-bound handler is registered in the same process as I/O-bound handlers, which it starves.',
  defaultSeverity: 'warning',
  fixIds: ['looplens.disable-next-line'],
};
