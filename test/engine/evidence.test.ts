/**
 * The evidence a finding carries: the chain from the handler's registration through each call to the construct,
 * and, for mixed-bound, the I/O-bound handlers it starves as related places.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AnalysisResult, ChainHop } from '../../server/src/engine';
import { APP, APP_LINES } from '../rules/prelude';
import { analyzeFolder, writeCases } from '../rules/ruleTester';

let root = '';
let dir = '';
let result: AnalysisResult;
const hops = (h: ChainHop[]) => h.map((x) => `${x.label} @ ${path.relative(dir, x.file)}:${x.range.start.line + 1}`);

describe('finding evidence', () => {
  before(() => {
    const w = writeCases(
      [
        {
          name: 'evidence',
          code: `${APP}import { report } from './report';
app.get('/report', (req, res) => res.json(report(req.body.items)));
app.get('/rows', async (_req, res) => res.json(await db.rows()));
app.post('/digest', async (req, res) => res.json(report([(await db.find(req.params['id']!)).email])));
app.listen(1);
`,
          files: {
            'report.ts': `import { gzipSync } from 'node:zlib';
function pack(s: string): Buffer {
  return gzipSync(s);
}
export function report(items: string[]): number {
  return pack(items.join(',')).length;
}
`,
          },
        },
      ],
      'evidence',
    );
    root = w.root;
    dir = w.dirs[0]!;
    result = analyzeFolder(root);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('a sync call two calls down carries the whole chain', () => {
    const f = result.findings.find((x) => x.ruleId === 'blocking-cpu/sync-call')!;
    assert.deepEqual(hops(f.chain), [
      `GET /report @ server.ts:${APP_LINES + 2}`,
      `calls report @ server.ts:${APP_LINES + 2}`,
      'calls pack @ report.ts:6',
      'gzipSync (node:zlib) @ report.ts:3',
    ]);
  });
  it('mixed-bound: chain to the blocking construct, related = the starved I/O handlers (a mixed one is not starved but starving)', () => {
    const mixed = result.findings.filter((x) => x.ruleId === 'mixed-bound/cpu-beside-io');
    assert.deepEqual(mixed.map((f) => f.handler?.label), ['GET /report', 'POST /digest']);
    for (const f of mixed) {
      assert.equal(f.chain.at(-1)!.label, 'gzipSync (node:zlib)');
      assert.deepEqual(hops(f.related), [`I/O-bound handler GET /rows (rows returns a promise) @ server.ts:${APP_LINES + 3}`]);
    }
  });
  it('handlers carry their bound class and evidence; CPU work plus a wait is `mixed`', () => {
    const byLabel = Object.fromEntries(result.handlers.map((h) => [h.label, `${h.bound}: ${h.bounds.map((b) => `${b.bound} ${b.reason}`).join('; ')}`]));
    assert.deepEqual(byLabel, {
      'GET /report': 'cpu: cpu gzipSync (node:zlib)',
      'GET /rows': 'io: io rows returns a promise',
      'POST /digest': 'mixed: io find returns a promise; cpu gzipSync (node:zlib)',
    });
  });
});
