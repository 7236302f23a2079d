import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AnalysisResult, Finding } from '../engine/types';
import { toEngineSettings } from '../settings';
import { reportPieces, writePieces } from '../report';
import { fingerprints } from '../report/fingerprint';
import { sortFindings } from '../report/order';
import { displayPath, relativeInside } from '../report/paths';
import { plural, summaryLine } from '../report/text';
import { HELP, SEVERITIES, parseCliArgs, type AuditArgs, type InitArgs } from './args';
import { analyzeGroups, mergeResults, type GroupAnalysis } from './audit';
import { readBaseline, splitByBaseline, writeBaseline } from './baseline';
import { loadConfig } from './config';
import { defaultEngine, type EngineHooks } from './engine';
import { UsageError, oneLine } from './errors';
import { applyFixes } from './fix';
import { INIT_FILE, init } from './init';
import { lineReader } from './lines';
import { checkWritable, writeOutput } from './output';
import { progressBar } from './progress';
import { expandPaths, findRepoRoot, groupByProject } from './targets';
import { VERSION } from './version';

/** Something text can be written to (process.stdout, or a collecting stub in tests). */
export interface TextSink {
  write(text: string): unknown;
}

/** Where the CLI reads and writes; everything but the streams has a default. */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  /** Folder relative paths are resolved from; default `process.cwd()`. */
  cwd?: string;
  /** Engine entry points; default the real engine. */
  engine?: EngineHooks;
  /** A terminal to draw the progress bar on (stderr when it is a TTY); absent: no bar. */
  tty?: NodeJS.WritableStream;
}

/** Exit codes: no findings (or within `--max-warnings`, or a baseline written), findings, usage or fatal error. */
export const EXIT = { clean: 0, findings: 1, error: 2 } as const;

/**
 * Runs the CLI on the arguments after the program name and returns the exit code (see {@link EXIT});
 * never calls `process.exit`. The report goes to `io.stdout`; usage and fatal errors go to `io.stderr` as
 * one line `looplens: <reason>`.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseCliArgs(argv);
    if (args.command === 'help') {
      io.stdout.write(HELP);
      return EXIT.clean;
    }
    if (args.command === 'version') {
      io.stdout.write(`${VERSION}\n`);
      return EXIT.clean;
    }
    if (args.command === 'init') return runInit(args, io);
    return await audit(args, io);
  } catch (e) {
    io.stderr.write(`looplens: ${e instanceof UsageError ? e.message : `fatal: ${oneLine(e)}`}\n`);
    return EXIT.error;
  }
}

async function audit(args: AuditArgs, io: CliIo): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const engine = io.engine ?? defaultEngine;
  // A report or baseline that cannot be written should fail before a long analysis, not after it.
  const output = args.output !== undefined ? resolve(cwd, args.output) : undefined;
  if (output !== undefined) checkWritable(output, args.output!, cwd);
  const baseline = args.baseline !== undefined ? resolve(cwd, args.baseline) : undefined;
  if (baseline !== undefined) checkWritable(baseline, args.baseline!, cwd);
  const { base, groups } = groupByProject(await expandPaths(args.paths, cwd), cwd, args.tsconfig);
  // Defaults < config file < flags.
  const config = loadConfig({ searchFrom: base, cwd, ...(args.config !== undefined ? { configFile: args.config } : {}) });
  const settings = toEngineSettings(config.settings);
  if (args.concurrency !== undefined) settings.concurrencyIo = args.concurrency;

  // A machine-read report on stdout is usually piped to a file or a tool: no bar beside it.
  const drawProgress = io.tty !== undefined && (output !== undefined || (args.format !== 'json' && args.format !== 'sarif'));
  const analyse = async () => {
    const progress = drawProgress ? progressBar(io.tty!, cwd) : undefined;
    try {
      return await analyzeGroups(groups, settings, engine, undefined, progress);
    } finally {
      progress?.finish();
    }
  };
  let analyses = await analyse();
  let fixNote: string | undefined;
  if (args.fix) {
    fixNote = applyPreferredFixes(analyses, engine);
    analyses = await analyse();
  }
  const merged = mergeResults(analyses.map((a) => a.result));
  // A CI job pointed at the wrong folder must not pass silently.
  if (merged.files.length === 0 && merged.skipped.length === 0) throw new UsageError(`no TypeScript or JavaScript files to analyse in ${args.paths.join(' ') || '.'}`);
  const result = { ...merged, findings: selectFindings(merged.findings, args) };

  // Fingerprints over every selected finding, before a baseline hides some, so occurrence counters agree.
  const repoRoot = findRepoRoot(base);
  const lineText = lineReader();
  const sorted = sortFindings(result.findings);
  const printList = fingerprints(sorted, (f) => relativeInside(repoRoot, f.location.file) ?? f.location.file, lineText);
  const prints = new Map(sorted.map((f, i) => [f, printList[i]!]));
  const fingerprintOf = (f: Finding) => prints.get(f)!;

  const notes: string[] = [];
  const { shown, written } = baseline !== undefined ? applyBaseline(baseline, args, result, fingerprintOf, repoRoot, notes) : { shown: result, written: false };

  const report = reportPieces(args.format, shown, args.format === 'sarif' ? repoRoot : base, { toolVersion: VERSION, lineText, fingerprintOf });
  const code = written ? EXIT.clean : exitCode(shown.findings, args.maxWarnings);
  if (code === EXIT.clean && args.maxWarnings !== undefined && shown.findings.length > 0) notes.push(`Within --max-warnings ${args.maxWarnings}.`);
  if (code === EXIT.findings && args.maxWarnings !== undefined && !shown.findings.some((f) => f.severity === 'error')) {
    notes.push(`Too many warnings (maximum: ${args.maxWarnings}).`);
  }
  // Lines for people: on stdout unless it carries a machine-read report.
  const human = output !== undefined || args.format === 'text' ? io.stdout : io.stderr;
  if (fixNote !== undefined) human.write(`${fixNote}\n`);
  if (output !== undefined) {
    writeOutput(output, args.output!, report);
    io.stdout.write(`${summaryLine(shown)} Report written to ${args.output}.\n`);
  } else {
    writePieces(report, (batch) => io.stdout.write(batch));
  }
  for (const note of notes) human.write(`${note}\n`);
  return code;
}

/**
 * `--baseline`: writes the file when it is missing or `--update-baseline` is given (`written`, all findings
 * shown), else hides the findings it lists. Pushes the line saying what was done onto `notes`.
 */
