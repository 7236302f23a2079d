import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { progressAdapter } from '../../client/src/progress';

describe('progressAdapter', () => {
  it('turns percentages into increments and ends at 100', () => {
    const adapt = progressAdapter();
    assert.deepEqual(adapt({ kind: 'begin', title: 'Auditing', percentage: 0 }), { message: 'Auditing' });
    assert.deepEqual(adapt({ kind: 'report', message: 'src/a.ts', percentage: 30 }), { message: 'src/a.ts', increment: 30 });
    assert.deepEqual(adapt({ kind: 'report', percentage: 75 }), { increment: 45 });
    assert.deepEqual(adapt({ kind: 'end', message: 'done' }), { message: 'done', increment: 25 });
  });

  it('never goes backwards or past 100', () => {
    const adapt = progressAdapter();
    adapt({ kind: 'report', percentage: 60 });
    assert.deepEqual(adapt({ kind: 'report', percentage: 40 }), {});
    assert.deepEqual(adapt({ kind: 'report', percentage: 250 }), { increment: 40 });
    assert.deepEqual(adapt({ kind: 'end' }), {});
  });

  it('reports messages without a percentage', () => {
    const adapt = progressAdapter();
    assert.deepEqual(adapt({ kind: 'report', message: 'loading project' }), { message: 'loading project' });
  });
});
