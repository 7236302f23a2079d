import type { AnalysisResult, ChainHop, Finding, Handler, Location } from '../engine/types';
import { displayPath } from './paths';

/**
 * A copy of `result` in which every file path (locations, chains, handler ids and domains, skipped files,
 * `files`) is relative to `base` with forward slashes (`../` for files outside it). Handler ids
 * (`file:line:character`) keep their suffix.
 */
export function relativizeResult(result: AnalysisResult, base: string): AnalysisResult {
  const path = (file: string) => displayPath(base, file);
  const loc = <T extends Location>(l: T): T => ({ ...l, file: path(l.file) });
  const hops = (hs: ChainHop[]) => hs.map(loc);
  const id = (handlerId: string) => {
    const m = /^(.*)(:\d+:\d+)$/.exec(handlerId);
    return m ? path(m[1]!) + m[2] : handlerId;
  };
  const handler = (h: Handler): Handler => ({
    ...h,
    id: id(h.id),
    registration: loc(h.registration),
    ...(h.body ? { body: loc(h.body) } : {}),
    bounds: h.bounds.map((b) => ({ ...b, chain: hops(b.chain) })),
    domain: path(h.domain),
  });
  const finding = (f: Finding): Finding => ({
    ...f,
    location: loc(f.location),
    ...(f.handler ? { handler: { ...f.handler, id: id(f.handler.id), registration: loc(f.handler.registration) } } : {}),
    chain: hops(f.chain),
    related: hops(f.related),
  });
  return {
    handlers: result.handlers.map(handler),
    findings: result.findings.map(finding),
    skipped: result.skipped.map((s) => ({ ...s, file: path(s.file) })),
    files: result.files.map(path),
  };
}
