/**
 * The analysis pipeline over one TypeScript program: discover handlers → follow calls from each handler
 * (across files, through the type checker) → rule detections in the functions reached → bound classes and
 * event-loop domains → mixed-bound → findings, filtered by severity, suppressions and the requested scope;
 * then the suppression comments that silenced nothing.
 */
import * as nodePath from 'node:path';
import { ts } from 'ts-morph';
import { locationOf, normalizePath, registrationLocation } from '../ast';
import { constructorPrefix, discoverFile, type DiscoveredHandler, type FileDiscovery, type Mount } from '../discovery';
import { RULE_IMPLS, ruleById } from '../rules/all';
import { rule as UNUSED_SUPPRESSION } from '../rules/looplens/unused-suppression';
import { checkMixedBound, type BoundHandler } from '../rules/mixed-bound/cpu-beside-io';
import { formatMessage } from '../rules/rule';
import type { EngineSettings } from '../settings';
import { namesRule, Suppressions, type Directive } from '../suppress';
import { throwIfCancelled, type CancellationToken, type Finding, type Handler, type HandlerKind, type Severity } from '../types';
import { computeDomains, importsOf, packageEntries } from './domains';
import { setSmallCollections } from './size';
import { runSync, type AnalysisStep } from '../steps';
import { Summaries } from './summary';
import { blockingFixData, type BlockingContext } from './blocking-fixes';
import { bindSteps, checkerOf } from '../bind';
import { ProjectFacts } from './concurrency';
import { FunctionNames } from './function-names';
import { IncrementalCache } from './incremental';
import { reach } from './reach';
import { classify, type OutcomeInputs, type Report } from './outcome';
import type { TraceItem } from './trace';

/** The trace of a handler whose function did not resolve: one array, so that its outcome is kept (./outcome.ts). */
const NO_ITEMS: readonly TraceItem[] = [];

export interface ProgramInput {
  program: ts.Program;
  /** Source files to discover handlers in (the analysed folder's project files). */
  files: readonly ts.SourceFile[];
  /** Whether findings in a file are reported (the requested paths, minus excludes). */
  inScope: (file: string) => boolean;
  settings: EngineSettings;
  token?: CancellationToken;
  /**
   * Suppressions shared by the programs of one analysis (a monorepo's packages): a comment in one package may
   * silence a finding reached from another's handler. When given, the caller reports the unused ones after the
   * last program ({@link unusedSuppressionFindings}); otherwise this program's are reported here.
   */
  suppressions?: Suppressions;
  /**
   * What the last analysis of the same project kept (the editor's re-analysis after an edit): unchanged files
   * reuse their discovery, function summaries and handlers' reached functions (./incremental.ts). The result
   * is the same as without it; without it, nothing is kept past its use (a one-shot analysis).
   */
  incremental?: IncrementalCache;
}

export interface ProgramResult {
  handlers: Handler[];
  findings: Finding[];
}

/** The path prefix each router is mounted under (`app.use('/api', router)`, `new Router({ prefix })`), nested up to 4 deep. */
function routePrefixes(mounts: readonly Mount[]): (router: ts.Symbol) => string {
  const memo = new Map<ts.Symbol, string>();
  const prefix = (router: ts.Symbol, depth: number): string => {
    const known = memo.get(router);
    if (known !== undefined) return known;
    const own = constructorPrefix(router) ?? '';
    const m = mounts.find((x) => x.target === router);
    const outer = m && depth < 4 ? (m.parent ? prefix(m.parent, depth + 1) : '') + m.path : '';
    const p = joinPaths(outer, own);
    memo.set(router, p);
    return p;
  };
  return (router) => prefix(router, 0);
}

function joinPaths(a: string, b: string): string {
  if (!a) return b;
  if (!b) return a;
  return a.replace(/\/+$/, '') + '/' + b.replace(/^\/+/, '');
}

/** `GET /orders` under `/api` → `GET /api/orders`; labels without a path are left alone. */
function withPrefix(label: string, prefix: string): string {
  if (!prefix) return label;
  const m = /^(\S+) (\/.*)$/.exec(label);
  if (m) return `${m[1]} ${joinPaths(prefix, m[2] === '/' ? '' : m[2]!) || '/'}`;
  return label === 'middleware' ? `USE ${prefix}` : label;
}

/** Findings in document order: file, line, character, then rule id. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.location.file.localeCompare(b.location.file) ||
    a.location.range.start.line - b.location.range.start.line ||
    a.location.range.start.character - b.location.range.start.character ||
    a.ruleId.localeCompare(b.ruleId)
  );
}

/** `looplens/unused-suppression` findings for the directives of the in-scope `files` that silenced nothing. */
export function unusedSuppressionFindings(suppressions: Suppressions, files: readonly ts.SourceFile[], inScope: (file: string) => boolean, settings: EngineSettings): Finding[] {
  const severity = severityOf(settings, UNUSED_SUPPRESSION.meta.id, UNUSED_SUPPRESSION.meta.family);
  if (severity === 'off') return [];
  const out: Finding[] = [];
  for (const sf of files) {
    const file = normalizePath(sf.fileName);
    if (inScope(file)) for (const d of suppressions.unused(sf)) out.push(unusedSuppression(d, file, severity));
  }
  return out;
}

