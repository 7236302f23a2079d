import type { RuleFamily, Severity } from '../types';

/**
 * What every rule declares next to its code: id (`family/kind`, also the doc slug
 * `docs/rules/<family>/<kind>.md`), a one-line description, its default severity and the fix ids it offers.
 */
export interface RuleMeta {
  id: string;
  family: RuleFamily;
  description: string;
  defaultSeverity: Exclude<Severity, 'off'>;
  /** Ids of the quick fixes this rule's findings may carry (see `fixes/`); every rule also gets the disable comment. */
  fixIds: string[];
}

/** Where the docs live; `codeDescription.href` and SARIF `helpUri` point here. */
export const DOCS_BASE = 'https://github.com/looplens/looplens/blob/main/docs/rules/';

/** Link to a rule's documentation page. */
export function docsUrl(ruleId: string): string {
  return `${DOCS_BASE}${ruleId}.md`;
}

/** Every rule, sorted by id. Filled from each rule file's `meta` (see ./all.ts). */
export { RULES, ruleById } from './all';
