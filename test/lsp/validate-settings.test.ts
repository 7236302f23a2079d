import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toServerSettings } from '../../server/src/validateSettings';
import { DEFAULT_SETTINGS } from '../../server/src/engine/settings';

describe('toServerSettings', () => {
  it('fills a missing section from the engine defaults', () => {
    assert.deepEqual(toServerSettings(undefined), {
      concurrency: { io: DEFAULT_SETTINGS.concurrencyIo },
      yieldEvery: DEFAULT_SETTINGS.yieldEvery,
      severity: {},
      include: DEFAULT_SETTINGS.include,
      exclude: DEFAULT_SETTINGS.exclude,
    });
  });

  it('passes valid values through', () => {
    const raw = {
      concurrency: { io: 4 },
      yieldEvery: 250,
      severity: { 'blocking-cpu': 'error', 'unbounded-fanout/promise-all': 'off' },
      include: ['src/**'],
      exclude: ['**/gen/**'],
      trace: { server: 'verbose' },
    };
    assert.deepEqual(toServerSettings(raw), {
      concurrency: { io: 4 },
      yieldEvery: 250,
      severity: { 'blocking-cpu': 'error', 'unbounded-fanout/promise-all': 'off' },
      include: ['src/**'],
      exclude: ['**/gen/**'],
    });
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
});
