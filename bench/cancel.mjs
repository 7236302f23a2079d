#!/usr/bin/env node
// Cancel bench (`npm run bench:cancel`): drives the real language server (dist/server.js --stdio) over the
// protocol on @budibase/server (from .bench-cache; else the generated 1,000-file service), and prints
//   - one complete `looplens/auditWorkspace`: its time, the server's peak RSS (VmHWM from /proc, which counts
//     every thread) and the longest wait of a request sent every 250 ms meanwhile (how free the main thread is);
//   - for each cancel point (ms after the request; a fresh server each, so the program build starts cold):
//     where the audit was (its last progress message), the ms from `$/cancelRequest` to the RequestCancelled
//     response, to the server's "audit worker stopped" log line and to its thread count (/proc Threads:)
//     dropping back, and whether any `$/progress` came after `end`.
//
//   node bench/cancel.mjs [--root <folder>] [--at 500,2000,5000,10000] [--server dist/server.js] [--open <file>]
// --open: the complete audit runs with that file open and analysed first (the editor's program loaded on the
// main thread, as when a user audits while editing); --at '' skips the cancel points.
// Target: ≤ 200 ms from the cancel to the response and to the worker being gone (issue 6).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CancellationTokenSource, createProtocolConnection, StreamMessageReader, StreamMessageWriter, WorkDoneProgress } from 'vscode-languageserver-protocol/node';
import { generate } from './generate.mjs';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUDIBASE = join(REPO, '.bench-cache', 'budibase-server-3.38.1', 'package');
/** The bench's LoopLens config beside budibase's sources (tests and mocks excluded, as bench:real does). */
const BUDIBASE_CONFIG = join(BUDIBASE, 'looplens-bench.looplensrc.json');
const TARGET_MS = 200;
const DEADLINE_MS = 10 * 60_000;
/** Interval of the probe request during the complete audit, in ms. */
const PROBE_EVERY_MS = 250;

const { values } = parseArgs({
  options: {
    root: { type: 'string' },
    at: { type: 'string', default: '500,2000,5000,10000' },
    server: { type: 'string', default: join(REPO, 'dist', 'server.js') },
    open: { type: 'string' },
  },
});

/** A /proc/<pid>/status field as a number (kB for Vm* fields). */
function procStatus(pid, key) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

/** CPU time of a process so far, in clock ticks (utime + stime from /proc/<pid>/stat). */
function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Resolves once the process used under 5% of a core over a second. */
async function idle(pid) {
  for (let before = cpuTicks(pid); ; ) {
    await sleep(1000);
    const now = cpuTicks(pid);
    if (now - before < 5) return;
    before = now;
  }
}

/** Starts the server on `root`, initialised with folder settings `settings`; resolves when initialised. */
async function startServer(root, settings) {
  const child = spawn(process.execPath, [values.server, '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const server = { child, connection, logs: [], progress: [] };
  connection.onNotification('window/logMessage', (p) => {
    server.logs.push({ at: performance.now(), message: p.message });
    if (p.type === 1) process.stderr.write(`server error: ${p.message.split('\n')[0]}\n`);
  });
  connection.onNotification('textDocument/publishDiagnostics', () => undefined);
  connection.onRequest('workspace/configuration', (p) => p.items.map((item) => (item.section === 'looplens' ? settings : null)));
  connection.onRequest('client/registerCapability', () => null);
  connection.onProgress(WorkDoneProgress.type, 'audit', (value) => server.progress.push({ at: performance.now(), value }));
  connection.listen();
  const rootUri = pathToFileURL(root).href;
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: 'bench' }],
    capabilities: { workspace: { configuration: true }, window: { workDoneProgress: true } },
  });
  await connection.sendNotification('initialized', {});
  return server;
}

async function stopServer({ child, connection }) {
  const exited = new Promise((res) => child.once('exit', res));
  try {
    await Promise.race([connection.sendRequest('shutdown'), sleep(5_000)]);
    await connection.sendNotification('exit');
  } catch {
    // Already gone.
  }
  await Promise.race([exited, sleep(5_000)]);
  connection.dispose();
  child.kill();
}

/** Sends the audit with a work-done token; resolves with its outcome and when it came. */
function sendAudit(connection, token = new CancellationTokenSource().token) {
  return connection.sendRequest('looplens/auditWorkspace', { workDoneToken: 'audit' }, token).then(
    (result) => ({ ok: true, result, at: performance.now() }),
    (err) => ({ ok: false, err, at: performance.now() }),
  );
}

