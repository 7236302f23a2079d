/**
 * Functions passed by property reference (`items.map(h.score)`) are followed only when a project declaration
 * can give a function that name (server/src/engine/analysis/function-names.ts): the names discovery collects
 * per kind of declaration, and calls still followed through a re-export under another name and through
 * computed names.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ts } from 'ts-morph';
import { FunctionNameScan } from '../../server/src/engine/discovery/function-names';
import { APP, APP_LINES } from '../rules/prelude';
import { analyzeFolder, writeCases } from '../rules/ruleTester';

function namesIn(code: string): string[] {
  const sf = ts.createSourceFile('x.ts', code, ts.ScriptTarget.Latest, true);
  const scan = new FunctionNameScan();
  const visit = (n: ts.Node): void => {
    scan.visit(n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return [...[...scan.names].sort(), ...(scan.computed ? ['<computed>'] : [])];
}

describe('function names', () => {
  const cases: [string, string, string[]][] = [
    ['function declaration', 'function score(a: number) { return a; }', ['score']],
    ['default export function', 'export default function () {}', ['default']],
    ['export assignment', 'const f = () => 1;\nexport default f;', ['default', 'f']],
    ['arrow and function expression in variables', 'const a = () => 1, b = function () {}, c = 3;', ['a', 'b']],
    ['wrapped function in a variable', 'const handler = wrap(async () => 1);', ['handler']],
    ['class: method, accessors, arrow property, constructor', 'class S { constructor() {} run() {} get size() { return 1; } onMessage = (m: string) => m; n = 1; #hidden() {} }', ['#hidden', 'onMessage', 'run', 'size']],
    ['computed names: a well-known symbol names no property', 'class It { [Symbol.iterator]() { return [][Symbol.iterator](); } }', []],
    ['computed names: literal, and any other expression', "const K = 'k';\nclass C { ['go']() {} [1]() {} }\nconst o = { [K]: () => 1, [K + 'x']: 2 };", ['1', 'go', '<computed>']],
    ['object literal: method, function property, quoted name, shorthand', "const o = { list() {}, 'get-one': () => 1, count: 2, x };", ['get-one', 'list']],
    ['re-export under another name', "export { rank as score } from './rank';", ['rank', 'score']],
    ['types only', 'interface I { run(): void; size: number }\ntype T = { go: () => void };', []],
  ];
  for (const [name, code, expected] of cases) {
    it(name, () => assert.deepEqual(namesIn(code), expected));
  }

  it('a function passed by a property renamed on re-export, or under a computed name, is still followed', () => {
    const { dirs } = writeCases(
      [
        {
          name: 'renamed',
          code: `${APP}import * as h from './helpers';
import { packer, tools } from './tools';
app.get('/scores', (req, res) => res.json(req.body.items.map(h.score)));
app.get('/packed', (req, res) => res.json(req.body.items.map(packer.pack)));
app.get('/zipped', (req, res) => res.json(req.body.items.map(tools.zip)));
app.listen(1);
`,
          files: {
            'rank.ts': `import { gzipSync } from 'node:zlib';
export function rank(id: string): number {
  return gzipSync(id).length;
}
`,
            'helpers.ts': `export { rank as score } from './rank';
`,
            'tools.ts': `import { deflateSync, gzipSync } from 'node:zlib';
const KEY = 'zip';
export const packer = { ['pack'](s: string): number { return deflateSync(s).length; } };
export const tools = { [KEY]: (s: string): number => gzipSync(s).length };
`,
          },
        },
      ],
      'function-names',
    );
    const dir = dirs[0]!;
    const result = analyzeFolder(dir);
    const found = result.findings.map((f) => `${f.ruleId} ${path.relative(dir, f.location.file)}:${f.location.range.start.line + 1} ${f.handler?.label}`);
    assert.deepEqual(found, [
      'blocking-cpu/sync-call rank.ts:3 GET /scores',
      'blocking-cpu/sync-call tools.ts:3 GET /packed',
      'blocking-cpu/sync-call tools.ts:4 GET /zipped',
    ]);
    assert.deepEqual(
      result.findings[0]!.chain.map((c) => `${c.label} @ ${path.relative(dir, c.file)}:${c.range.start.line + 1}`),
      [`GET /scores @ server.ts:${APP_LINES + 3}`, `calls h.score @ server.ts:${APP_LINES + 3}`, 'gzipSync (node:zlib) @ rank.ts:3'],
    );
  });
});