function applyBaseline(
  file: string,
  args: AuditArgs,
  result: AnalysisResult,
  fingerprintOf: (f: Finding) => string,
  repoRoot: string,
  notes: string[],
): { shown: AnalysisResult; written: boolean } {
  const shownName = args.baseline!;
  if (args.updateBaseline || !existsSync(file)) {
    writeBaseline(file, shownName, result.findings, fingerprintOf, repoRoot);
    notes.push(`Wrote ${plural(result.findings.length, 'finding')} to the baseline ${shownName}.`);
    return { shown: result, written: true };
  }
  const split = splitByBaseline(result.findings, fingerprintOf, readBaseline(file, shownName));
  const gone = split.gone > 0 ? `; ${plural(split.gone, 'baseline entry', 'baseline entries')} no longer found (--update-baseline drops them)` : '';
  notes.push(`${plural(split.known, 'finding')} in the baseline ${shownName} not shown${gone}.`);
  return { shown: { ...result, findings: split.fresh }, written: false };
}

/** The findings `--rule` and `--severity` ask for (all when neither is given). */
export function selectFindings(findings: readonly Finding[], args: Pick<AuditArgs, 'rules' | 'severity'>): Finding[] {
  const min = args.severity !== undefined ? SEVERITIES.indexOf(args.severity) : 0;
  return findings.filter(
    (f) => SEVERITIES.indexOf(f.severity) >= min && (args.rules === undefined || args.rules.includes(f.ruleId) || args.rules.includes(f.family)),
  );
}

/**
 * The exit code for the findings reported: without `maxWarnings` any finding fails (1); with it, an error
 * fails, more than `maxWarnings` warnings fail, and info findings never do.
 */
export function exitCode(findings: readonly Finding[], maxWarnings: number | undefined): number {
  if (maxWarnings === undefined) return findings.length > 0 ? EXIT.findings : EXIT.clean;
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  return errors > 0 || warnings > maxWarnings ? EXIT.findings : EXIT.clean;
}

/** Writes the starter config (see ./init.ts); returns exit 0, or throws a {@link UsageError} (exit 2). */
function runInit(args: InitArgs, io: CliIo): number {
  const cwd = io.cwd ?? process.cwd();
  const shown = args.folder ?? '.';
  const { file, shadowed } = init(resolve(cwd, shown), args.force, shown);
  io.stdout.write(`Wrote ${displayPath(cwd, file)}.\n`);
  for (const other of shadowed) io.stderr.write(`looplens: note: ${INIT_FILE} takes precedence over ${other} in that folder\n`);
  return EXIT.clean;
}

/** Applies the preferred fix of every finding, group by group; returns the line saying what was done. */
function applyPreferredFixes(analyses: readonly GroupAnalysis[], engine: EngineHooks): string {
  let applied = 0;
  let skipped = 0;
  let files = 0;
  for (const { workspace, result } of analyses) {
    const done = applyFixes(workspace, result.findings, engine);
    applied += done.applied;
    skipped += done.skipped;
    files += done.files.length;
  }
  const rest = skipped > 0 ? `; ${plural(skipped, 'fix', 'fixes')} could not be placed (run --fix again)` : '';
  return `Applied ${plural(applied, 'fix', 'fixes')} in ${plural(files, 'file')}${rest}.`;
}
