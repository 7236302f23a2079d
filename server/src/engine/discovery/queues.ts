/** Queue workers: BullMQ `new Worker(name, processor)` with an in-process processor, Bull `queue.process(fn)`. */
import { ts } from 'ts-morph';
import { calleeName, receiverOf, skipOuter } from '../ast';
import { resolveCallee, resolveFunctionValue } from '../resolve';
import type { Discoverer } from './types';

export const discoverQueues: Discoverer = (node, ctx) => {
  if (ts.isNewExpression(node) && calleeName(node) === 'Worker' && (node.arguments?.length ?? 0) >= 2) {
    const callee = resolveCallee(ctx.checker, node);
    if (callee?.nodeModule) return undefined; // worker_threads
    const [nameArg, proc] = node.arguments!;
    const fn = resolveFunctionValue(ctx.checker, proc!);
    if (!fn) return []; // sandboxed processor file: runs in its own thread or process
    const n = skipOuter(nameArg!);
    const qname = ts.isStringLiteralLike(n) ? n.text : n.getText(ctx.sf);
    return [{ kind: 'bullmq', label: `Worker "${qname}"`, registration: node, fn }];
  }
  if (ts.isCallExpression(node) && calleeName(node) === 'process' && receiverOf(node) && node.arguments.length >= 1) {
    const recv = receiverOf(node)!;
    if (ts.isIdentifier(recv) && recv.text === 'process') return undefined;
    const callee = resolveCallee(ctx.checker, node);
    if (callee && callee.packageName !== 'bull' && callee.packageName !== 'bee-queue') return undefined;
    const last = node.arguments[node.arguments.length - 1]!;
    const fn = resolveFunctionValue(ctx.checker, last);
    if (fn) return [{ kind: 'bullmq', label: `Queue process (${recv.getText(ctx.sf)})`, registration: node, fn }];
  }
  return undefined;
};
