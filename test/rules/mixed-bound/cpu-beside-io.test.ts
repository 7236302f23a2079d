import { APP, APP_LINES } from '../prelude';
import { ruleTester } from '../ruleTester';

const L = (n: number) => APP_LINES + n;

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
        'reports.ts': `import { gzipSync } from 'node:zlib';
declare const router: { get(path: string, h: (req: unknown, res: { send(b: Buffer): void }) => void): void };
router.get('/report.gz', (_req, res) => res.send(gzipSync('x'.repeat(1e6))));
`,
      },
      errors: [{ file: 'reports.ts', line: 3, column: 1, message: 'shares its event loop with 1 I/O-bound handler (`GET /rows`)' }],
    },
  ],
});
