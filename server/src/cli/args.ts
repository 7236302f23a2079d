import { parseArgs } from 'node:util';
import { RULES } from '../engine/rules/registry';
import type { Severity } from '../engine/types';
import { FORMATS, type ReportFormat } from '../report';
import { UsageError } from './errors';

/** Severities a finding can have, lowest first (`--severity` keeps this one and those after it). */
export const SEVERITIES = ['info', 'warning', 'error'] as const satisfies readonly Exclude<Severity, 'off'>[];
export type ReportedSeverity = (typeof SEVERITIES)[number];

/** What `looplens audit` was asked to do. */
export interface AuditArgs {
  command: 'audit';
  /** Paths or glob patterns as given (may be empty: the current folder). */
  paths: string[];
  format: ReportFormat;
  fix: boolean;
  tsconfig?: string;
  /** Concurrency limit suggested by fan-out fixes (`looplens.concurrency.io`); overrides the config file. */
  concurrency?: number;
  /** Config file to use instead of searching for one (see ./config.ts). */
  config?: string;
  /** File the report is written to instead of stdout (then stdout gets the summary line). */
  output?: string;
  /** Most warnings allowed before the exit code is 1; absent: any finding fails. */
  maxWarnings?: number;
  /** Lowest severity reported; absent: all. */
  severity?: ReportedSeverity;
  /** Rule ids or families to report (`--rule`, repeatable); absent: every rule. */
  rules?: string[];
  /** Baseline file (see ./baseline.ts). */
  baseline?: string;
  /** Rewrite the baseline with the current findings (needs `baseline`). */
  updateBaseline: boolean;
}

/** What `looplens init` was asked to do. */
export interface InitArgs {
  command: 'init';
  /** Folder to write `.looplensrc.json` in, as given; absent: the current folder. */
  folder?: string;
  /** Overwrite an existing `.looplensrc.json`. */
  force: boolean;
}

export type CliArgs = { command: 'help' } | { command: 'version' } | AuditArgs | InitArgs;