/** The `looplens/unused-suppression` finding for a directive that silenced nothing. */
function unusedSuppression(d: Directive, file: string, severity: Exclude<Severity, 'off'>): Finding {
  const { meta, messages } = UNUSED_SUPPRESSION;
  const unknown = d.rules.filter((r) => !RULE_IMPLS.some((x) => namesRule([r], x.meta.id)));
  const where = d.kind === 'disable-next-line' ? 'on the next line' : d.kind === 'disable-line' ? 'on this line' : 'before the matching looplens-enable';
  const message =
    unknown.length > 0
      ? formatMessage(messages.unknown!, { directive: d.text, names: unknown.join(', ') })
      : formatMessage(messages.unused!, { directive: d.text, rules: d.rules.length ? d.rules.join(' or ') : 'LoopLens', where });
  return { ruleId: meta.id, family: meta.family, severity, message, location: { file, range: d.range }, chain: [], related: [], fix: { kind: 'none' } };
}

function severityOf(settings: EngineSettings, ruleId: string, family: string): Severity {
  return settings.severities[ruleId] ?? settings.severities[family] ?? ruleById(ruleId)?.defaultSeverity ?? 'warning';
}

function handlerDisplay(h: Handler): string {
  return `\`${h.label}\` (${nodePath.basename(h.registration.file)}:${h.registration.range.start.line + 1})`;
}

/** Runs the whole pipeline on a program. Throws CancelledError when the token is cancelled. */
export function analyzeProgram(input: ProgramInput): ProgramResult {
  return runSync(analyzeProgramSteps(input));
}

/**
 * {@link analyzeProgram} as steps: yields after each file of the discovery and after each handler followed,
 * so the caller can report progress and give the event loop a turn (see ../steps).
 */
