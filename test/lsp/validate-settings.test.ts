import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layerSettings, toEngineSettings } from '../../server/src/settings';
import { toServerSettings, validateSettings } from '../../server/src/validateSettings';
import { concurrencyFor, DEFAULT_CPU_CONCURRENCY, DEFAULT_SETTINGS } from '../../server/src/engine/settings';

describe('toServerSettings', () => {
  it('fills a missing section from the engine defaults', () => {
    assert.deepEqual(toServerSettings(undefined), {
      concurrency: { io: DEFAULT_SETTINGS.concurrencyIo, threadpool: DEFAULT_SETTINGS.concurrencyThreadpool, cpu: null },
      yieldEvery: DEFAULT_SETTINGS.yieldEvery,
      fixes: { workerPool: 'piscina' },
      severity: {},
      include: DEFAULT_SETTINGS.include,
      exclude: DEFAULT_SETTINGS.exclude,
      handlers: DEFAULT_SETTINGS.handlerCalls,
      cpuHeavy: DEFAULT_SETTINGS.cpuHeavy,
      limiters: DEFAULT_SETTINGS.limiters,
      smallCollections: DEFAULT_SETTINGS.smallCollections,
    });
  });

  it('passes valid values through', () => {
    const raw = {
      concurrency: { io: 4, threadpool: 2, cpu: 3 },
      yieldEvery: 250,
      fixes: { workerPool: 'worker_threads' },
      severity: { 'blocking-cpu': 'error', 'unbounded-fanout/promise-all': 'off' },
      include: ['src/**'],
      exclude: ['**/gen/**'],
      handlers: ['registerJob', 'bot.command'],
      cpuHeavy: ['renderPdf', 'xlsx#read'],
      limiters: ['withLimit'],
      smallCollections: ['*.columns', 'ROLES'],
      trace: { server: 'verbose' },
    };
    assert.deepEqual(toServerSettings(raw), {
      concurrency: { io: 4, threadpool: 2, cpu: 3 },
      yieldEvery: 250,
      fixes: { workerPool: 'worker_threads' },
      severity: { 'blocking-cpu': 'error', 'unbounded-fanout/promise-all': 'off' },
      include: ['src/**'],
      exclude: ['**/gen/**'],
      handlers: ['registerJob', 'bot.command'],
      cpuHeavy: ['renderPdf', 'xlsx#read'],
      limiters: ['withLimit'],
      smallCollections: ['*.columns', 'ROLES'],
    });
  });

  it('keeps only non-empty strings in the four pattern lists; a non-array is the default', () => {
    const s = toServerSettings({ handlers: ['a.b', '', 7, null], cpuHeavy: 'renderPdf', limiters: [['x']], smallCollections: ['ROLES', ' '] });
    assert.deepEqual(s.handlers, ['a.b']);
    assert.deepEqual(s.cpuHeavy, []);
    assert.deepEqual(s.limiters, []);
    assert.deepEqual(s.smallCollections, ['ROLES', ' ']);
  });

  it('replaces numbers below 1, non-numbers and fractions', () => {
    assert.equal(toServerSettings({ concurrency: { io: 0 } }).concurrency.io, DEFAULT_SETTINGS.concurrencyIo);
    assert.equal(toServerSettings({ concurrency: { io: '16' } }).concurrency.io, DEFAULT_SETTINGS.concurrencyIo);
    assert.equal(toServerSettings({ yieldEvery: -5 }).yieldEvery, DEFAULT_SETTINGS.yieldEvery);
    assert.equal(toServerSettings({ yieldEvery: Number.NaN }).yieldEvery, DEFAULT_SETTINGS.yieldEvery);
    assert.equal(toServerSettings({ concurrency: { io: 6.7 } }).concurrency.io, 6);
  });

  it('drops unknown severities and non-string globs', () => {
    const s = toServerSettings({ severity: { 'blocking-cpu': 'fatal', 'mixed-bound': 'info', x: 3 }, include: ['a', 1, ''] });
    assert.deepEqual(s.severity, { 'mixed-bound': 'info' });
    assert.deepEqual(s.include, ['a']);
  });

  it('keeps an explicitly empty exclude list (the user turned the defaults off)', () => {
    assert.deepEqual(toServerSettings({ exclude: [] }).exclude, []);
  });

  it('reports nothing for valid settings', () => {
    const raw = { $schema: './schema.json', concurrency: { io: 2 }, severity: { 'mixed-bound': 'off' }, handlers: ['x'] };
    assert.deepEqual(validateSettings(raw).problems, []);
    assert.deepEqual(validateSettings(undefined).problems, []);
  });

  it('names every problem by its key (what the CLI refuses a config file for)', () => {
    const { settings, problems } = validateSettings({
      concurrency: { io: 0, gpu: 2 },
      yieldEvery: 2.5,
      severity: { 'blocking-cpu': 'fatal', 'blocking-cpu/nope': 'off' },
      include: 'src/**',
      limiters: ['ok', ''],
      colour: 'red',
    });
    assert.deepEqual(problems, [
      'unknown key "colour"',
      'unknown key "concurrency.gpu"',
      'concurrency.io must be a positive integer (got 0)',
      'yieldEvery must be a positive integer (got 2.5)',
      'severity["blocking-cpu"] must be one of error, warning, info, off (got "fatal")',
      'severity: unknown rule or family "blocking-cpu/nope"',
      'include must be an array of strings (got "src/**")',
      'limiters[1] must be a non-empty string (got "")',
    ]);
    assert.equal(settings.yieldEvery, 2, 'the editor still gets usable settings');
    assert.deepEqual(validateSettings([1]).problems, ['settings must be an object (got [1])']);
    assert.deepEqual(validateSettings({ concurrency: 8 }).problems, ['concurrency must be an object like { "io": 8 } (got 8)']);
  });
});

