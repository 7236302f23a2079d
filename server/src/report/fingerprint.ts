import { createHash } from 'node:crypto';
import type { Finding } from '../engine/types';

/** Name of the partial fingerprint LoopLens writes in SARIF; bump the suffix if the recipe changes. */
export const FINGERPRINT_KEY = 'looplens/v1';

/**
 * Stable fingerprints for findings, one per finding in input order: a SHA-256 (hex, 32 chars) of the rule id,
 * the file path relative to the audited folder, and the whitespace-collapsed text of the finding's first
 * line (or the message when the text is unknown), plus an occurrence counter among findings with the same
 * key. Line numbers are left out so that edits above a finding keep its fingerprint.
 *
 * @param relFile path of a finding's file as written in the report (relative, forward slashes)
 * @param lineText text of a 0-based line of a file, or `undefined` when it cannot be read
 */
export function fingerprints(
  findings: readonly Finding[],
  relFile: (f: Finding) => string,
  lineText: (file: string, line: number) => string | undefined,
): string[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const text = lineText(f.location.file, f.location.range.start.line)?.replace(/\s+/g, ' ').trim() ?? f.message;
    const key = `${f.ruleId}\0${relFile(f)}\0${text}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return createHash('sha256').update(`${key}\0${n}`).digest('hex').slice(0, 32);
  });
}
