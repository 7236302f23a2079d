/**
 * The hover on a handler: which handler is under the cursor (its registration, or the first line of its
 * body), and the Markdown that says what it is, its bound class, the evidence for it and its event-loop domain.
 * Pure: no LSP connection, so both are unit-tested directly; the session supplies the last analysis result.
 */
import { domainName } from './engine/analysis/domains';
import type { BoundClass, BoundEvidence, Handler, HandlerKind, Position, Range } from './engine/types';
import { displayPath } from './report/paths';
import { pathToUri } from './uri';

/** At most this many evidence lines; the rest are counted. */
export const MAX_EVIDENCE = 8;

const KIND: Record<HandlerKind, string> = {
  express: 'Express route',
  fastify: 'Fastify route',
  koa: 'Koa middleware',
  nestjs: 'NestJS handler',
  hono: 'Hono route',
  nextjs: 'Next.js route handler',
  lambda: 'Lambda handler',
  'http-server': 'node:http request handler',
  listener: 'event listener',
  bullmq: 'BullMQ processor',
  timer: 'timer callback',
};

/** What each bound class means for the event loop, in a few words. */
const BOUND: Record<BoundClass, string> = {
  cpu: 'holds the event loop while it computes; every other handler in the process waits',
  io: 'waits on network, database or streams; cheap for the event loop',
  threadpool: "waits on libuv's thread pool (`UV_THREADPOOL_SIZE`, 4 threads by default), shared by the whole process",
  memory: 'holds a whole body, buffer or result set in memory',
  mixed: 'computes on the event loop and also waits on I/O or the thread pool; while it computes, every other handler in the process waits',
  none: 'nothing measurable (a constant response or a registration)',
};

/** A handler under the cursor, and the range the hover applies to (its registration when hovered there). */
export interface HoverTarget {
  handler: Handler;
  range?: Range;
}

/**
 * The handler in `file` whose registration range contains `position`, else the one whose body starts on
 * `position.line`. When several match (nested registrations), the narrowest registration wins.
 */
export function handlerAt(handlers: readonly Handler[], file: string, position: Position): HoverTarget | undefined {
  const inFile = handlers.filter((h) => h.registration.file === file);
  const registered = inFile.filter((h) => contains(h.registration.range, position)).sort((a, b) => size(a.registration.range) - size(b.registration.range));
  if (registered[0]) return { handler: registered[0], range: registered[0].registration.range };
  const body = inFile.find((h) => h.body?.file === file && h.body.range.start.line === position.line);
  return body ? { handler: body } : undefined;
}

/**
 * The hover's Markdown: label and kind, bound class and what it means, the evidence (each bound's reason with
 * a link to the last hop of its chain, `root`-relative, at most {@link MAX_EVIDENCE}), and the event-loop domain.
 */
export function handlerHover(handler: Handler, root: string): string {
  const out = [`**${escape(handler.label)}** · ${KIND[handler.kind] ?? handler.kind}`, ''];
  const classes = [...new Set(handler.bounds.map((b) => b.bound))].sort((a, b) => rank(a, handler.bound) - rank(b, handler.bound));
  const others = classes.filter((b) => b !== handler.bound);
  const detail =
    handler.bound === 'mixed' ? ` (${classes.map((b) => `\`${b}\``).join(' + ')})` : others.length > 0 ? ` (also ${others.map((b) => `\`${b}\``).join(', ')})` : '';
  out.push(`Bound: **\`${handler.bound}\`**${detail}: ${BOUND[handler.bound]}.`, '');

  const evidence = uniqueEvidence(handler);
  if (evidence.length > 0) {
    out.push('Evidence:', '');
    for (const e of evidence.slice(0, MAX_EVIDENCE)) out.push(`- \`${e.bound}\` ${escape(e.reason)}${where(e, root)}`);
    if (evidence.length > MAX_EVIDENCE) out.push(`- … and ${evidence.length - MAX_EVIDENCE} more`);
    out.push('');
  }
  out.push(`Event-loop domain: \`${domainName(handler.domain)}\``);
  return out.join('\n');
}

/** Sort key: the handler's own class first (`cpu` first for a `mixed` one), the rest in their listed order. */
function rank(b: BoundEvidence['bound'], bound: BoundClass): number {
  return b === bound || (bound === 'mixed' && b === 'cpu') ? 0 : 1;
}

/** The evidence, the handler's class first, without repeats of the same reason at the same place. */
function uniqueEvidence(handler: Handler): BoundEvidence[] {
  const seen = new Set<string>();
  const out: BoundEvidence[] = [];
  for (const e of [...handler.bounds].sort((a, b) => rank(a.bound, handler.bound) - rank(b.bound, handler.bound))) {
    const last = e.chain.at(-1);
    const key = `${e.bound}\0${e.reason}\0${last ? `${last.file}:${last.range.start.line}` : ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}

/** ` — [src/a.ts:12](file:///…/src/a.ts#L12)` for the last hop of the chain; empty without a chain. */
function where(e: BoundEvidence, root: string): string {
  const last = e.chain.at(-1);
  if (!last) return '';
  const line = last.range.start.line + 1;
  return ` — [${escape(`${displayPath(root, last.file)}:${line}`)}](${pathToUri(last.file)}#L${line})`;
}

function contains(range: Range, p: Position): boolean {
  const afterStart = p.line > range.start.line || (p.line === range.start.line && p.character >= range.start.character);
  const beforeEnd = p.line < range.end.line || (p.line === range.end.line && p.character <= range.end.character);
  return afterStart && beforeEnd;
}

/** A rough size of a range, for choosing the narrowest. */
function size(range: Range): number {
  return (range.end.line - range.start.line) * 10_000 + (range.end.character - range.start.character);
}

/** Escapes the characters Markdown would read as formatting or HTML. */
function escape(text: string): string {
  return text.replace(/[\\`*_[\]<>#|~]/g, (c) => `\\${c}`);
}
