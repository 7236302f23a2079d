/**
 * looplens/unused-suppression
 *
 * What it does: reports a `looplens-disable-next-line`, `looplens-disable-line` or `looplens-disable` comment
 * (see ../../suppress.ts) that silenced no finding in the analysis: the code below it was fixed, moved, or
 * never reported, or the comment names a rule that does not exist. Reported at the comment, with a quick fix
 * that removes it.
 *
 * Why it is bad: a stale suppression silences whatever is reported there next, so a new blocking call under
 * an old comment goes unseen. ESLint reports the same as "unused eslint-disable directive"
 * (https://eslint.org/docs/latest/use/configure/rules#report-unused-eslint-disable-comments).
 */
import type { RuleMeta } from '../registry';
import type { Rule } from '../rule';

export const meta: RuleMeta = {
  id: 'looplens/unused-suppression',
  family: 'looplens',
  description: 'A LoopLens suppression comment silences no finding.',
  defaultSeverity: 'info',
  fixIds: ['looplens.remove-suppression'],
};

export const rule: Rule = {
  meta,
  messages: {
    unused: '`{directive}` silences nothing: no {rules} finding is reported {where}. Remove the comment.',
    unknown: '`{directive}` names no LoopLens rule or family ({names}), so it silences nothing. Remove or correct the comment.',
  },
};