describe('fixes.workerPool (looplens.fixes.workerPool)', () => {
  it('takes piscina or worker_threads, reaching the engine as workerPool', () => {
    assert.equal(toEngineSettings(toServerSettings({})).workerPool, 'piscina');
    assert.equal(toEngineSettings(toServerSettings({ fixes: { workerPool: 'worker_threads' } })).workerPool, 'worker_threads');
    assert.deepEqual(validateSettings({ fixes: { workerPool: 'piscina' } }).problems, []);
  });

  it('names a bad value, an unknown key or a non-object and falls back to piscina', () => {
    const bad = validateSettings({ fixes: { workerPool: 'threads', size: 2 } });
    assert.deepEqual(bad.problems, ['unknown key "fixes.size"', 'fixes.workerPool must be one of piscina, worker_threads (got "threads")']);
    assert.equal(bad.settings.fixes.workerPool, 'piscina');
    assert.deepEqual(validateSettings({ fixes: 'worker_threads' }).problems, ['fixes must be an object like { "workerPool": "piscina" } (got "worker_threads")']);
  });

  it('the editor value wins over the config file key by key inside fixes', () => {
    assert.deepEqual(layerSettings({ fixes: { workerPool: 'worker_threads' } }, { fixes: {} }), { fixes: { workerPool: 'worker_threads' } });
    assert.deepEqual(layerSettings({ fixes: { workerPool: 'worker_threads' } }, { fixes: { workerPool: 'piscina' } }), { fixes: { workerPool: 'piscina' } });
  });
});

describe('layerSettings: defaults < config file < editor settings', () => {
  const file = { concurrency: { io: 3, threadpool: 2 }, severity: { 'blocking-cpu': 'error', 'mixed-bound': 'off' }, exclude: ['gen/**'], yieldEvery: 100 };

  it('an editor that sets nothing leaves the file in force', () => {
    assert.deepEqual(layerSettings(file, {}), file);
    assert.deepEqual(layerSettings(file, null), file);
  });

  it('the editor wins key by key inside concurrency and severity; other values are replaced whole', () => {
    const editor = { concurrency: { io: 16 }, severity: { 'blocking-cpu': 'info' }, exclude: ['**/node_modules/**'] };
    assert.deepEqual(layerSettings(file, editor), {
      concurrency: { io: 16, threadpool: 2 },
      severity: { 'blocking-cpu': 'info', 'mixed-bound': 'off' },
      exclude: ['**/node_modules/**'],
      yieldEvery: 100,
    });
  });

  it('no file: the editor values over the defaults', () => {
    const s = toEngineSettings(toServerSettings(layerSettings(undefined, { concurrency: { cpu: 2 } })));
    assert.deepEqual([s.concurrencyIo, s.concurrencyThreadpool, s.concurrencyCpu], [8, 4, 2]);
  });
});

describe('concurrency per bound class', () => {
  it('cpu defaults to one less than the cores (at least 1); concurrencyFor reads each class', () => {
    const s = toEngineSettings(toServerSettings({ concurrency: { io: 5, threadpool: 3 } }));
    assert.equal(s.concurrencyCpu, DEFAULT_CPU_CONCURRENCY);
    assert.ok(DEFAULT_CPU_CONCURRENCY >= 1);
    assert.deepEqual([concurrencyFor(s, 'io'), concurrencyFor(s, 'threadpool'), concurrencyFor(s, 'cpu')], [5, 3, DEFAULT_CPU_CONCURRENCY]);
  });

  it('threadpool and cpu must be positive integers (cpu may be null)', () => {
    assert.deepEqual(validateSettings({ concurrency: { threadpool: 0, cpu: 'all' } }).problems, [
      'concurrency.threadpool must be a positive integer (got 0)',
      'concurrency.cpu must be a positive integer (got "all")',
    ]);
    assert.deepEqual(validateSettings({ concurrency: { cpu: null } }).problems, []);
  });
});