const OPTIONS = {
  format: { type: 'string', short: 'f' },
  fix: { type: 'boolean' },
  tsconfig: { type: 'string', short: 'p' },
  concurrency: { type: 'string' },
  config: { type: 'string', short: 'c' },
  output: { type: 'string', short: 'o' },
  'max-warnings': { type: 'string' },
  severity: { type: 'string' },
  rule: { type: 'string', multiple: true },
  baseline: { type: 'string' },
  'update-baseline': { type: 'boolean' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

/** Options each command accepts besides --help/--version. */
const COMMAND_OPTIONS: Record<'audit' | 'init', readonly (keyof typeof OPTIONS)[]> = {
  audit: ['format', 'fix', 'tsconfig', 'concurrency', 'config', 'output', 'max-warnings', 'severity', 'rule', 'baseline', 'update-baseline'],
  init: ['force'],
};

/** Rule ids and families `--rule` accepts. */
export function knownRuleSelectors(): string[] {
  return [...new Set(RULES.map((r) => r.family)), ...RULES.map((r) => r.id)];
}

/**
 * Parses the arguments after the program name. `--help` and `--version` win over everything else.
 * Throws {@link UsageError} for an unknown command or option, an option of the other command, a missing
 * option value, a bad `--format` or `--severity`, a `--concurrency` that is not a positive integer, a
 * `--max-warnings` that is not a non-negative integer, a `--rule` naming no rule or family (the message lists
 * them), or `--update-baseline` without `--baseline`.
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    // Node's messages go on with advice about `--`; keep the first sentence.
    const first = (e instanceof Error ? e.message : String(e)).split(/\.\s|\n/, 1)[0]!;
    throw new UsageError(`${first.charAt(0).toLowerCase()}${first.slice(1)} (see looplens --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  const [command, ...paths] = positionals;
  if (command === undefined) throw new UsageError('missing command (expected "audit" or "init")');
  if (command !== 'audit' && command !== 'init') throw new UsageError(`unknown command "${command}" (expected "audit" or "init")`);
  const foreign = Object.keys(values).find((k) => !(COMMAND_OPTIONS[command] as readonly string[]).includes(k));
  if (foreign !== undefined) throw new UsageError(`option --${foreign} does not apply to "${command}" (see looplens --help)`);
  if (command === 'init') {
    if (paths.length > 1) throw new UsageError(`init takes one folder (got ${paths.length})`);
    return { command, ...(paths[0] !== undefined ? { folder: paths[0] } : {}), force: values.force ?? false };
  }
  return auditArgs(paths, values);
}

function auditArgs(paths: string[], values: Values): AuditArgs {
  const format = values.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${format}")`);
  }
  const args: AuditArgs = { command: 'audit', paths, format: format as ReportFormat, fix: values.fix ?? false, updateBaseline: values['update-baseline'] ?? false };
  if (values.tsconfig !== undefined) args.tsconfig = values.tsconfig;
  if (values.config !== undefined) args.config = values.config;
  if (values.output !== undefined) {
    if (values.output === '') throw new UsageError('--output needs a file name');
    args.output = values.output;
  }
  if (values.concurrency !== undefined) args.concurrency = integer('--concurrency', values.concurrency, 1);
  if (values['max-warnings'] !== undefined) args.maxWarnings = integer('--max-warnings', values['max-warnings'], 0);
  if (values.severity !== undefined) {
    if (!(SEVERITIES as readonly string[]).includes(values.severity)) {
      throw new UsageError(`--severity must be one of ${[...SEVERITIES].reverse().join(', ')} (got "${values.severity}")`);
    }
    args.severity = values.severity as ReportedSeverity;
  }
  if (values.rule !== undefined) {
    const known = knownRuleSelectors();
    const unknown = values.rule.find((r) => !known.includes(r));
    if (unknown !== undefined) throw new UsageError(`unknown rule "${unknown}" (known: ${known.join(', ')})`);
    args.rules = [...new Set(values.rule)];
  }
  if (values.baseline !== undefined) args.baseline = values.baseline;
  if (args.updateBaseline && args.baseline === undefined) throw new UsageError('--update-baseline needs --baseline FILE');
  return args;
}

/** `text` as an integer of at least `min`; throws {@link UsageError} naming `flag` otherwise. */
function integer(flag: string, text: string, min: 0 | 1): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${flag} must be a ${min === 1 ? 'positive' : 'non-negative'} integer (got "${text}")`);
  }
  return n;
}

/** The `--help` text. */
export const HELP = `Usage: looplens audit [paths...] [options]
       looplens init [folder] [--force]

Finds event-loop concurrency mistakes (blocking-cpu, unbounded-fanout, mixed-bound)
in TypeScript/JavaScript Node.js services.

Paths are files, folders or quoted glob patterns (default: the current folder).
Each path is analysed with the nearest project above it (a folder holding
tsconfig.json or package.json).

Audit options:
  -f, --format <fmt>       text (default), json, sarif or markdown
  -o, --output <file>      write the report to <file> (folders created); stdout gets the summary line
      --severity <level>   report only findings at this level or above: error, warning or info
      --rule <id|family>   report only this rule or family (repeatable), e.g. --rule blocking-cpu
      --max-warnings <n>   exit 0 with up to <n> warnings (errors still fail; info never does)
      --baseline <file>    report only findings not in <file>; a missing <file> is written
                           with the current findings (exit 0)
      --update-baseline    rewrite the --baseline file with the current findings (exit 0)
      --fix                apply each finding's preferred fix in place, then report what is left
  -p, --tsconfig <file>    analyse all paths as one project with this tsconfig
  -c, --config <file>      settings file to use (default: the first .looplensrc.json, .looplensrc,
                           looplens.config.json or package.json "looplens" key found from the
                           audited folder upward)
      --concurrency <n>    concurrency limit the fan-out fixes suggest (default 8; overrides the config)

Init options:
      --force              overwrite an existing .looplensrc.json

  -h, --help               show this help
  -v, --version            show the version

A progress bar is drawn on stderr when it is a terminal (never with json or sarif on stdout).

Exit codes: 0 no findings (or within --max-warnings, or baseline written), 1 findings,
2 usage or fatal error (including a file that cannot be written).
init: 0 written, 2 .looplensrc.json exists (use --force) or cannot be written.
`;
