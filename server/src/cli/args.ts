import { parseArgs } from 'node:util';
import { FORMATS, type ReportFormat } from '../report';
import { UsageError } from './errors';

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
}

export type CliArgs = { command: 'help' } | { command: 'version' } | AuditArgs;

const OPTIONS = {
  format: { type: 'string', short: 'f' },
  fix: { type: 'boolean' },
  tsconfig: { type: 'string', short: 'p' },
  concurrency: { type: 'string' },
  config: { type: 'string', short: 'c' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/**
 * Parses the arguments after the program name. `--help` and `--version` win over everything else.
 * Throws {@link UsageError} for an unknown command or option, a missing option value, a bad `--format`, or a
 * `--concurrency` that is not a positive integer.
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
  if (command === undefined) throw new UsageError('missing command (expected "audit")');
  if (command !== 'audit') throw new UsageError(`unknown command "${command}" (expected "audit")`);

  const format = values.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${format}")`);
  }
  const args: AuditArgs = { command, paths, format: format as ReportFormat, fix: values.fix ?? false };
  if (values.tsconfig !== undefined) args.tsconfig = values.tsconfig;
  if (values.config !== undefined) args.config = values.config;
  if (values.concurrency !== undefined) {
    const n = Number(values.concurrency);
    if (!/^\d+$/.test(values.concurrency) || !Number.isSafeInteger(n) || n < 1) {
      throw new UsageError(`--concurrency must be a positive integer (got "${values.concurrency}")`);
    }
    args.concurrency = n;
  }
  return args;
}

/** The `--help` text. */
export const HELP = `Usage: looplens audit [paths...] [options]

Finds event-loop concurrency mistakes (blocking-cpu, unbounded-fanout, mixed-bound)
in TypeScript/JavaScript Node.js services.

Paths are files, folders or quoted glob patterns (default: the current folder).
Each path is analysed with the nearest project above it (a folder holding
tsconfig.json or package.json).

Options:
  -f, --format <fmt>     text (default), json, sarif or markdown
      --fix              apply each finding's preferred fix in place, then report what is left
  -p, --tsconfig <file>  analyse all paths as one project with this tsconfig
  -c, --config <file>    settings file to use (default: the first .looplensrc.json, .looplensrc,
                         looplens.config.json or package.json "looplens" key found from the
                         audited folder upward)
      --concurrency <n>  concurrency limit the fan-out fixes suggest (default 8; overrides the config)
  -h, --help             show this help
  -v, --version          show the version

Exit codes: 0 no findings, 1 findings, 2 usage or fatal error.
`;
