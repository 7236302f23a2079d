import type { RuleMeta } from '../registry';

export const meta: RuleMeta = {
  id: 'blocking-cpu/sync-call',
  family: 'blocking-cpu',
  description: 'A synchronous fs, crypto, zlib or child_process call (or a library *Sync function) runs on the event loop inside a handler.',
  defaultSeverity: 'warning',
  fixIds: ['looplens.disable-next-line'],
};
