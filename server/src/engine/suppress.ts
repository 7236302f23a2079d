/**
 * Suppression comments. `// looplens-disable-next-line <rule>[, <rule>…] -- <reason>` on the line above a
 * finding silences it; `<rule>` is a rule id or a family (`blocking-cpu`); with no rule, every rule.
 * `// looplens-disable-line <rule>` does the same on the finding's own line.
 */
const DIRECTIVE = /\/[/*]\s*looplens-disable-(next-line|line)\b([^\n]*)/;

/** The rules a directive names (empty = all), from the text after the directive keyword. */
function rulesNamed(rest: string): string[] {
  const list = rest.split('--')[0]!.replace(/\*\/.*$/, '');
  return list.split(/[\s,]+/).filter(Boolean);
}

function matches(named: string[], ruleId: string): boolean {
  return named.length === 0 || named.some((r) => r === ruleId || ruleId.startsWith(r + '/'));
}

/** True when a finding of `ruleId` starting on zero-based `line` of `text` is suppressed. */
export function isSuppressed(lines: readonly string[], line: number, ruleId: string): boolean {
  const same = DIRECTIVE.exec(lines[line] ?? '');
  if (same && same[1] === 'line' && matches(rulesNamed(same[2]!), ruleId)) return true;
  const above = DIRECTIVE.exec(lines[line - 1] ?? '');
  return !!above && above[1] === 'next-line' && matches(rulesNamed(above[2]!), ruleId);
}
