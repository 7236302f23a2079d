/**
 * Functions passed by property reference (`items.map(h.score)`) are followed only when a project declaration
 * can give a function that name (server/src/engine/analysis/function-names.ts): the names discovery collects,
 * and the calls still followed through every kind of declaration that can carry one.
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
  return [...scan.names].sort();
}

describe('function names', () => {
  const cases: [string, string, string[]][] = [
    ['function declaration', 'function score(a: number) { return a; }', ['score']],
    ['default export function', 'export default function () {}', ['default']],
    ['export assignment', 'const f = () => 1;\nexport default f;', ['default', 'f']],
    ['arrow and function expression in variables', 'const a = () => 1, b = function () {}, c = 3;', ['a', 'b']],
    ['wrapped function in a variable', 'const handler = wrap(async () => 1);', ['handler']],
    ['class: method, accessors, arrow property, constructor', 'class S { constructor() {} run() {} get size() { return 1; } onMessage = (m: string) => m; n = 1; #hidden() {} }', ['#hidden', 'constructor', 'onMessage', 'run', 'size']],
    ['object literal: method, function property, quoted name, shorthand', "const o = { list() {}, 'get-one': () => 1, count: 2, x };", ['get-one', 'list']],
    ['re-export under another name', "export { rank as score } from './rank';", ['rank', 'score']],
    ['types only', 'interface I { run(): void; size: number }\ntype T = { go: () => void };', []],
  ];
  for (const [name, code, expected] of cases) {
    it(name, () => assert.deepEqual(namesIn(code), expected));
  }

  it('a function passed by a property renamed on re-export is still followed; other property arguments are not', () => {
    const { dirs } = writeCases(
      [
        {
          name: 'renamed',
          code: `${APP}import * as h from './helpers';
app.get('/scores', (req, res) => res.json(req.body.items.map(h.score)));
app.get('/lengths', (req, res) => res.json(req.body.items.map(h.size)));
app.listen(1);
`,
          files: {
            'rank.ts': `import { gzipSync } from 'node:zlib';
export function rank(id: string): number {
  return gzipSync(id).length;
}
`,
            'helpers.ts': `export { rank as score } from './rank';
export const size = { of: (s: string) => s.length };
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
    ]);
    assert.deepEqual(
      result.findings[0]!.chain.map((c) => `${c.label} @ ${path.relative(dir, c.file)}:${c.range.start.line + 1}`),
      [`GET /scores @ server.ts:${APP_LINES + 2}`, `calls h.score @ server.ts:${APP_LINES + 2}`, 'gzipSync (node:zlib) @ rank.ts:3'],
    );
  });
});
