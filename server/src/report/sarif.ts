import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { AnalysisResult, ChainHop, Finding, Location, Severity } from '../engine/types';
import { RULES, docsUrl, type RuleMeta } from '../engine/rules/registry';
import { FINGERPRINT_KEY, fingerprints } from './fingerprint';
import { sortFindings } from './order';
import { relativeInside } from './paths';

/** The base id artifact URIs inside the audited folder are relative to. */
export const SRCROOT = '%SRCROOT%';
const INFORMATION_URI = 'https://github.com/looplens/looplens';
const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export interface SarifOptions {
  /** LoopLens version written to `tool.driver.version` (from package.json). */
  toolVersion: string;
  /**
   * Text of a 0-based line of an absolute file, used for stable fingerprints; `undefined` if unknown.
   * Default: none (fingerprints then hash the message instead of the line).
   */
  lineText?: (file: string, line: number) => string | undefined;
  /**
   * Fingerprints computed by the caller over a larger set of findings (the CLI's, before a baseline hides
   * some), so that the occurrence counter of {@link fingerprints} matches the baseline's. Default: computed
   * here from `lineText`.
   */
  fingerprintOf?: (f: Finding) => string | undefined;
}

/** SARIF level for a LoopLens severity: `info` is `note`. */
export function sarifLevel(severity: Exclude<Severity, 'off'>): Sarif.Result.level {
  return severity === 'info' ? 'note' : severity;
}

function ruleDescriptor(rule: RuleMeta): Sarif.ReportingDescriptor {
  return {
    id: rule.id,
    shortDescription: { text: rule.description },
    helpUri: docsUrl(rule.id),
    defaultConfiguration: { level: sarifLevel(rule.defaultSeverity) },
    properties: { tags: [rule.family] },
  };
}

/** An artifact location: relative to {@link SRCROOT} inside `base`, else an absolute `file:` URI. */
function artifactLocation(base: string, file: string): Sarif.ArtifactLocation {
  const rel = relativeInside(base, file);
  if (rel === undefined) return { uri: pathToFileURL(file).href };
  return { uri: encodeURI(rel).replace(/[?#]/g, encodeURIComponent), uriBaseId: SRCROOT };
}

function physicalLocation(base: string, loc: Location): Sarif.PhysicalLocation {
  const { start, end } = loc.range;
  return {
    artifactLocation: artifactLocation(base, loc.file),
    region: { startLine: start.line + 1, startColumn: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 },
  };
}

const sameLocation = (a: Location, b: Location) =>
  a.file === b.file &&
  a.range.start.line === b.range.start.line &&
  a.range.start.character === b.range.start.character &&
  a.range.end.line === b.range.end.line &&
  a.range.end.character === b.range.end.character;

/** The chain hops (except the finding's own location) then `related`, without repeats, numbered from 1. */
function relatedLocations(base: string, f: Finding): Sarif.Location[] {
  const hops: ChainHop[] = [];
  for (const hop of [...f.chain, ...f.related]) {
    if (sameLocation(hop, f.location)) continue;
    if (hops.some((h) => h.label === hop.label && sameLocation(h, hop))) continue;
    hops.push(hop);
  }
  return hops.map((h, i) => ({ id: i + 1, physicalLocation: physicalLocation(base, h), message: { text: h.label } }));
}

/** The handler → construct chain as one thread flow, when it has more than one hop. */
function codeFlows(base: string, f: Finding): Sarif.CodeFlow[] | undefined {
  if (f.chain.length < 2) return undefined;
  const locations = f.chain.map((h) => ({ location: { physicalLocation: physicalLocation(base, h), message: { text: h.label } } }));
  return [{ threadFlows: [{ locations }] }];
}

/**
 * Builds a SARIF 2.1.0 log with one run for an analysis. `base` is the audited folder (absolute): artifact
 * URIs inside it are relative with `uriBaseId: '%SRCROOT%'` (declared in `originalUriBaseIds`), others are
 * absolute `file:` URIs. Regions are 1-based with UTF-16 columns, `endColumn` exclusive. Every rule of the
 * registry is listed in `tool.driver.rules`; a finding whose rule is not registered gets a bare descriptor
 * appended. Skipped files become tool-execution notifications.
 */
export function buildSarifLog(result: AnalysisResult, base: string, options: SarifOptions): Sarif.Log {
  const rules = RULES.map(ruleDescriptor);
  const ruleIndex = (id: string) => {
    let i = rules.findIndex((r) => r.id === id);
    if (i < 0) i = rules.push({ id, helpUri: docsUrl(id) }) - 1;
    return i;
  };
  const findings = sortFindings(result.findings);
  const relFile = (f: Finding) => relativeInside(base, f.location.file) ?? f.location.file;
  const computed = fingerprints(findings, relFile, options.lineText ?? (() => undefined));
  const prints = findings.map((f, i) => options.fingerprintOf?.(f) ?? computed[i]!);
  const results = findings.map((f, i): Sarif.Result => {
    const related = relatedLocations(base, f);
    const flows = codeFlows(base, f);
    return {
      ruleId: f.ruleId,
      ruleIndex: ruleIndex(f.ruleId),
      level: sarifLevel(f.severity),
      message: { text: f.message },
      locations: [{ physicalLocation: physicalLocation(base, f.location) }],
      ...(related.length > 0 ? { relatedLocations: related } : {}),
      ...(flows ? { codeFlows: flows } : {}),
      partialFingerprints: { [FINGERPRINT_KEY]: prints[i]! },
      properties: { family: f.family, ...(f.handler ? { handler: f.handler.label } : {}) },
    };
  });
  const baseUri = pathToFileURL(base).href.replace(/\/?$/, '/');
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'LoopLens', version: options.toolVersion, informationUri: INFORMATION_URI, rules } },
        originalUriBaseIds: { [SRCROOT]: { uri: baseUri } },
        columnKind: 'utf16CodeUnits',
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: result.skipped.map((s) => ({
              level: 'warning',
              message: { text: `Skipped: ${s.reason}` },
              locations: [{ physicalLocation: { artifactLocation: artifactLocation(base, s.file) } }],
            })),
          },
        ],
        results,
      },
    ],
  };
}
