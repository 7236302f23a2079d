/**
 * The `--baseline` file: the findings a team has accepted, so that CI fails only on new ones. Findings are
 * matched by the fingerprint SARIF writes as `partialFingerprints["looplens/v1"]` (report/fingerprint.ts:
 * rule id, path relative to the repository root, whitespace-collapsed text of the finding's line, occurrence
 * counter): moving code up or down keeps a finding matched; editing its line makes it new.
 */
import { readFileSync } from 'node:fs';
import type { Finding } from '../engine/types';
import { FINGERPRINT_KEY } from '../report/fingerprint';
import { compareLocations } from '../report/order';
import { displayPath } from '../report/paths';
import { UsageError, oneLine } from './errors';
import { writeOutput } from './output';

/** Version of the baseline file's shape; a file of another version is refused (exit 2). */
export const BASELINE_VERSION = 1;

/** One accepted finding. `file`, `line` (1-based) and `message` are for people reviewing the file. */
export interface BaselineEntry {
  fingerprint: string;
  ruleId: string;
  /** Path relative to the repository root, forward slashes. */
  file: string;
  line: number;
  message: string;
}

/** The file's shape. */
export interface BaselineFile {
  version: typeof BASELINE_VERSION;
  /** The fingerprint recipe (report/fingerprint.ts FINGERPRINT_KEY); another recipe means rewrite the file. */
  fingerprint: string;
  findings: BaselineEntry[];
}

/**
 * The baseline file's text for `findings`: entries sorted by file, line, column and rule id, paths relative
 * to `root` (the repository root, absolute), pretty JSON with a trailing newline.
 */
export function baselineText(findings: readonly Finding[], fingerprintOf: (f: Finding) => string, root: string): string {
  const entries = [...findings]
    .sort((a, b) => compareLocations(a.location, b.location) || a.ruleId.localeCompare(b.ruleId))
    .map((f): BaselineEntry => ({
      fingerprint: fingerprintOf(f),
      ruleId: f.ruleId,
      file: displayPath(root, f.location.file),
      line: f.location.range.start.line + 1,
      message: f.message,
    }));
  const file: BaselineFile = { version: BASELINE_VERSION, fingerprint: FINGERPRINT_KEY, findings: entries };
  return JSON.stringify(file, null, 2) + '\n';
}

/** Writes {@link baselineText} to `file` (folders created). Throws {@link UsageError} if it cannot be written. */
export function writeBaseline(file: string, shown: string, findings: readonly Finding[], fingerprintOf: (f: Finding) => string, root: string): void {
  writeOutput(file, shown, baselineText(findings, fingerprintOf, root));
}

/**
 * Reads a baseline file's fingerprints. Throws {@link UsageError} naming `shown` when the file cannot be read,
 * is not JSON, has another version or fingerprint recipe, or has an entry without a string `fingerprint`.
 */
export function readBaseline(file: string, shown: string): Set<string> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new UsageError(`cannot read baseline ${shown}: ${oneLine(e)}`);
  }
  const bad = (why: string) => new UsageError(`invalid baseline ${shown}: ${why}`);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw bad('expected an object');
  const { version, fingerprint, findings } = data as Partial<Record<keyof BaselineFile, unknown>>;
  if (version !== BASELINE_VERSION) throw bad(`version ${JSON.stringify(version)} is not ${BASELINE_VERSION}`);
  if (fingerprint !== FINGERPRINT_KEY) throw bad(`fingerprints are "${String(fingerprint)}", not "${FINGERPRINT_KEY}" (rewrite it with --update-baseline)`);
  if (!Array.isArray(findings)) throw bad('"findings" is not an array');
  return new Set(
    findings.map((e: unknown, i) => {
      const print = (e as { fingerprint?: unknown } | null)?.fingerprint;
      if (typeof print !== 'string' || print === '') throw bad(`findings[${i}] has no fingerprint`);
      return print;
    }),
  );
}

/** Which findings are new against a baseline, and how many baseline entries no longer match anything. */
export interface BaselineSplit {
  fresh: Finding[];
  known: number;
  gone: number;
}

/** Splits `findings` into those whose fingerprint is not in `baseline` and the rest. */
export function splitByBaseline(findings: readonly Finding[], fingerprintOf: (f: Finding) => string, baseline: ReadonlySet<string>): BaselineSplit {
  const seen = new Set<string>();
  const fresh: Finding[] = [];
  for (const f of findings) {
    const print = fingerprintOf(f);
    if (baseline.has(print)) seen.add(print);
    else fresh.push(f);
  }
  return { fresh, known: findings.length - fresh.length, gone: baseline.size - seen.size };
}
