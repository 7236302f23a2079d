import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toServerSettings, validateSettings } from '../../server/src/validateSettings';
import { DEFAULT_SETTINGS } from '../../server/src/engine/settings';

describe('toServerSettings', () => {
  it('fills a missing section from the engine defaults', () => {
    assert.deepEqual(toServerSettings(undefined), {
      concurrency: { io: DEFAULT_SETTINGS.concurrencyIo },
      yieldEvery: DEFAULT_SETTINGS.yieldEvery,
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
      concurrency: { io: 4 },
      yieldEvery: 250,
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
      concurrency: { io: 4 },
      yieldEvery: 250,
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
      concurrency: { io: 0, cpu: 2 },
      yieldEvery: 2.5,
      severity: { 'blocking-cpu': 'fatal', 'blocking-cpu/nope': 'off' },
      include: 'src/**',
      limiters: ['ok', ''],
      colour: 'red',
    });
    assert.deepEqual(problems, [
      'unknown key "colour"',
      'unknown key "concurrency.cpu"',
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
