// The CLI's config file: found from the audited folder upward, or named with --config; the package.json key;
// flags over the file; a malformed file is exit 2 naming it. A stand-in engine records the settings it got.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import type { EngineHooks } from '../../server/src/cli/engine';
import { DEFAULT_SETTINGS, resolveSettings, type EngineSettings } from '../../server/src/engine/settings';
import { fakeEngine, runCli, spawnCli, tempProject } from './helpers';

/** The fake engine, also recording the settings of every workspace it opens. */
function recordingEngine() {
  const { engine } = fakeEngine();
  const settings: EngineSettings[] = [];
  const recording: EngineHooks = {
    ...engine,
    createWorkspace(options) {
      settings.push(resolveSettings(options.settings));
      return engine.createWorkspace(options);
    },
  };
  return { engine: recording, settings };
}

function project(files: Record<string, string | object>): string {
  const text = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  return realpathSync(tempProject(text));
}

/** Runs `looplens audit …argv` in `cwd` and returns the settings the engine got (one run, one project). */
async function settingsFor(argv: string[], cwd: string): Promise<EngineSettings> {
  const { engine, settings } = recordingEngine();
  const r = await runCli(['audit', ...argv], { cwd, engine });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(settings.length, 1);
  return settings[0]!;
}

const SRC = { 'src/a.ts': 'ok();\n' };

test('without a config file the engine gets the defaults', async () => {
  const dir = project({ 'package.json': '{}', ...SRC });
  assert.deepEqual(await settingsFor([], dir), DEFAULT_SETTINGS);
});

test('a .looplensrc.json above the audited folder is found, and every key reaches the engine', async () => {
  const dir = project({
    '.looplensrc.json': {
      concurrency: { io: 3, threadpool: 2, cpu: 6 },
      yieldEvery: 200,
      fixes: { workerPool: 'worker_threads' },
      severity: { 'blocking-cpu': 'error' },
      include: ['src/**'],
      exclude: ['**/gen/**'],
      handlers: ['registerJob', 'bot.command'],
      cpuHeavy: ['renderPdf', 'xlsx#read'],
      limiters: ['withLimit'],
      smallCollections: ['*.columns'],
    },
    'packages/api/package.json': '{}',
    'packages/api/src/a.ts': 'ok();\n',
  });
  assert.deepEqual(await settingsFor(['packages/api/src'], dir), {
    concurrencyIo: 3,
    concurrencyThreadpool: 2,
    concurrencyCpu: 6,
    yieldEvery: 200,
    workerPool: 'worker_threads',
    severities: { 'blocking-cpu': 'error' },
    include: ['src/**'],
    exclude: ['**/gen/**'],
    handlerCalls: ['registerJob', 'bot.command'],
    cpuHeavy: ['renderPdf', 'xlsx#read'],
    limiters: ['withLimit'],
    smallCollections: ['*.columns'],
  });
});

test('the nearest config wins and is not merged with one further up; .looplensrc and looplens.config.json count', async () => {
  const dir = project({
    '.looplensrc.json': { cpuHeavy: ['renderPdf'], yieldEvery: 10 },
    'api/.looplensrc': { limiters: ['withLimit'] },
    'api/src/a.ts': 'ok();\n',
    'web/looplens.config.json': { smallCollections: ['ROLES'] },
    'web/src/b.ts': 'ok();\n',
  });
  const api = await settingsFor(['api/src'], dir);
  assert.deepEqual([api.limiters, api.cpuHeavy, api.yieldEvery], [['withLimit'], [], DEFAULT_SETTINGS.yieldEvery]);
  const web = await settingsFor(['src'], `${dir}/web`);
  assert.deepEqual([web.smallCollections, web.cpuHeavy], [['ROLES'], []]);
});

