/** `http`/`https`/`http2`/`net`/`tls` `createServer(callback)`: the request or connection callback. */
import { ts } from 'ts-morph';
import { calleeName } from '../ast';
import { resolveCallee, resolveFunctionValue } from '../resolve';
import type { Discoverer } from './types';

const SERVER_MODULES = new Set(['http', 'https', 'http2', 'net', 'tls']);

export const discoverServers: Discoverer = (node, ctx) => {
  if (!ts.isCallExpression(node)) return undefined;
  const name = calleeName(node);
  if (name !== 'createServer' && name !== 'createSecureServer') return undefined;
  const callee = resolveCallee(ctx.checker, node);
  if (callee?.packageName) return undefined; // some library's own createServer
  const mod = callee?.nodeModule ?? 'http';
  if (!SERVER_MODULES.has(mod)) return undefined;
  for (const a of node.arguments) {
    const fn = resolveFunctionValue(ctx.checker, a);
    if (fn) return [{ kind: 'http-server', label: `${mod} server ${mod === 'net' || mod === 'tls' ? 'connection' : 'request'}`, registration: node, fn }];
  }
  return undefined;
};
