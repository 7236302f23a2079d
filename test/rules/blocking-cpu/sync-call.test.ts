import { APP, APP_LINES } from '../prelude';
import { ruleTester } from '../ruleTester';

const L = (n: number) => APP_LINES + n;

ruleTester('blocking-cpu/sync-call', {
  valid: [
    {
      name: 'async pbkdf2 through promisify',
      code: `${APP}import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
const derive = promisify(pbkdf2);
app.post('/login', async (req, res) => { res.json(await derive(req.body.text, 's', 1000, 32, 'sha256')); });
app.listen(1);`,
    },
    {
      name: 'readFileSync at module top level runs once at startup',
      code: `${APP}import { readFileSync } from 'node:fs';
const pkg = readFileSync('package.json', 'utf8');
app.get('/version', (_req, res) => res.send(pkg));
app.listen(1);`,
    },
    {
      name: 'a worker-thread file may block its own thread',
      code: `import { parentPort } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
parentPort!.on('message', (buf: Buffer) => parentPort!.postMessage(gzipSync(buf)));`,
    },
    {
      name: 'a project function whose name ends in Sync is followed, not flagged by name',
      code: `${APP}function renderSync(s: string): string { return s.toUpperCase(); }
app.get('/x', (req, res) => res.send(renderSync(req.body.text)));
app.listen(1);`,
    },
    {
      name: 'a command-line script reading its input line by line',
      code: `#!/usr/bin/env node
import { createInterface } from 'node:readline';
import { createReadStream, appendFileSync } from 'node:fs';
const lines = createInterface({ input: createReadStream(process.argv[2]!) });
lines.on('line', (line) => appendFileSync(process.argv[3]!, line.trim() + '\\n'));`,
    },
    {
      name: 'a *Sync member of a missing relative module is project code, not a package',
      code: `${APP}import * as local from './not-there';
app.get('/x', (req, res) => res.send(local.renderSync(req.body.text)));
app.listen(1);`,
    },
    {
      name: 'sync call in a function no handler reaches',
      code: `import { execSync } from 'node:child_process';
export function buildInfo(): string { return execSync('git rev-parse HEAD', { encoding: 'utf8' }); }`,
    },
  ],
  invalid: [
    {
      name: 'pbkdf2Sync in a route handler',
      code: `${APP}import { pbkdf2Sync } from 'node:crypto';
app.post('/login', (req, res) => {
  const key = pbkdf2Sync(req.body.text, 'salt', 100000, 64, 'sha512');
  res.json({ ok: key.length });
});
app.listen(1);`,
      errors: [{ line: L(3), column: 15, message: '`pbkdf2Sync` (node:crypto) blocks the event loop in `POST /login`' }],
    },
    {
      name: 'an aliased import is identified by its declaration',
      code: `${APP}import { readFileSync as load } from 'node:fs';
app.get('/info', (_req, res) => res.send(load('/etc/hostname', 'utf8')));
app.listen(1);`,
      errors: [{ line: L(2), column: 42, message: '`readFileSync` (node:fs)' }],
    },
    {
      name: 'namespace import',
      code: `${APP}import * as zlib from 'node:zlib';
app.post('/pack', (req, res) => res.send(zlib.gzipSync(req.body.text).toString('base64')));
app.listen(1);`,
      errors: [{ line: L(2), column: 42, message: '`gzipSync` (node:zlib)' }],
    },
    {
      name: 'reported where it happens, two calls down in a helper module',
      code: `${APP}import { hashAll } from './hash';
app.post('/hash', async (req, res) => res.json(hashAll(req.body.text)));
app.listen(1);`,
      files: {
        'hash.ts': `import { scryptSync } from 'node:crypto';
function one(s: string): string { return scryptSync(s, 'salt', 32).toString('hex'); }
export function hashAll(s: string): string { return one(s); }
`,
      },
      errors: [{ file: 'hash.ts', line: 2, column: 42, message: 'in `POST /hash` (server.ts:' }],
    },
    {
      name: 'execSync in a timer callback',
      code: `import { execSync } from 'node:child_process';
setInterval(() => {
  console.log(execSync('df -k /', { encoding: 'utf8' }));
}, 60_000);`,
      errors: [{ line: 3, column: 15, message: 'in `setInterval 60_000`' }],
    },
    {
      name: 'a library *Sync function, from the package that declares it',
      code: `${APP}import { compareSync } from 'fake-bcrypt';
app.post('/login', (req, res) => res.json({ ok: compareSync(req.body.text, 'hash') }));
app.listen(1);`,
      files: {
        'node_modules/fake-bcrypt/package.json': '{"name":"fake-bcrypt","version":"1.0.0","types":"index.d.ts"}',
        'node_modules/fake-bcrypt/index.d.ts': 'export declare function compareSync(a: string, b: string): boolean;\n',
      },
      errors: [{ line: L(2), column: 49, message: '`compareSync` from `fake-bcrypt` runs synchronously' }],
    },
    {
      name: 'a *Sync member of a package that is imported but not installed (no declarations to resolve)',
      code: `${APP}import bcrypt from 'not-installed-bcrypt';
app.post('/login', (req, res) => res.json({ ok: bcrypt.compareSync(req.body.text, 'hash') }));
app.listen(1);`,
      errors: [{ line: L(2), column: 49, message: '`compareSync` from `not-installed-bcrypt` runs synchronously' }],
    },
    {
      name: 'a named *Sync import from a scoped package subpath that is not installed',
      code: `${APP}import { hashSync as hash } from '@not-installed/crypto/sync';
app.post('/signup', (req, res) => res.json({ h: hash(req.body.text) }));
app.listen(1);`,
      errors: [{ line: L(2), column: 49, message: '`hashSync` from `@not-installed/crypto` runs synchronously' }],
    },
  ],
});
