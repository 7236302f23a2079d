/**
 * blocking-cpu/sync-call
 *
 * What it does: reports synchronous calls from Node's `fs`, `crypto`, `zlib` and `child_process` modules, and
 * library functions whose name ends in `Sync` (`bcrypt.compareSync`, `fs-extra`'s `readJsonSync`), in code a
 * handler reaches. Calls are identified by their declaration, so aliases and destructured renames count.
 *
 * Functions named in the `cpuHeavy` setting are reported the same way.
 *
 * Why it is bad: a synchronous call holds the event loop until it returns; every other request, timer and
 * socket on the process waits. Node's guide "Don't Block the Event Loop"
 * (https://nodejs.org/en/learn/asynchronous-work/dont-block-the-event-loop) names exactly these APIs
 * (sync crypto, zlib, fs and child_process) as the ones to avoid in servers.
 */
import { ts } from 'ts-morph';
import { locationOf } from '../../ast';
import { callMatches } from '../../analysis/patterns';
import type { RuleMeta } from '../registry';
import type { Detection, Rule } from '../rule';

const SYNC_MODULES = new Set(['fs', 'crypto', 'zlib', 'child_process']);

export const meta: RuleMeta = {
  id: 'blocking-cpu/sync-call',
  family: 'blocking-cpu',
  description: 'A synchronous fs, crypto, zlib or child_process call (or a library *Sync function) runs on the event loop inside a handler.',
  defaultSeverity: 'warning',
  fixIds: ['looplens.sync-to-async', 'looplens.worker-offload', 'looplens.disable-next-line'],
};

export const rule: Rule = {
  meta,
  messages: {
    nodeSync: '`{name}` ({module}) blocks the event loop in {handler}: every other request waits until it returns. Use the async `{asyncName}` or move the work to a worker pool.',
    librarySync: '`{name}` from `{module}` runs synchronously on the event loop in {handler}: every other request waits until it returns. Use its async variant or a worker pool.',
    configured: '`{name}` is CPU-heavy (`{pattern}` in the looplens.cpuHeavy setting) and runs on the event loop in {handler}: every other request waits until it returns. Move it to a worker pool.',
  },
  detect(node, env): Detection | undefined {
    if (!ts.isCallExpression(node)) return undefined;
    const callee = env.callee(node);
    const pattern = env.settings.cpuHeavy.find((p) => callMatches(node, p, callee));
    if (pattern) {
      const name = callee?.name || node.expression.getText(env.sf);
      return {
        ruleId: meta.id,
        family: 'blocking-cpu',
        node,
        location: locationOf(node.expression, env.sf),
        messageId: 'configured',
        data: { name, pattern },
        fix: { kind: 'none' },
        reason: `${name} (cpuHeavy setting)`,
      };
    }
    if (!callee || callee.body || !callee.name.endsWith('Sync')) return undefined;
    const inNode = callee.nodeModule && SYNC_MODULES.has(callee.nodeModule);
    if (!inNode && !callee.packageName) return undefined;
    const module = inNode ? `node:${callee.nodeModule}` : callee.packageName!;
    return {
      ruleId: meta.id,
      family: 'blocking-cpu',
      node,
      location: locationOf(node.expression, env.sf),
      messageId: inNode ? 'nodeSync' : 'librarySync',
      data: { name: callee.name, module, asyncName: callee.name.replace(/Sync$/, '') },
      fix: { kind: 'none' },
      reason: `${callee.name} (${module})`,
    };
  },
};
