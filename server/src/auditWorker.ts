/**
 * Entry of the audit worker thread (dist/auditWorker.js), started by ./auditRunner.ts. It owns one engine
 * `Workspace` per root and runs the audit's analyses, so the server's main thread stays free for edits, hovers
 * and code actions, and a Cancel can end the work with `worker.terminate()` even inside the synchronous
 * program build (ts-morph `getProgram()`), which no token check can interrupt.
 *
 * Messages are the {@link ToWorker} / {@link FromWorker} shapes below. The worker analyses one root at a time
 * (the host queues jobs). It keeps its workspaces between jobs, so a second audit reuses the parsed programs.
 */
import { format } from 'node:util';
import { parentPort } from 'node:worker_threads';
import type { EngineSettings } from './engine/settings';
import type { AnalysisStep } from './engine/steps';
import type { AnalysisResult } from './engine/types';
import { Workspace } from './engine/workspace';

/** host → worker */
export type ToWorker =
  /** Analyse `root` with `settings` and the unsaved text of its open documents (`overlays`: absolute path → text). */
  | { type: 'analyze'; id: number; root: string; settings: EngineSettings; overlays: [string, string][] }
  /** Forget the workspace of `root` (its tsconfig/package.json changed, or its folder was removed). */
  | { type: 'reload'; root: string };

/** worker → host */
export type FromWorker =
  | { type: 'step'; id: number; step: AnalysisStep }
  | { type: 'result'; id: number; result: AnalysisResult }
  /** The analysis threw: the worker itself stays usable. */
  | { type: 'error'; id: number; message: string; stack?: string }
  /** Something in the worker wrote to the console: the host logs it. */
  | { type: 'log'; message: string };

/**
 * Least time between two progress steps posted to the host within a phase, in ms (the host reports at most
 * every 100 ms anyway). The first step of each phase is always posted, so the host knows when parsing ends
 * and the program build (one synchronous call) starts.
 */
const STEP_EVERY_MS = 50;

/** Each root's workspace and the overlays last applied to it. */
const workspaces = new Map<string, { ws: Workspace; overlays: Map<string, string> }>();

/** The root's workspace with `settings` and exactly `overlays` applied (created on first use). */
function workspaceFor(root: string, settings: EngineSettings, overlays: [string, string][]): Workspace {
  let slot = workspaces.get(root);
  if (!slot) {
    slot = { ws: new Workspace({ root, settings }), overlays: new Map() };
    workspaces.set(root, slot);
  } else {
    slot.ws.updateSettings(settings);
  }
  const next = new Map(overlays);
  for (const file of slot.overlays.keys()) if (!next.has(file)) slot.ws.setOverlay(file, undefined);
  for (const [file, text] of next) if (slot.overlays.get(file) !== text) slot.ws.setOverlay(file, text);
  slot.overlays = next;
  return slot.ws;
}

async function analyze(port: NonNullable<typeof parentPort>, job: Extract<ToWorker, { type: 'analyze' }>): Promise<void> {
  const post = (msg: FromWorker) => port.postMessage(msg);
  try {
    const ws = workspaceFor(job.root, job.settings, job.overlays);
    let lastPhase: AnalysisStep['phase'] | undefined;
    let lastPost = 0;
    const onStep = (step: AnalysisStep) => {
      const now = performance.now();
      if (step.phase === lastPhase && now - lastPost < STEP_EVERY_MS) return;
      lastPhase = step.phase;
      lastPost = now;
      post({ type: 'step', id: job.id, step });
    };
    // sliceMs 0: every step reaches onStep. Cancel needs no token here: the host terminates the worker.
    const result = await ws.analyzeAsync({ sliceMs: 0, onStep });
    post({ type: 'result', id: job.id, result });
  } catch (err) {
    // The workspace may be half-updated: the next job starts from a fresh one.
    workspaces.delete(job.root);
    const e = err instanceof Error ? err : new Error(String(err));
    post({ type: 'error', id: job.id, message: e.message, ...(e.stack ? { stack: e.stack } : {}) });
  }
}

const port = parentPort;
if (port) {
  // A worker's console writes to the process's stdout, which is the LSP channel when the server runs with
  // --stdio: a stray line from a library would corrupt it. The host logs these lines instead.
  for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    console[level] = (...args: unknown[]) => port.postMessage({ type: 'log', message: format(...args) } satisfies FromWorker);
  }
  // One job at a time: the host sends the next `analyze` only after this one's result or error.
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'reload') workspaces.delete(msg.root);
    else void analyze(port, msg);
  });
}
