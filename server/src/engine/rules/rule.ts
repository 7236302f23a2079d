import type { RuleMeta } from './registry';

/**
 * A rule: its metadata (id, docs, severity, fixes) and the message templates its reports use. The checks
 * themselves run over the program model built by the engine (see ../analysis), which calls `check`.
 */
export interface Rule<Ctx = unknown> {
  meta: RuleMeta;
  /** Message templates by message id; `{name}` placeholders are filled from the report's data. */
  messages: Record<string, string>;
  check(ctx: Ctx): void;
}

/** Fills `{name}` placeholders in a message template. Unknown names are left as they are. */
export function formatMessage(template: string, data: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in data ? String(data[name]) : whole));
}
