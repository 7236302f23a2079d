/**
 * `looplens/auditWorkspace` and `looplens/exportAudit` with the real engine, over in-memory streams: the
 * response carries each handler's domain, bound class and evidence and each finding's suggested limit; the
 * exports are byte for byte what the CLI prints; `$/progress` counts files; and a cancelled audit stops while
 * the engine is following handlers (the time from cancel to the error response is measured against a
 * generous bound: a behavioural check, not a benchmark).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { CancellationTokenSource, ErrorCodes, LSPErrorCodes, ResponseError } from 'vscode-languageserver-protocol';
import { AuditWorkspaceRequest, ExportAuditRequest, type AuditWorkspaceResult, type ExportAuditResult } from '../../shared/protocol';
import { run } from '../../server/src/cli/run';
import { serveFolder, type TestClient } from './client';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'fanout-service');

/** A started server on in-memory streams with the real engine, initialised on `root`. */
async function serve(root: string): Promise<TestClient> {
  return (await serveFolder(root)).client;
}

async function cli(args: string[]): Promise<string> {
  let out = '';
  await run(args, { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => undefined } });
  return out;
}

const CPU_ROUTE = `import express from 'express';
import { pbkdf2Sync } from 'node:crypto';

export const auth = express.Router();

auth.post('/login', (req, res) => {
  const key = pbkdf2Sync(req.body.password, 'salt', 100000, 64, 'sha512');
  res.json({ ok: key.length > 0 });
});
`;

describe('audit response and exports', () => {
  let root: string;
  let client: TestClient;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'looplens-audit-')).replace(/\\/g, '/');
    cpSync(FIXTURE, root, { recursive: true });
    writeFileSync(`${root}/src/auth.ts`, CPU_ROUTE);
    writeFileSync(`${root}/src/app.ts`, `import { auth } from './auth.js';\n` + (await import('node:fs')).readFileSync(`${FIXTURE}/src/app.ts`, 'utf8').replace('app.use(express.json());', 'app.use(express.json());\napp.use(auth);'));
    client = await serve(root);
  });

  after(() => {
    client.connection.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  test('exporting before any audit is refused with a reason', async () => {
    await assert.rejects(client.connection.sendRequest(ExportAuditRequest, { format: 'json' }), (err: ResponseError<unknown>) => {
      assert.equal(err.code, ErrorCodes.InvalidRequest);
      assert.match(err.message, /No audit to export yet/);
      return true;
    });
  });

  test('the audit answers with handlers (domain, bound, evidence) and findings (suggested limit), with file counts in $/progress', async () => {
    client.watchProgress('shape');
    const result = (await client.connection.sendRequest(AuditWorkspaceRequest, { workDoneToken: 'shape' })) as AuditWorkspaceResult;
    assert.equal(result.roots.length, 1);
    const r = result.roots[0]!;
    assert.equal(r.root, root);
    assert.equal(r.files, 2);
    const byLabel = new Map(r.handlers.map((h) => [h.label, h]));
    const login = byLabel.get('POST /login');
    const refresh = byLabel.get('POST /avatars/refresh');
    assert.ok(login && refresh, `handlers: ${[...byLabel.keys()].join(', ')}`);
    assert.equal(login.file, `${root}/src/auth.ts`);
    assert.deepEqual(login.range.start, { line: 5, character: 0 });
    assert.equal(login.domain, `${root}/src/app.ts`, 'the router runs in the process app.ts starts');
    assert.equal(login.bound, 'cpu');
    assert.ok(login.evidence.some((e) => e.bound === 'cpu' && /pbkdf2Sync/.test(e.reason) && e.file === `${root}/src/auth.ts` && e.line === 6), JSON.stringify(login.evidence));
    assert.equal(refresh.domain, `${root}/src/app.ts`);
    assert.equal(refresh.bound, 'io');

    const fanout = r.findings.find((f) => f.ruleId === 'unbounded-fanout/promise-all');
    assert.ok(fanout, r.findings.map((f) => f.ruleId).join(', '));
    assert.equal(fanout.family, 'unbounded-fanout');
    assert.equal(fanout.handlerId, refresh.id);
    assert.equal(fanout.limit, 8);
    assert.match(fanout.limitReason ?? '', /looplens\.concurrency\.io/);
    const sync = r.findings.find((f) => f.ruleId === 'blocking-cpu/sync-call');
    assert.ok(sync && sync.handlerId === login.id && sync.limit === undefined);
    assert.ok(r.findings.some((f) => f.ruleId === 'mixed-bound/cpu-beside-io'), 'the CPU-bound login starves the I/O-bound refresh');
    assert.deepEqual([result.files, result.handlers, result.findings], [2, r.handlers.length, r.findings.length]);

    await client.waitFor(() => client.progress.some((p) => p.token === 'shape' && p.value.kind === 'end'), 'progress end');
    const values = client.progress.filter((p) => p.token === 'shape').map((p) => p.value);
    assert.equal(values[0]!.kind, 'begin');
    assert.equal(values.at(-1)!.kind, 'end');
    assert.equal(values.at(-2)!.message, 'Analysed 2 files');
    assert.equal(values.at(-2)!.percentage, 100);
  });

  test('exports are what the CLI prints for the same folder, in Markdown, JSON and SARIF', async () => {
    for (const format of ['markdown', 'json', 'sarif'] as const) {
      const exported = (await client.connection.sendRequest(ExportAuditRequest, { format })) as ExportAuditResult;
      assert.equal(exported.base, root);
      assert.equal(exported.content, await cli(['audit', root, '--format', format]), `${format} export = CLI output`);
    }
    await assert.rejects(client.connection.sendRequest(ExportAuditRequest, { format: 'html' }), (err: ResponseError<unknown>) => err.code === ErrorCodes.InvalidParams);
  });
});

