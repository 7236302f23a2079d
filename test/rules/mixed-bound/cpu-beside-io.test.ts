import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkMixedBound, type BoundHandler } from '../../../server/src/engine/rules/mixed-bound/cpu-beside-io';
import type { Location } from '../../../server/src/engine/types';
import { APP, APP_LINES } from '../prelude';
import { ruleTester } from '../ruleTester';

const L = (n: number) => APP_LINES + n;

/** A CPU-bound route in its own file, and a main file that imports it beside an I/O-bound route (no listen). */
const REPORTS = `import { gzipSync } from 'node:zlib';
declare const router: { get(path: string, h: (req: unknown, res: { send(b: Buffer): void }) => void): void };
router.get('/report.gz', (_req, res) => res.send(gzipSync('x'.repeat(1e6))));
`;
const IMPORTS_REPORTS = `${APP}import './reports';
app.get('/rows', async (_req, res) => res.json(await db.rows()));`;
/** A package whose manifest is `manifest`, with the two files above. */
const pkg = (name: string, manifest: object) => ({ name, code: IMPORTS_REPORTS, files: { 'reports.ts': REPORTS, 'package.json': JSON.stringify(manifest) } });
const STARVES_ROWS = { file: 'reports.ts', line: 3, column: 1, message: 'shares its event loop with 1 I/O-bound handler (`GET /rows`)' };

ruleTester('mixed-bound/cpu-beside-io', {
  valid: [
    {
      name: 'only I/O-bound handlers',
      code: `${APP}app.get('/a', async (_req, res) => res.json(await db.rows()));
app.get('/b', async (req, res) => res.json(await db.find(req.params['id']!)));
app.listen(1);`,
    },
    {
      name: 'a CPU-bound handler beside trivial ones',
      code: `${APP}import { pbkdf2Sync } from 'node:crypto';
app.post('/key', (req, res) => res.send(pbkdf2Sync(req.body.text, 's', 1e5, 64, 'sha512').toString('hex')));
app.get('/health', (_req, res) => res.send('ok'));
app.listen(1);`,
    },
    {
      name: 'CPU work in a worker file does not share the main event loop',
      code: `${APP}import { Worker } from 'node:worker_threads';
new Worker(new URL('./hash.worker.js', import.meta.url));
app.get('/rows', async (_req, res) => res.json(await db.rows()));
app.listen(1);`,
      files: {
        'hash.worker.ts': `import { parentPort } from 'node:worker_threads';
import { scryptSync } from 'node:crypto';
parentPort!.on('message', (s: string) => parentPort!.postMessage(scryptSync(s, 'salt', 64)));
`,
      },
    },
    pkg('without an entry point (no listen, no package.json entry) each file is its own process', { name: 'svc', main: 'dist/other.js', exports: { './reports': './dist/reports.js' } }),
  ],
  invalid: [
    {
      name: 'sync hashing beside database routes',
      code: `${APP}import { pbkdf2Sync } from 'node:crypto';
app.post('/login', (req, res) => res.send(pbkdf2Sync(req.body.text, 's', 1e5, 64, 'sha512').toString('hex')));
app.get('/rows', async (_req, res) => res.json(await db.rows()));
app.listen(1);`,
      errors: [{ line: L(2), column: 1, message: '`POST /login` (server.ts:' + String(L(2)) + ') is CPU-bound (pbkdf2Sync (node:crypto) at server.ts:' + String(L(2)) + ') and shares its event loop with 1 I/O-bound handler (`GET /rows`)' }],
    },
    {
      name: 'routes registered in an imported router file share the entry point',
      code: `${APP}import './reports';
app.get('/rows', async (_req, res) => res.json(await db.rows()));
app.listen(1);`,
      files: {
        'reports.ts': REPORTS,
      },
      errors: [STARVES_ROWS],
    },
    {
      name: 'a router file two entry points import starves the I/O-bound handlers of both, in registration order',
      code: `${IMPORTS_REPORTS}
import './accounts';
app.listen(1);`,
      files: {
        'reports.ts': REPORTS,
        // Registered before admin.ts's handler, in server.ts's event loop only.
        'accounts.ts': `declare const router: { get(path: string, h: () => Promise<unknown>): void };
declare const db: { rows(): Promise<unknown[]> };
router.get('/accounts', async () => db.rows());
`,
        'admin.ts': `${APP}import './reports';
app.get('/audit-log', async (_req, res) => res.json(await db.rows()));
app.listen(2);`,
      },
      errors: [{ file: 'reports.ts', line: 3, column: 1, message: 'shares its event loop with 3 I/O-bound handlers (`GET /accounts`, `GET /audit-log`, `GET /rows`)' }],
    },
    { ...pkg('package.json main (built path mapped back to the source) is the entry point', { name: 'svc', main: 'dist/server.js' }), errors: [STARVES_ROWS] },
    { ...pkg('a package.json bin is an entry point', { name: 'svc', bin: { svc: './lib/server.js' } }), errors: [STARVES_ROWS] },
  ],
});

describe('checkMixedBound in a scope', () => {
  const at = (file: string): Location => ({ file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } });
  const bound = (file: string, label: string, cpu: boolean): BoundHandler => ({
    handler: { id: `${file}:1:1`, kind: 'express', label, registration: at(file), bounds: [], bound: cpu ? 'cpu' : 'io', domain: 'main.ts' },
    domains: ['main.ts'],
    cpu: cpu ? [{ reason: 'pbkdf2Sync (node:crypto)', location: at(file), chain: [] }] : [],
    waits: cpu ? [] : [{ reason: 'await db.rows', location: at(file) }],
  });
  const handlers = [bound('/w/a.ts', 'POST /a', true), bound('/w/b.ts', 'POST /b', true), bound('/w/rows.ts', 'GET /rows', false)];
  it('reports only the CPU-bound handlers registered in scope, each still counting every I/O-bound one', () => {
    const found = checkMixedBound(handlers, (file) => file === '/w/b.ts');
    assert.deepEqual(
      found.map((f) => [f.location.file, f.message]),
      [['/w/b.ts', '`POST /b` (b.ts:1) is CPU-bound (pbkdf2Sync (node:crypto)) and shares its event loop with 1 I/O-bound handler (`GET /rows`), which wait while it runs. Move the CPU work to a worker pool (piscina) or a separate process.']],
    );
  });
  it('reports every one without a scope', () => assert.deepEqual(checkMixedBound(handlers).map((f) => f.location.file), ['/w/a.ts', '/w/b.ts']));
});
