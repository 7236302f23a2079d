/**
 * User patterns naming calls and expressions (settings `handlerCalls`, `cpuHeavy`, `limiters`,
 * `smallCollections`):
 * - `name`: a function `name(…)` or a method `x.name(…)`;
 * - `recv.name`: a method `name` on a receiver whose text ends with `recv` (`this.bot.command` matches
 *   `bot.command`); `*.name` matches any receiver;
 * - `package#name`: a function or method `name` declared by npm package `package`.
 */
import { Minimatch } from 'minimatch';
import { ts } from 'ts-morph';
import { calleeName, receiverOf, skipOuter } from '../ast';
import type { CalleeInfo } from '../resolve';

/** True when a call matches a user pattern (see module doc). `callee` enables `package#name` patterns. */
export function callMatches(call: ts.CallExpression | ts.NewExpression, pattern: string, callee?: CalleeInfo): boolean {
  const name = calleeName(call);
  if (!name) return false;
  const hash = pattern.indexOf('#');
  if (hash >= 0) {
    const pkg = pattern.slice(0, hash);
    return pattern.slice(hash + 1) === name && !!callee && (callee.packageName === pkg || callee.nodeModule === pkg.replace(/^node:/, ''));
  }
  const dot = pattern.lastIndexOf('.');
  if (dot < 0) return pattern === name;
  if (pattern.slice(dot + 1) !== name || !ts.isCallExpression(call)) return false;
  const recvPattern = pattern.slice(0, dot);
  if (recvPattern === '*') return true;
  const recv = receiverOf(call);
  if (!recv) return false;
  const text = skipOuter(recv).getText().replace(/\s+/g, '');
  return text === recvPattern || text.endsWith('.' + recvPattern);
}

/** True when an expression's source text matches a `smallCollections` pattern (`*.columns`, `config.*`). */
export function textMatches(text: string, pattern: string): boolean {
  if (text === pattern) return true;
  let glob = globs.get(pattern);
  if (!glob) globs.set(pattern, (glob = new Minimatch(pattern, { dot: true, nonegate: true, nocomment: true })));
  return glob.match(text);
}

/** `smallCollections` patterns compiled, asked for every loop bound: a few per user's settings. */
const globs = new Map<string, Minimatch>();
