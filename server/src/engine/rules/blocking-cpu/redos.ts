/**
 * blocking-cpu/redos
 *
 * What it does: reports a regular expression with super-linear backtracking (exponential, or polynomial from
 * nested or adjacent overlapping quantifiers) applied to a non-literal string: `re.test(s)`, `re.exec(s)`,
 * `s.match(re)`, `s.replace(re, …)`, `s.split(re)`, `s.search(re)`, `s.matchAll(re)`. The regex may be a
 * literal, a `const` holding one, or `new RegExp('literal')`. The analysis is the kept library `scslre`
 * (https://github.com/RunDevelopment/scslre); its "Move" reports (quadratic only through the search's moving
 * start) are not reported.
 *
 * Why it is bad: a crafted input makes the match take seconds to hours, during which the event loop serves
 * nothing (OWASP, "Regular expression Denial of Service - ReDoS";
 * https://owasp.org/www-community/attacks/Regular_expression_Denial_of_Service_-_ReDoS).
 */
import { RegExpParser, visitRegExpAST, type AST } from '@eslint-community/regexpp';
import { ts } from 'ts-morph';
import { calleeName, locationOf, receiverOf, skipOuter } from '../../ast';
import { unalias } from '../../resolve';
import type { RuleMeta } from '../registry';
import type { Rule } from '../rule';

export const meta: RuleMeta = {
  id: 'blocking-cpu/redos',
  family: 'blocking-cpu',
  description: 'A regular expression with super-linear backtracking is applied to input on the event loop.',
  defaultSeverity: 'warning',
  fixIds: ['looplens.worker-offload', 'looplens.disable-next-line'],
};

const ON_REGEX = new Set(['test', 'exec']);
const ON_STRING = new Set(['match', 'matchAll', 'replace', 'replaceAll', 'split', 'search']);
const parser = new RegExpParser();
const verdicts = new Map<string, 'exponential' | 'polynomial' | null>();

/** The literal source of a regex expression (`/…/flags`), following consts and `new RegExp('…')`. */
function regexLiteral(checker: ts.TypeChecker, expr: ts.Expression, depth = 0): string | undefined {
  const e = skipOuter(expr);
  if (ts.isRegularExpressionLiteral(e)) return e.text;
  if (depth > 3) return undefined;
  if ((ts.isNewExpression(e) || ts.isCallExpression(e)) && ts.isIdentifier(e.expression) && e.expression.text === 'RegExp') {
    const [src, flags] = e.arguments ?? [];
    if (src && ts.isStringLiteralLike(src)) {
      const f = flags && ts.isStringLiteralLike(flags) ? flags.text : '';
      return `/${src.text.replace(/\//g, '\\/')}/${f}`;
    }
    return undefined;
  }
  if (ts.isIdentifier(e)) {
    try {
      const d = unalias(checker, checker.getSymbolAtLocation(e))?.valueDeclaration;
      if (d && ts.isVariableDeclaration(d) && d.initializer && ts.getCombinedNodeFlags(d) & ts.NodeFlags.Const) return regexLiteral(checker, d.initializer, depth + 1);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Whether scslre may report the regex: its reports other than "Move" are a quantifier nested in another
 * ("Self") or two quantifiers trading characters ("Trade"), so a regex with fewer than two repeating quantifiers
 * has none. Three regexes in four are of that kind (6,134 distinct regex literals in this repository's
 * dependencies and `@budibase/server`'s: 4,664, none with a report); they skip scslre, which is loaded only
 * for the others (with refa, 4.6 MiB of heap).
 */
function mayBacktrack(regex: AST.RegExpLiteral): boolean {
  let repeating = 0;
  visitRegExpAST(regex, {
    onQuantifierEnter(q) {
      if (q.max > 1) repeating++;
    },
  });
  return repeating >= 2;
}

/** scslre's verdict on a regex literal, cached by source; null when it is linear or cannot be parsed. */
export function backtracking(literal: string): 'exponential' | 'polynomial' | null {
  const cached = verdicts.get(literal);
  if (cached !== undefined) return cached;
  let verdict: 'exponential' | 'polynomial' | null = null;
  try {
    const regex = parser.parseLiteral(literal);
    if (mayBacktrack(regex)) {
      // Loaded on first use: see mayBacktrack.
      const { analyse } = require('scslre') as typeof import('scslre');
      const reports = analyse(regex).reports;
      if (reports.some((r) => r.exponential)) verdict = 'exponential';
      else if (reports.some((r) => r.type !== 'Move')) verdict = 'polynomial';
    }
  } catch {
    verdict = null;
  }
  verdicts.set(literal, verdict);
  return verdict;
}

export const rule: Rule = {
  meta,
  messages: {
    redos: 'Regex `{regex}` has {kind} backtracking and is applied to `{input}` on the event loop in {handler}: a crafted input can hold the loop for seconds. Rewrite it without nested or overlapping quantifiers, or bound the input length.',
  },
  detect(node, env) {
    if (!ts.isCallExpression(node)) return undefined;
    const name = calleeName(node);
    const recv = receiverOf(node);
    if (!name || !recv) return undefined;
    let regexExpr: ts.Expression | undefined;
    let input: ts.Expression | undefined;
    if (ON_REGEX.has(name)) [regexExpr, input] = [recv, node.arguments[0]];
    else if (ON_STRING.has(name)) [regexExpr, input] = [node.arguments[0], recv];
    if (!regexExpr || !input || ts.isStringLiteralLike(skipOuter(input))) return undefined;
    const literal = regexLiteral(env.checker, regexExpr);
    if (!literal) return undefined;
    const kind = backtracking(literal);
    if (!kind) return undefined;
    const shown = literal.length > 40 ? literal.slice(0, 39) + '…' : literal;
    return {
      ruleId: meta.id,
      family: 'blocking-cpu',
      node,
      location: locationOf(node, env.sf),
      messageId: 'redos',
      data: { regex: shown, kind, input: skipOuter(input).getText().slice(0, 40) },
      fix: { kind: 'none' },
      reason: `${kind} regex ${shown}`,
    };
  },
};