/** One complete audit: time, findings, peak RSS and the longest probe wait. */
async function completeAudit(root, settings) {
  const server = await startServer(root, settings);
  if (values.open) {
    const uri = pathToFileURL(resolve(root, values.open)).href;
    let published = 0;
    server.connection.onNotification('textDocument/publishDiagnostics', (p) => p.uri === uri && (published = performance.now()));
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: readFileSync(resolve(root, values.open), 'utf8') } });
    // Analysed: diagnostics came and the server went idle (a server may publish a quick first look, then the full analysis).
    while (!published) await sleep(250);
    await idle(server.child.pid);
  }
  const t0 = performance.now();
  const audit = sendAudit(server.connection);
  let done = false;
  void audit.then(() => (done = true));
  let longest = 0;
  let longestAt = 0;
  while (!done) {
    const sent = performance.now();
    // Refused at once (no audit to export yet) by a free main thread; any request would do.
    await server.connection.sendRequest('looplens/exportAudit', { format: 'json' }).catch(() => undefined);
    if (performance.now() - sent > longest) {
      longest = performance.now() - sent;
      longestAt = sent - t0;
    }
    await Promise.race([audit, sleep(PROBE_EVERY_MS)]);
  }
  const outcome = await audit;
  const ms = outcome.at - t0;
  const peak = procStatus(server.child.pid, 'VmHWM') / 1024;
  await stopServer(server);
  if (!outcome.ok) throw new Error(`the audit failed: ${outcome.err?.message}`);
  return { ms, peak, longest, longestAt, result: outcome.result };
}

/** Cancels an audit `at` ms after the request; returns the timings from the cancel. */
async function cancelledAudit(root, settings, at) {
  const server = await startServer(root, settings);
  const pid = server.child.pid;
  const threadsIdle = procStatus(pid, 'Threads');
  const source = new CancellationTokenSource();
  const audit = sendAudit(server.connection, source.token);
  await Promise.race([audit, sleep(at)]);
  const threadsBusy = procStatus(pid, 'Threads');
  const phase = server.progress.filter((p) => p.value.kind !== 'end').at(-1)?.value.message ?? '(no progress yet)';
  const cancelledAt = performance.now();
  source.cancel();
  // Poll the thread count until the worker's thread is gone (or 5 s).
  let threadsGoneAt;
  while (performance.now() - cancelledAt < 5_000) {
    if (procStatus(pid, 'Threads') < threadsBusy) {
      threadsGoneAt = performance.now();
      break;
    }
    await sleep(2);
  }
  let deadline;
  const outcome = await Promise.race([
    audit,
    new Promise((res) => (deadline = setTimeout(() => res({ ok: false, err: new Error('no response'), at: NaN }), DEADLINE_MS))),
  ]);
  clearTimeout(deadline);
  await sleep(300); // any late $/progress or log line
  const stopped = server.logs.find((l) => l.at >= cancelledAt && /audit worker stopped/.test(l.message));
  const end = server.progress.findIndex((p) => p.value.kind === 'end');
  const afterEnd = end < 0 ? 0 : server.progress.length - end - 1;
  await stopServer(server);
  return {
    at,
    phase,
    finished: outcome.ok,
    responseMs: outcome.at - cancelledAt,
    code: outcome.err?.code,
    workerGoneMs: stopped ? stopped.at - cancelledAt : NaN,
    threadsMs: threadsGoneAt === undefined ? NaN : threadsGoneAt - cancelledAt,
    threads: `${threadsIdle} → ${threadsBusy}`,
    afterEnd,
  };
}

async function main() {
  if (!existsSync(values.server)) throw new Error(`${values.server} is missing: run npm run build first`);
  let root = values.root ? resolve(values.root) : BUDIBASE;
  let settings = {};
  if (!values.root && !existsSync(BUDIBASE)) {
    console.error(`${BUDIBASE} is missing (npm run bench:real installs it): using the generated 1,000-file service`);
    root = generate(1000);
  } else if (root === BUDIBASE && existsSync(BUDIBASE_CONFIG)) {
    settings = JSON.parse(readFileSync(BUDIBASE_CONFIG, 'utf8'));
  }
  const points = values.at.split(',').filter(Boolean).map(Number);

  const full = await completeAudit(root, settings);
  const rows = [];
  for (const at of points) rows.push(await cancelledAudit(root, settings, at));

  const fmt = (ms) => (Number.isNaN(ms) ? '–' : `${ms.toFixed(0)} ms`);
  const ok = (ms) => (Number.isNaN(ms) ? '' : ms <= TARGET_MS ? ' ✓' : ' ✗');
  console.log(`\nLoopLens audit cancel bench on ${root} (${values.server}); load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(
    `Complete audit${values.open ? ` (with ${values.open} open and analysed first)` : ''}: ${(full.ms / 1000).toFixed(1)} s, ${full.result.files} files, ${full.result.handlers} handlers, ${full.result.findings} findings; ` +
      `server peak RSS (VmHWM) ${full.peak.toFixed(0)} MiB; longest wait of a request during it ${full.longest.toFixed(0)} ms (sent ${(full.longestAt / 1000).toFixed(1)} s in).`,
  );
  console.log('| cancel at | audit was at | → RequestCancelled | → "worker stopped" log | → thread gone | threads idle → busy | $/progress after end |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const response = r.finished ? 'finished first' : r.code === -32800 ? `${fmt(r.responseMs)}${ok(r.responseMs)}` : `error ${r.code ?? '?'}`;
    console.log(`| ${r.at} ms | ${r.phase} | ${response} | ${fmt(r.workerGoneMs)}${ok(r.workerGoneMs)} | ${fmt(r.threadsMs)}${ok(r.threadsMs)} | ${r.threads} | ${r.afterEnd} |`);
  }
}

main().catch((e) => {
  console.error(`bench:cancel: ${e.stack ?? e.message}`);
  process.exitCode = 1;
});
