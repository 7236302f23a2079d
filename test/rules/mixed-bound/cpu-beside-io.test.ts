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