/** A service with `n` router files, each with one handler that reaches sync crypto, a data loop and a fan-out. */
function writeBigService(root: string, n: number): void {
  cpSync(join(FIXTURE, 'package.json'), `${root}/package.json`);
  cpSync(join(FIXTURE, 'tsconfig.json'), `${root}/tsconfig.json`);
  mkdirSync(`${root}/src`);
  for (let i = 0; i < n; i++) {
    writeFileSync(
      `${root}/src/route${i}.ts`,
      `import express from 'express';
import { pbkdf2Sync } from 'node:crypto';

export const router${i} = express.Router();

function score${i}(rows: { id: string; tags: string[] }[]): number {
  let n = 0;
  for (const r of rows) for (const t of r.tags) n += r.id.length * t.length;
  return n;
}

router${i}.post('/items${i}', async (req, res) => {
  const rows: { id: string; tags: string[] }[] = req.body.rows;
  const key = pbkdf2Sync(req.body.password, 'salt', 100000, 64, 'sha512');
  const fetched = await Promise.all(rows.map(async (r) => fetch('http://x/' + r.id)));
  res.json({ score: score${i}(rows), key: key.length, n: fetched.length });
});
`,
    );
  }
  const imports = Array.from({ length: n }, (_, i) => `import { router${i} } from './route${i}.js';`);
  const uses = Array.from({ length: n }, (_, i) => `app.use(router${i});`);
  writeFileSync(`${root}/src/app.ts`, [`import express from 'express';`, ...imports, 'const app = express();', ...uses, 'app.listen(3000);', ''].join('\n'));
}

describe('cancelling an audit', () => {
  const FILES = 80;
  /** Generous: the engine checks the token between handlers and yields every ~20 ms; the goal is 200 ms. */
  const BOUND_MS = 1000;
  let root: string;
  let client: TestClient;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'looplens-cancel-')).replace(/\\/g, '/');
    writeBigService(root, FILES);
    client = await serve(root);
  });

  after(() => {
    client.connection.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  test('Cancel while handlers are followed: RequestCancelled comes back promptly, and progress ends', async (t: TestContext) => {
    client.watchProgress('cancel');
    const source = new CancellationTokenSource();
    const pending = client.connection.sendRequest(AuditWorkspaceRequest, { workDoneToken: 'cancel' }, source.token);
    const settled = pending.then(
      () => ({ ok: true as const, at: performance.now() }),
      (err: unknown) => ({ ok: false as const, err, at: performance.now() }),
    );
    const midway = await client.waitFor(
      () => client.progress.find((p) => p.token === 'cancel' && /^Analysed \d+\/\d+ files \(\d+\/\d+ handlers\)$/.test(p.value.message ?? '')),
      'a progress report from the handlers phase',
      120_000,
    );
    assert.match(midway.value.message!, new RegExp(`^Analysed \\d+/${FILES + 1} files \\(\\d+/${FILES} handlers\\)$`));
    const cancelledAt = performance.now();
    source.cancel();
    const outcome = await settled;
    const ms = outcome.at - cancelledAt;
    t.diagnostic(`cancel → RequestCancelled in ${ms.toFixed(1)} ms`);
    assert.equal(outcome.ok, false, 'the audit did not run to the end');
    assert.ok(outcome.err instanceof ResponseError && outcome.err.code === LSPErrorCodes.RequestCancelled, String(outcome.err));
    assert.ok(ms < BOUND_MS, `stopped ${ms.toFixed(0)} ms after the cancel (bound ${BOUND_MS} ms)`);
    await client.waitFor(() => client.progress.some((p) => p.token === 'cancel' && p.value.kind === 'end'), 'progress end');
    const last = client.progress.filter((p) => p.token === 'cancel' && p.value.kind === 'report').at(-1)!;
    assert.doesNotMatch(last.value.message ?? '', new RegExp(`\\(${FILES}/${FILES} handlers\\)|^Analysed ${FILES + 1} files$`), 'no report after the cancel says it finished');
  });
});
