// Reports written in pieces (server/src/report/pieces.ts): the pieces join to exactly JSON.stringify's text,
// batches stay near their size, and the CLI's JSON, SARIF and --output reports are the renderers' text.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderReport, reportPieces } from '../../server/src/report';
import { jsonPieces, writePieces } from '../../server/src/report/pieces';
import { writeOutput } from '../../server/src/cli/output';
import { fakeEngine, runCli, sampleResult, tempProject } from './helpers';

const deep = { a: { b: { c: { d: { e: [1, { f: [2, 3] }] } } } } };
const CASES: [string, unknown][] = [
  ['empty object and array', { a: {}, b: [], c: [[]], d: [{}] }],
  ['scalars at the top', 'text'],
  ['null, booleans, numbers', [null, true, false, 0, -1.5, 1e21, NaN, Infinity]],
  ['non-Latin-1 text and escapes', { message: 'POST /upload → sha256 ≤ 1 MB, "quoted"\n\ttab\u2028' }],
  ['left-out members: undefined, functions, symbols', { a: undefined, b: () => 1, c: Symbol('s'), d: 1, e: [undefined, () => 1, Symbol('t')] }],
  ['an object whose first members are left out', { a: undefined, b: 2 }],
  ['an object with only left-out members', { a: undefined }],
  ['toJSON, with its key', { when: new Date(0), custom: { toJSON: (key: string) => `key:${key}` }, list: [{ toJSON: (key: string) => key }] }],
  ['objects JSON.stringify writes itself: Map, boxed values', { m: new Map([[1, 2]]), s: Object('boxed'), n: Object(5) }],
  ['nesting deeper than the walked depth', deep],
  ['a prototype-less object', Object.assign(Object.create(null), { x: 1, y: [1] })],
  ['toJSON results are not converted again: a Date, one with its own toJSON, undefined', {
    a: { toJSON: () => new Date(0) },
    b: { toJSON: () => ({ toJSON: () => 1, z: 2 }) },
    c: { toJSON: () => ({ toJSON: () => undefined }) },
    d: { toJSON: () => undefined },
    e: [{ toJSON: () => new Date(0) }],
    f: { g: { h: { i: { toJSON: () => ({ toJSON: () => 1, z: 2 }) } } } },
  }],
  ['a top-level toJSON returning a Date', { toJSON: () => new Date(0) }],
];

describe('jsonPieces', () => {
  for (const [name, value] of CASES) {
    it(name, () => {
      assert.equal([...jsonPieces(value)].join(''), JSON.stringify(value, null, 2));
    });
  }

  it("BigInt's toJSON, with its key", () => {
    const proto = BigInt.prototype as unknown as { toJSON?: (key: string) => unknown };
    proto.toJSON = function (key: string) {
      return key === 'gone' ? undefined : `${String(this)}@${key}`;
    };
    try {
      const value = { a: 1n, gone: 2n, list: [3n], deep: { b: { c: { d: { e: 4n } } } } };
      assert.equal([...jsonPieces(value)].join(''), JSON.stringify(value, null, 2));
    } finally {
      delete proto.toJSON;
    }
  });

  it('a value JSON.stringify leaves out gives no piece', () => {
    assert.deepEqual([...jsonPieces(undefined)], []);
    assert.deepEqual([...jsonPieces(() => 1)], []);
  });

  it('a report comes out a finding at a time, not whole', () => {
    const result = sampleResult('/work/app');
    const pieces = [...reportPieces('json', result, '/work/app', { toolVersion: '0' })];
    const text = renderReport('json', result, '/work/app', { toolVersion: '0' });
    assert.equal(pieces.join(''), text);
    assert.ok(pieces.length > result.findings.length, `${pieces.length} pieces`);
    assert.ok(Math.max(...pieces.map((p) => p.length)) < text.length / 2);
  });

  it('throws as JSON.stringify does for a cycle', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = { again: cycle };
    assert.throws(() => [...jsonPieces(cycle)], TypeError);
  });
});

describe('writePieces', () => {
  it('joins pieces into batches of about 64 Ki characters, in order', () => {
    const pieces = Array.from({ length: 3000 }, (_, i) => `${i}:${'x'.repeat(100)}\n`);
    const batches: string[] = [];
    writePieces(pieces, (b) => batches.push(b));
    assert.equal(batches.join(''), pieces.join(''));
    assert.equal(batches.length, 5);
    for (const b of batches.slice(0, -1)) assert.ok(b.length >= 1 << 16 && b.length < (1 << 16) + 200, `${b.length}`);
  });

  it('writes nothing for no pieces or empty ones', () => {
    const batches: string[] = [];
    writePieces(['', ''], (b) => batches.push(b));
    writePieces([], (b) => batches.push(b));
    assert.deepEqual(batches, []);
  });
});

describe('the CLI writes reports in pieces', () => {
  for (const format of ['json', 'sarif'] as const) {
    it(`${format}: stdout is the whole pretty-printed report, and --output writes the same bytes`, async () => {
      const dir = tempProject({ 'a.ts': 'BAD(1);\nALL(2);\n', 'b.ts': 'NOTE(3); // → ≤ non-Latin-1\n' });
      const { engine } = fakeEngine();
      const r = await runCli(['audit', '.', '--format', format], { cwd: dir, engine });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, `${JSON.stringify(JSON.parse(r.stdout), null, 2)}\n`);
      const toFile = await runCli(['audit', '.', '--format', format, '--output', 'out/report.json'], { cwd: dir, engine });
      assert.equal(toFile.code, 1, toFile.stderr);
      assert.equal(readFileSync(join(dir, 'out', 'report.json'), 'utf8'), r.stdout);
    });
  }
});

describe('writeOutput', () => {
  it('a report that fails to build leaves the file it would replace as it was', () => {
    const file = join(tempProject({ 'report.json': 'PREVIOUS REPORT' }), 'report.json');
    function* failing(): Generator<string> {
      throw new TypeError('no report');
    }
    assert.throws(() => writeOutput(file, 'report.json', failing()), TypeError);
    assert.equal(readFileSync(file, 'utf8'), 'PREVIOUS REPORT');
    writeOutput(file, 'report.json', ['{', '}\n']);
    assert.equal(readFileSync(file, 'utf8'), '{}\n');
  });

  it('a file that cannot be written: a usage error naming it', () => {
    const dir = tempProject({ 'a-file': '' });
    writeFileSync(join(dir, 'a-file'), 'x');
    assert.throws(() => writeOutput(join(dir, 'a-file', 'report.json'), 'out/report.json', ['{}']), /^UsageError: cannot write out\/report\.json: /);
  });
});