export function* analyzeProgramSteps(input: ProgramInput): Generator<AnalysisStep, ProgramResult> {
  const { program, settings, token } = input;
  yield* bindSteps(program, input.files.length);
  const checker = checkerOf(program);
  setSmallCollections(checker, settings.smallCollections);
  const inc = input.incremental ?? new IncrementalCache(false);
  inc.begin(program, input.files, settings);

  // 1. Resolve imports (the event-loop domains need them, and an edit's reach through them).
  const options = program.getCompilerOptions();
  const cache = ts.createModuleResolutionCache(program.getCurrentDirectory(), (s) => s, options);
  const imports = new Map<string, string[]>();
  for (const sf of input.files) imports.set(normalizePath(sf.fileName), inc.importsOf(sf, () => importsOf(sf, options, ts.sys, cache)));
  inc.settleImports(imports, (spec, from) => {
    const r = ts.resolveModuleName(spec, from.fileName, options, ts.sys, cache).resolvedModule;
    return r ? normalizePath(r.resolvedFileName) : undefined;
  });

  // 2. Discover handlers, entries and worker files.
  const discovered: { d: DiscoveredHandler; sf: ts.SourceFile }[] = [];
  const entries = new Set<string>();
  const workerFiles = new Set<string>();
  const cliScripts = new Set<string>();
  const workerTargets: string[] = [];
  const mounts: Mount[] = [];
  const functionNames = new Map<ts.SourceFile, FileDiscovery['functionNames']>();
  for (const [i, sf] of input.files.entries()) {
    throwIfCancelled(token);
    yield { phase: 'discover', filesDone: i, files: input.files.length };
    const { fd, mounts: own } = inc.discover(sf, (m) => discoverFile(sf, checker, m, settings.handlerCalls));
    mounts.push(...own);
    functionNames.set(sf, fd.functionNames);
    const file = normalizePath(sf.fileName);
    for (const d of fd.handlers) discovered.push({ d, sf });
    if (fd.isEntry) entries.add(file);
    if (fd.isWorkerBody) workerFiles.add(file);
    if (fd.isCliScript) cliScripts.add(file);
    workerTargets.push(...fd.workerTargets);
  }
  const fileSet = new Set(input.files.map((f) => normalizePath(f.fileName)));
  for (const t of workerTargets) if (fileSet.has(t)) workerFiles.add(t);
  for (const e of packageEntries([...fileSet], program.getCompilerOptions(), ts.sys)) entries.add(e);

  // 3. Event-loop domains from the import graph.
  throwIfCancelled(token);
  const domainsOf = computeDomains({ imports, entries, workerFiles });

  // 4. Follow each handler's calls and collect what it reaches.
  const handlerKinds = new Map<ts.Node, HandlerKind>(discovered.flatMap(({ d }) => (d.fn ? [[d.fn, d.kind] as const] : [])));
  const facts = new ProjectFacts(input.files, options);
  const summaries = new Summaries(checker, RULE_IMPLS, settings, (n) => handlerKinds.has(n), facts, new FunctionNames(program, (sf) => functionNames.get(sf)), inc.keeps);
  inc.adoptSummaries(summaries, handlerKinds);
  const suppressions = input.suppressions ?? new Suppressions();
  const fixContext: BlockingContext = {
    checker,
    handlerKind: (n) => handlerKinds.get(n),
    moduleSystem: (sf) => facts.fileFacts(normalizePath(sf.fileName), sf).moduleSystem,
  };

  const handlers: Handler[] = [];
  const bound: BoundHandler[] = [];
  const findings: Finding[] = [];
  const reportedNodes = new Set<ts.Node>();
  const idCount = new Map<string, number>();

  const prefixOf = routePrefixes(mounts);
  const total = input.files.length;
  // Files without handlers are done once discovery ends.
  let filesDone = total - new Set(discovered.map(({ sf }) => sf)).size;
  /** A report's finding, built the first time a run reports it in scope; null when its rule is off. */
  const findingOf = (report: Report, handler: Handler): Finding | null => {
    if (report.finding !== undefined) return report.finding;
    const { det, cpu, chain } = report.item;
    const severity = severityOf(settings, det.ruleId, det.family);
    if (severity === 'off') return (report.finding = null);
    const template = RULE_IMPLS.find((x) => x.meta.id === det.ruleId)!.messages[det.messageId] ?? det.messageId;
    return (report.finding = {
      ruleId: det.ruleId,
      family: det.family,
      severity,
      message: formatMessage(template, { ...det.data, handler: handlerDisplay(handler) }),
      location: det.location,
      handler: { id: handler.id, label: handler.label, registration: handler.registration },
      chain,
      related: [],
      fix: cpu ? { ...det.fix, ...blockingFixData(det, fixContext) } : det.fix,
    });
  };
  for (const [i, { d, sf }] of discovered.entries()) {
    throwIfCancelled(token);
    yield { phase: 'handlers', filesDone, files: total, handlersDone: i, handlers: discovered.length };
    // The discovery is kept across analyses: the prefix goes on this analysis's label only.
    const label = d.router ? withPrefix(d.label, prefixOf(d.router)) : d.label;
    const { registration, body } = inc.locations(d, () => ({ registration: registrationLocation(d.registration, sf), body: d.fn ? locationOf(d.fn) : undefined }));
    const baseId = `${registration.file}:${registration.range.start.line + 1}:${registration.range.start.character + 1}`;
    const n = (idCount.get(baseId) ?? 0) + 1;
    idCount.set(baseId, n);
    const domains = domainsOf(registration.file);
    // Worker threads and command-line scripts block no one else's requests: blocking-cpu stays silent there.
    const offLoop = domains.some((x) => x.startsWith('worker:')) || cliScripts.has(registration.file);
    let items: readonly TraceItem[] = NO_ITEMS;
    if (d.fn) {
      let reached = inc.reached(d, label);
      if (!reached) {
        reached = reach(summaries, d.fn, { ...registration, label });
        inc.keepReached(d, label, reached);
      }
      items = inc.trace(reached, (fn) => summaries.get(fn));
    }
    const inputs: OutcomeInputs = { id: n === 1 ? baseId : `${baseId}#${n}`, label, registration, body, domains, offLoop, items };
    let outcome = inc.outcome(d, inputs);
    if (outcome) for (const { det } of outcome.suppressed) suppressions.suppresses(det.node.getSourceFile(), det.location.range.start, det.ruleId);
    else inc.keepOutcome(d, (outcome = classify(inputs, d.kind, suppressions)));
    for (const report of outcome.reports) {
      const { det, covered } = report.item;
      if (reportedNodes.has(det.node) || (covered && det.ruleId === 'blocking-cpu/data-loop')) continue;
      reportedNodes.add(det.node);
      if (!input.inScope(det.location.file)) continue;
      const finding = findingOf(report, outcome.handler);
      if (finding) findings.push(finding);
    }
    handlers.push(outcome.handler);
    bound.push(outcome.bound);
    // Discovery lists a file's handlers together, so its last one finishes the file.
    if (discovered[i + 1]?.sf !== sf) filesDone++;
  }

  // 5. Mixed bounds per domain.
  // Out of scope, a suppression is never reported unused: its file's findings need not be built.
  for (const f of checkMixedBound(bound, input.inScope)) {
    // Asked before the severity, as for detections: a suppression is used when it silences a construct, even
    // one whose rule these settings turn off (other settings, a CI job's, may turn it on).
    const sf = program.getSourceFile(f.location.file);
    if (sf && suppressions.suppresses(sf, f.location.range.start, f.ruleId)) continue;
    const severity = severityOf(settings, f.ruleId, f.family);
    if (severity === 'off') continue;
    findings.push({ ...f, severity });
  }

  // 6. Suppression comments that silenced nothing.
  if (!input.suppressions) findings.push(...unusedSuppressionFindings(suppressions, input.files, input.inScope, settings));

  findings.sort(compareFindings);
  inc.finish();
  return { handlers: handlers.filter((h) => input.inScope(h.registration.file)), findings };
}
