import type { Finding, Location } from '../engine/types';

/** Orders locations by file, then start line, then start character. */
export function compareLocations(a: Location, b: Location): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character
  );
}

/** Findings sorted by location, then rule id; the input array is not changed. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => compareLocations(a.location, b.location) || a.ruleId.localeCompare(b.ruleId));
}

/** Groups findings by file, keeping each file's first-seen order. */
export function groupByFile(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = groups.get(f.location.file);
    if (list) list.push(f);
    else groups.set(f.location.file, [f]);
  }
  return groups;
}
