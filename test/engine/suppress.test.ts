// Suppression comments: which texts are directives, what each names, and which findings each silences.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ts } from 'ts-morph';
import { findDirectives, Suppressions } from '../../server/src/engine/suppress';

const parse = (text: string) => ts.createSourceFile('/p/a.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
const at = (line: number, character = 2) => ({ line, character });

describe('findDirectives', () => {
  it('reads kind, rules and the reason after --, in // and /* */ comments', () => {
    const sf = parse(
      [
        'f(); // looplens-disable-line blocking-cpu/sync-call, unbounded-fanout -- startup only',
        '/* looplens-disable-next-line -- every rule */',
        '/* looplens-disable blocking-cpu */',
        '/* looplens-enable */',
      ].join('\n'),
    );
    assert.deepEqual(
      findDirectives(sf).map((d) => [d.kind, d.rules, d.reason ?? null, d.text, d.range.start.line, d.range.start.character]),
      [
        ['disable-line', ['blocking-cpu/sync-call', 'unbounded-fanout'], 'startup only', 'looplens-disable-line blocking-cpu/sync-call, unbounded-fanout', 0, 5],
        ['disable-next-line', [], 'every rule', 'looplens-disable-next-line', 1, 0],
        ['disable', ['blocking-cpu'], null, 'looplens-disable blocking-cpu', 2, 0],
        ['enable', [], null, 'looplens-enable', 3, 0],
      ],
    );
  });

  it('ignores the words in strings, templates, regexes, JSX text, and not at the start of a comment', () => {
    const sf = ts.createSourceFile(
      '/p/a.tsx',
      [
        "const a = '// looplens-disable-next-line';",
        'const b = `/* looplens-disable */`;',
        'const c = /looplens-enable/;',
        'const d = <p>// looplens-disable-line</p>;',
        '// see looplens-disable-next-line in the docs',
        '// looplens-disable-next-liner x',
      ].join('\n'),
      ts.ScriptTarget.Latest,
      true,
      ts.ScriptKind.TSX,
    );
    assert.deepEqual(findDirectives(sf), []);
  });
});

describe('Suppressions', () => {
  it('next-line covers only the next line; rule ids and families match, other rules do not', () => {
    const sf = parse('// looplens-disable-next-line blocking-cpu\nx();\ny();\n');
    const s = new Suppressions();
    assert.equal(s.suppresses(sf, at(1), 'unbounded-fanout/promise-all'), false);
    assert.equal(s.unused(sf).length, 1);
    assert.equal(s.suppresses(sf, at(2), 'blocking-cpu/sync-call'), false);
    assert.equal(s.suppresses(sf, at(1), 'blocking-cpu/sync-call'), true);
    assert.deepEqual(s.unused(sf), []);
  });

  it('a block runs from its comment to looplens-enable, or to the end of the file without one', () => {
    const sf = parse(
      ['a();', '/* looplens-disable blocking-cpu/redos */', 'b();', '/* looplens-enable blocking-cpu/redos */', 'c();', '/* looplens-disable */', 'd();'].join('\n'),
    );
    const s = new Suppressions();
    assert.deepEqual(
      [0, 2, 4, 6].map((line) => s.suppresses(sf, at(line, 0), 'blocking-cpu/redos')),
      [false, true, false, true],
    );
  });

  it('looplens-enable <rule> ends only the disables naming that rule', () => {
    const sf = parse(['/* looplens-disable blocking-cpu */', '/* looplens-disable unbounded-fanout */', '/* looplens-enable unbounded-fanout */', 'x();'].join('\n'));
    const s = new Suppressions();
    assert.equal(s.suppresses(sf, at(3, 0), 'unbounded-fanout/loop-push'), false);
    assert.equal(s.suppresses(sf, at(3, 0), 'blocking-cpu/data-loop'), true);
    assert.deepEqual(s.unused(sf).map((d) => d.text), ['looplens-disable unbounded-fanout']);
  });
});
