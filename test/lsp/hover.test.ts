// The hover's pure parts on hand-built handlers: which handler is under the cursor, and the Markdown it shows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BoundEvidence, Handler, Location } from '../../server/src/engine/types';
import { handlerAt, handlerHover, MAX_EVIDENCE } from '../../server/src/hover';

const ROOT = '/work/app';
const SERVER = `${ROOT}/src/server.ts`;
const HELPER = `${ROOT}/src/lib/report.ts`;

function at(file: string, line: number, character: number, endLine = line, endCharacter = character + 10): Location {
  return { file, range: { start: { line, character }, end: { line: endLine, character: endCharacter } } };
}

function evidence(bound: BoundEvidence['bound'], reason: string, last: Location): BoundEvidence {
  return { bound, reason, chain: [{ ...at(SERVER, 9, 0), label: 'POST /reports' }, { ...last, label: reason }] };
}

const REPORTS: Handler = {
  id: `${SERVER}:10:1`,
  kind: 'express',
  label: 'POST /reports',
  registration: at(SERVER, 9, 0, 9, 20),
  body: at(SERVER, 9, 22, 14, 1),
  bounds: [
    evidence('io', 'await db.query', at(SERVER, 10, 8)),
    evidence('cpu', 'nested loop over rows × columns', at(HELPER, 21, 2)),
    evidence('cpu', 'JSON.stringify of a result-sized value', at(SERVER, 12, 4)),
    evidence('cpu', 'nested loop over rows × columns', at(HELPER, 21, 2)), // reached a second way
  ],
  bound: 'mixed',
  domain: `${ROOT}/src/main.ts`,
};

const HEALTH: Handler = {
  id: `${SERVER}:20:1`,
  kind: 'express',
  label: 'GET /health',
  registration: at(SERVER, 19, 0, 19, 18),
  body: at(SERVER, 20, 0, 22, 1),
  bounds: [],
  bound: 'none',
  domain: `${ROOT}/src/main.ts`,
};

describe('handlerHover', () => {
  it('shows label, kind, bound class, evidence with root-relative file:line links, and the domain', () => {
    assert.equal(
      handlerHover(REPORTS, ROOT),
      [
        '**POST /reports** · Express route',
        '',
        'Bound: **`mixed`** (`cpu` + `io`): computes on the event loop and also waits on I/O or the thread pool; while it computes, every other handler in the process waits.',
        '',
        'Evidence:',
        '',
        '- `cpu` nested loop over rows × columns — [src/lib/report.ts:22](file:///work/app/src/lib/report.ts#L22)',
        '- `cpu` JSON.stringify of a result-sized value — [src/server.ts:13](file:///work/app/src/server.ts#L13)',
        '- `io` await db.query — [src/server.ts:11](file:///work/app/src/server.ts#L11)',
        '',
        'Event-loop domain: `main.ts`',
      ].join('\n'),
    );
  });

  it('a `cpu` handler names its other classes after `also`', () => {
    const md = handlerHover({ ...REPORTS, bounds: [evidence('memory', 'Buffer.concat holds the whole body', at(SERVER, 11, 2)), ...REPORTS.bounds.slice(1)], bound: 'cpu' }, ROOT);
    assert.match(md, /^Bound: \*\*`cpu`\*\* \(also `memory`\): holds the event loop while it computes/m);
    assert.match(md, /Evidence:\n\n- `cpu` nested loop/);
  });

  it('a handler without evidence is bound `none` and shows no evidence list', () => {
    const md = handlerHover(HEALTH, ROOT);
    assert.match(md, /^Bound: \*\*`none`\*\*: nothing measurable/m);
    assert.doesNotMatch(md, /Evidence/);
  });

  it(`shows at most ${MAX_EVIDENCE} pieces of evidence and counts the rest`, () => {
    const many = Array.from({ length: MAX_EVIDENCE + 3 }, (_, i) => evidence('io', `await call${i}()`, at(SERVER, 30 + i, 2)));
    const md = handlerHover({ ...REPORTS, bounds: many, bound: 'io' }, ROOT);
    assert.equal(md.match(/^- `io`/gm)?.length, MAX_EVIDENCE);
    assert.match(md, /^- … and 3 more$/m);
  });

  it('escapes Markdown in labels and reasons; names worker domains; files outside the root are ../ paths', () => {
    const md = handlerHover(
      {
        ...REPORTS,
        kind: 'bullmq',
        label: 'Worker "digest_*"',
        bounds: [evidence('threadpool', 'crypto.pbkdf2 <async>', at('/work/shared/hash.ts', 4, 0))],
        bound: 'threadpool',
        domain: `worker:${ROOT}/src/worker.ts`,
      },
      ROOT,
    );
    assert.match(md, /^\*\*Worker "digest\\_\\\*"\*\* · BullMQ processor$/m);
    assert.match(md, /^- `threadpool` crypto\.pbkdf2 \\<async\\> — \[\.\.\/shared\/hash\.ts:5\]\(file:\/\/\/work\/shared\/hash\.ts#L5\)$/m);
    assert.match(md, /^Event-loop domain: `worker worker\.ts`$/m);
  });
});

describe('handlerAt', () => {
  const handlers = [REPORTS, HEALTH];

  it('finds the handler whose registration is under the cursor, with the registration as the range', () => {
    assert.deepEqual(handlerAt(handlers, SERVER, { line: 9, character: 5 }), { handler: REPORTS, range: REPORTS.registration.range });
    assert.equal(handlerAt(handlers, SERVER, { line: 19, character: 18 })?.handler, HEALTH, 'the end of the range counts');
  });

  it('finds the handler whose body starts on the line, anywhere on it', () => {
    assert.deepEqual(handlerAt(handlers, SERVER, { line: 20, character: 40 }), { handler: HEALTH });
  });

  it('nothing elsewhere, in the body past its first line, or in another file', () => {
    assert.equal(handlerAt(handlers, SERVER, { line: 11, character: 0 }), undefined);
    assert.equal(handlerAt(handlers, SERVER, { line: 21, character: 0 }), undefined);
    assert.equal(handlerAt(handlers, HELPER, { line: 9, character: 5 }), undefined);
  });

  it('the narrowest registration wins when they nest', () => {
    const router: Handler = { ...HEALTH, id: 'router', label: 'router', registration: at(SERVER, 5, 0, 25, 0) };
    assert.equal(handlerAt([router, ...handlers], SERVER, { line: 9, character: 5 })?.handler, REPORTS);
  });
});
