// Argument parsing: flags, defaults and the usage errors that end in exit code 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCliArgs } from '../../server/src/cli/args';
import { UsageError } from '../../server/src/cli/errors';

test('audit with defaults', () => {
  assert.deepEqual(parseCliArgs(['audit']), { command: 'audit', paths: [], format: 'text', fix: false, updateBaseline: false });
});

test('audit with every option, long and short forms', () => {
  assert.deepEqual(
    parseCliArgs(['audit', 'src', 'lib/a.ts', '--format', 'sarif', '--fix', '--tsconfig', 'tsconfig.app.json', '--concurrency', '4', '--config', 'ci/looplens.json']),
    {
      command: 'audit',
      paths: ['src', 'lib/a.ts'],
      format: 'sarif',
      fix: true,
      tsconfig: 'tsconfig.app.json',
      concurrency: 4,
      config: 'ci/looplens.json',
      updateBaseline: false,
    },
  );
  assert.deepEqual(parseCliArgs(['audit', '-f', 'json', '-p', 'x.json', '--format=markdown', '-c', '.looplensrc']), {
    command: 'audit',
    paths: [],
    format: 'markdown',
    fix: false,
    tsconfig: 'x.json',
    config: '.looplensrc',
    updateBaseline: false,
  });
});

test('CI options', () => {
  assert.deepEqual(
    parseCliArgs(['audit', '-o', 'out/r.sarif', '--max-warnings', '0', '--severity', 'warning', '--rule', 'blocking-cpu', '--rule', 'unbounded-fanout/promise-all', '--rule', 'blocking-cpu', '--baseline', 'b.json', '--update-baseline']),
    {
      command: 'audit',
      paths: [],
      format: 'text',
      fix: false,
      output: 'out/r.sarif',
      maxWarnings: 0,
      severity: 'warning',
      rules: ['blocking-cpu', 'unbounded-fanout/promise-all'],
      baseline: 'b.json',
      updateBaseline: true,
    },
  );
});

test('init', () => {
  assert.deepEqual(parseCliArgs(['init']), { command: 'init', force: false });
  assert.deepEqual(parseCliArgs(['init', 'svc', '--force']), { command: 'init', folder: 'svc', force: true });
});

test('help and version win', () => {
  assert.deepEqual(parseCliArgs(['--help']), { command: 'help' });
  assert.deepEqual(parseCliArgs(['audit', '-h']), { command: 'help' });
  assert.deepEqual(parseCliArgs(['--version']), { command: 'version' });
});

for (const [argv, message] of [
  [[], /missing command \(expected "audit" or "init"\)/],
  [['lint'], /unknown command "lint"/],
  [['audit', '--bogus'], /^unknown option '--bogus' \(see looplens --help\)$/],
  [['audit', '--format'], /argument missing/],
  [['audit', '--config'], /argument missing/],
  [['audit', '--format', 'xml'], /--format must be one of text, json, sarif, markdown/],
  [['audit', '--concurrency', '0'], /positive integer/],
  [['audit', '--concurrency', '2.5'], /positive integer/],
  [['audit', '--fix=yes'], /does not take an argument/],
  [['audit', '--max-warnings=-1'], /--max-warnings must be a non-negative integer \(got "-1"\)/],
  [['audit', '--max-warnings', 'many'], /--max-warnings must be a non-negative integer/],
  [['audit', '--severity', 'hint'], /^--severity must be one of error, warning, info \(got "hint"\)$/],
  [['audit', '--rule', 'blocking'], /^unknown rule "blocking" \(known: blocking-cpu, /],
  [['audit', '--output='], /--output needs a file name/],
  [['audit', '--update-baseline'], /--update-baseline needs --baseline FILE/],
  [['init', '--rule', 'blocking-cpu'], /option --rule does not apply to "init"/],
] as const) {
  test(`usage error: ${argv.join(' ') || '(nothing)'}`, () => {
    assert.throws(() => parseCliArgs(argv), (e: unknown) => e instanceof UsageError && message.test(e.message) && !e.message.includes('\n'));
  });
}