test('the looplens key of package.json; a package.json without it is passed over', async () => {
  const dir = project({
    'package.json': { name: 'mono', private: true, looplens: { handlers: ['*.subscribe'], severity: { 'mixed-bound': 'off' } } },
    'packages/api/package.json': { name: 'api' },
    'packages/api/src/a.ts': 'ok();\n',
  });
  const s = await settingsFor(['packages/api'], dir);
  assert.deepEqual(s.handlerCalls, ['*.subscribe']);
  assert.deepEqual(s.severities, { 'mixed-bound': 'off' });
});

test('--config FILE is used instead of searching', async () => {
  const dir = project({ '.looplensrc.json': { cpuHeavy: ['renderPdf'] }, 'ci/strict.json': { severity: { 'unbounded-fanout': 'error' } }, ...SRC });
  for (const flag of ['--config', '-c']) {
    const s = await settingsFor([flag, 'ci/strict.json'], dir);
    assert.deepEqual([s.severities, s.cpuHeavy], [{ 'unbounded-fanout': 'error' }, []], flag);
  }
  const fromPkg = project({ 'package.json': { looplens: { limiters: ['withLimit'] } }, ...SRC });
  assert.deepEqual((await settingsFor(['--config', 'package.json'], fromPkg)).limiters, ['withLimit']);
});

test('a flag overrides the config file; the rest of the file still applies', async () => {
  const dir = project({ '.looplensrc.json': { concurrency: { io: 3, threadpool: 2 }, yieldEvery: 250 }, ...SRC });
  const s = await settingsFor(['--concurrency', '5'], dir);
  assert.deepEqual([s.concurrencyIo, s.concurrencyThreadpool, s.concurrencyCpu, s.yieldEvery], [5, 2, DEFAULT_SETTINGS.concurrencyCpu, 250]);
  assert.equal((await settingsFor([], dir)).concurrencyIo, 3);
});

test('a malformed or invalid config file is exit 2 with one line naming the file', async () => {
  const cases: [Record<string, string | object>, string[], RegExp][] = [
    [{ '.looplensrc.json': '{ "severity": }' }, [], /^looplens: invalid config \.looplensrc\.json: .*JSON.*\n$/],
    [{ 'sub/.looplensrc': 'yieldEvery: 5' }, ['sub'], /^looplens: invalid config sub\/\.looplensrc: .*JSON.*\n$/],
    [{ '.looplensrc.json': { severity: { 'blocking-cpu': 'fatal' } } }, [], /^looplens: invalid config \.looplensrc\.json: severity\["blocking-cpu"\] must be one of error, warning, info, off \(got "fatal"\)\n$/],
    [{ 'looplens.config.json': { concurrency: { io: 0 }, colour: 1 } }, [], /^looplens: invalid config looplens\.config\.json: unknown key "colour" \(and 1 more\)\n$/],
    [{ 'package.json': { looplens: ['renderPdf'] } }, [], /^looplens: invalid config package\.json: settings must be an object \(got \["renderPdf"\]\)\n$/],
    [{ 'package.json': '{ name: x }' }, [], /^looplens: invalid config package\.json: .*JSON.*\n$/],
    [{}, ['--config', 'nope.json'], /^looplens: no such config file: nope\.json\n$/],
    [{ 'package.json': {} }, ['--config', 'package.json'], /^looplens: no "looplens" key in package\.json\n$/],
  ];
  for (const [files, argv, stderr] of cases) {
    const dir = project({ ...SRC, 'sub/x.ts': 'ok();\n', ...files });
    const r = await runCli(['audit', ...argv], { cwd: dir, engine: fakeEngine().engine });
    assert.equal(r.code, 2, `${JSON.stringify(files)}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, stderr);
  }
});

test('the built CLI bundles the config loader: a bad config file is exit 2 from dist/cli.js too', () => {
  const dir = project({ 'package.json': '{}', '.looplensrc.json': { limiters: [''] }, ...SRC });
  const r = spawnCli(['audit'], dir);
  assert.deepEqual(r, { code: 2, stdout: '', stderr: 'looplens: invalid config .looplensrc.json: limiters[0] must be a non-empty string (got "")\n' });
});
