/**
 * Handler discovery: one syntax walk per file, every discovery module offered each node. Also records what
 * makes a file a process entry point (it listens, exports a Lambda handler, starts a queue worker …) and which
 * files run in worker threads, for event-loop domains.
 */
import { ts } from 'ts-morph';
import { calleeName } from '../ast';
import { discoverCustom } from './custom';
import { FunctionNameScan } from './function-names';
import { discoverLambda } from './lambda';
import { discoverListeners } from './listeners';
import { discoverNest } from './nestjs';
import { discoverNext } from './nextjs';
import { discoverQueues } from './queues';
import { discoverRoutes } from './routes';
import { discoverServers } from './servers';
import { discoverTimers } from './timers';
import type { DiscoveredHandler, Discoverer, Mount } from './types';
import { WorkerScan } from './workers';

export type { DiscoveredHandler, Mount } from './types';
export { constructorPrefix } from './routes';

// User-declared handler calls come first: they name exactly what the user means.
const DISCOVERERS: Discoverer[] = [discoverCustom, discoverRoutes, discoverNest, discoverNext, discoverLambda, discoverServers, discoverQueues, discoverTimers, discoverListeners];

/** What one file contributes to the handler map. */
export interface FileDiscovery {
  handlers: DiscoveredHandler[];
  /** The file starts serving on its own: calls `.listen()`, `createServer`, NestFactory, exports a Lambda … */
  isEntry: boolean;
  /** Absolute candidate paths of files this one runs in worker threads or sandboxed processes. */
  workerTargets: string[];
  /** The file imports `parentPort`/`workerData`: it is a worker-thread body. */
  isWorkerBody: boolean;
  /**
   * A command-line script, not a server: it has a shebang or reads `process.argv` at top level, and serves
   * nothing. Its callbacks (readline 'line', timers) do not hold up anyone else's requests.
   */
  isCliScript: boolean;
  /** The names the file's declarations can give a function value (./function-names.ts). */
  functionNames: Pick<FunctionNameScan, 'names' | 'computed'>;
}

function readsArgvAtTopLevel(sf: ts.SourceFile): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || ts.isFunctionLike(n)) return;
    if (ts.isPropertyAccessExpression(n) && n.name.text === 'argv' && ts.isIdentifier(n.expression) && n.expression.text === 'process') found = true;
    else ts.forEachChild(n, visit);
  };
  sf.statements.forEach(visit);
  return found;
}

/**
 * Discovers the handlers a file registers. Never throws on odd syntax: unknown shapes are skipped. Router
 * mounts found on the way are appended to `mounts`; `handlerCalls` are the user's extra handler patterns.
 */
export function discoverFile(sf: ts.SourceFile, checker: ts.TypeChecker, mounts: Mount[] = [], handlerCalls: readonly string[] = []): FileDiscovery {
  const handlers: DiscoveredHandler[] = [];
  let isEntry = false;
  const ctx = { checker, sf, mounts, handlerCalls };
  const workers = new WorkerScan(sf.fileName);
  const functionNames = new FunctionNameScan();
  const visit = (node: ts.Node): void => {
    if (isTypeOnly(node)) return;
    if (ts.isCallExpression(node)) {
      const name = calleeName(node);
      if (name === 'listen' || (name === 'create' && node.expression.getText(sf).startsWith('NestFactory'))) isEntry = true;
    }
    for (const d of DISCOVERERS) {
      const found = d(node, ctx);
      if (found && found.length > 0) {
        handlers.push(...found);
        break;
      }
    }
    workers.visit(node);
    functionNames.visit(node);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  if (handlers.some((h) => h.kind === 'lambda' || h.kind === 'nextjs' || h.kind === 'bullmq' || h.kind === 'http-server')) isEntry = true;
  const isCliScript = !isEntry && (sf.text.startsWith('#!') || readsArgvAtTopLevel(sf));
  return { handlers, isEntry, workerTargets: workers.targets, isWorkerBody: workers.isWorkerBody, isCliScript, functionNames };
}

/**
 * Type annotations, interfaces and type aliases: no call, registration or function body can sit inside them, so
 * discovery does not descend into them (they are a large share of the nodes of typed code). A heritage clause's
 * `extends mixin(Base)` is an expression, and is walked.
 */
function isTypeOnly(node: ts.Node): boolean {
  const k = node.kind;
  if (k === ts.SyntaxKind.InterfaceDeclaration || k === ts.SyntaxKind.TypeAliasDeclaration) return true;
  return k >= ts.SyntaxKind.FirstTypeNode && k <= ts.SyntaxKind.LastTypeNode;
}
