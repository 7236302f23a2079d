import { toEngineSettings } from '../settings';
import { renderReport } from '../report';
import { plural } from '../report/text';
import { HELP, parseCliArgs, type AuditArgs } from './args';
import { analyzeGroups, mergeResults, type GroupAnalysis } from './audit';
import { loadConfig } from './config';
import { defaultEngine, type EngineHooks } from './engine';
import { UsageError, oneLine } from './errors';
import { applyFixes } from './fix';
import { lineReader } from './lines';
import { expandPaths, groupByProject } from './targets';
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
}

/** Exit codes: no findings, findings, usage or fatal error. */
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
    return await audit(args, io);
  } catch (e) {
    io.stderr.write(`looplens: ${e instanceof UsageError ? e.message : `fatal: ${oneLine(e)}`}\n`);
    return EXIT.error;
  }
}

async function audit(args: AuditArgs, io: CliIo): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const engine = io.engine ?? defaultEngine;
  const { base, groups } = groupByProject(await expandPaths(args.paths, cwd), cwd, args.tsconfig);
  // Defaults < config file < flags.
  const config = loadConfig({ searchFrom: base, cwd, ...(args.config !== undefined ? { configFile: args.config } : {}) });
  const settings = toEngineSettings(config.settings);
  if (args.concurrency !== undefined) settings.concurrencyIo = args.concurrency;

  let analyses = await analyzeGroups(groups, settings, engine);
  let fixNote: string | undefined;
  if (args.fix) {
    fixNote = applyPreferredFixes(analyses, engine);
    analyses = await analyzeGroups(groups, settings, engine);
  }
  const result = mergeResults(analyses.map((a) => a.result));
  // A CI job pointed at the wrong folder must not pass silently.
  if (result.files.length === 0 && result.skipped.length === 0) throw new UsageError(`no TypeScript or JavaScript files to analyse in ${args.paths.join(' ') || '.'}`);
  const report = renderReport(args.format, result, base, { toolVersion: VERSION, lineText: lineReader() });
  if (fixNote !== undefined) (args.format === 'text' ? io.stdout : io.stderr).write(`${fixNote}\n`);
  io.stdout.write(report);
  return result.findings.length > 0 ? EXIT.findings : EXIT.clean;
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
