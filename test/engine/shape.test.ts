// Whether an edit kept a file's shape (server/src/engine/analysis/shape.ts): only function bodies changed, and
// how the old functions map to the new ones; whether the changed bodies still infer the same return types.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Project, ts } from 'ts-morph';
import type { FunctionNode } from '../../server/src/engine/ast';
import { importerMaySee, inferredReturnTypesMatch, matchShape } from '../../server/src/engine/analysis/shape';

/** Two programs over `before` and `after` as `file`: their source files and checkers (the first kept alive). */
function versions(before: string, after: string, file = '/a.ts') {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { strict: true, allowJs: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts'] } });
  const sf = project.createSourceFile(file, before);
  const p1 = project.getProgram().compilerObject;
  const old = { sf: p1.getSourceFile(file)!, checker: p1.getTypeChecker() };
  sf.replaceWithText(after);
  const p2 = project.getProgram().compilerObject;
  return { old, now: { sf: p2.getSourceFile(file)!, checker: p2.getTypeChecker() } };
}

/** A function's name, or what encloses it: `load`, `load>arrow`. */
function nameOf(fn: FunctionNode): string {
  const own = fn.name && ts.isIdentifier(fn.name) ? fn.name.text : ts.SyntaxKind[fn.kind].replace('Function', '').toLowerCase();
  for (let p = fn.parent; p; p = p.parent) if (ts.isFunctionDeclaration(p) && p.name) return `${p.name.text}>${own}`;
  return own;
}

const BASE = `import { readFileSync } from 'node:fs';
export function load(path: string): string[] {
  return readFileSync(path, 'utf8').split('\\n').map((l) => l.trim());
}
export function count(xs: string[]) {
  return xs.length;
}
export const api = { async get(id: string): Promise<string> { return id; } };
`;

describe('matchShape', () => {
  const cases: { name: string; after: string; file?: string; expected: undefined | { changed: string[]; moved: string[]; names?: string[] } }[] = [
    {
      name: 'an edit inside one body: every function maps, the nested ones of unchanged bodies too',
      after: BASE.replace(".map((l) => l.trim());", ".map((l) => l.trim()).filter(Boolean);"),
      expected: { changed: ['load'], moved: ['load', 'count', 'get'] },
    },
    {
      name: 'an edit in the other body: the arrow nested in `load` maps by position',
      after: BASE.replace('return xs.length;', 'return xs.filter((x) => x).length;'),
      expected: { changed: ['count'], moved: ['load', 'load>arrow', 'count', 'get'] },
    },
    // A declaration that changes is one removed and one added: the importers that name it must be analysed again.
    { name: 'a parameter type changes', after: BASE.replace('count(xs: string[])', 'count(xs: number[])'), expected: { changed: [], moved: ['load', 'load>arrow', 'get'], names: ['count', 'count'] } },
    { name: 'a declared return type changes', after: BASE.replace('Promise<string>', 'Promise<number>'), expected: { changed: [], moved: ['load', 'load>arrow', 'count'], names: ['api', 'api'] } },
    { name: 'comments and blank lines between statements', after: `// header\n\n${BASE.replace('export function count', '/** Counts. */\nexport function count')}`, expected: { changed: [], moved: ['load', 'load>arrow', 'count', 'get'] } },
    { name: 'a function added', after: `${BASE}export function more(): void {}\n`, expected: { changed: [], moved: ['load', 'load>arrow', 'count', 'get'], names: ['more'] } },
    {
      name: 'a function added between two others, and a body changed',
      after: BASE.replace('export function count(', 'function helper(x: number): number {\n  return x;\n}\nexport function count(').replace('return xs.length;', 'return xs.length + 1;'),
      expected: { changed: ['count'], moved: ['load', 'load>arrow', 'count', 'get'], names: ['helper'] },
    },
    { name: 'a function removed', after: BASE.replace(/export function count[^}]*}\n/, ''), expected: { changed: [], moved: ['load', 'load>arrow', 'get'], names: ['count'] } },
    { name: 'an import and a type added', after: `import { join } from 'node:path';\ntype Id = string;\n${BASE}`, expected: { changed: [], moved: ['load', 'load>arrow', 'count', 'get'], names: ['join', 'Id'] } },
    { name: 'a function added that a body already named (it resolves now)', after: `${BASE}export function readFileSync(): void {}\n`, expected: undefined },
    { name: 'a function added under a name the file declares (an overload)', after: `${BASE}export function count(xs: number): number;\n`, expected: undefined },
    { name: 'an export list added', after: `${BASE}export { load as read };\n`, expected: undefined },
    { name: 'a default export added', after: `${BASE}export default function (): void {}\n`, expected: undefined },
    { name: 'a global declaration added', after: `${BASE}declare global { interface Window { x: number } }\n`, expected: undefined },
    { name: 'a declaration added that a changed body names', after: `${BASE}export const SEEN: string[] = [];\n`.replace('return xs.length;', 'SEEN.push(...xs);\n  return xs.length;'), expected: undefined },
    { name: 'the same text', after: BASE, expected: { changed: [], moved: ['load', 'load>arrow', 'count', 'get'] } },
    { name: 'JavaScript (declarations inferred from bodies)', file: '/a.js', after: BASE.replace('return xs.length;', 'return 0;'), expected: undefined },
  ];
  it('a declaration added to a script (its top-level names are global)', () => {
    const { old, now } = versions('function load(): void {}\n', 'function load(): void {}\nfunction helper(): void {}\n');
    assert.equal(matchShape(old.sf, now.sf), undefined);
  });
  it('a body that grows an exported module variable', () => {
    const before = 'export const SEEN: string[] = [];\nexport function note(x: string): void {}\n';
    const { old, now } = versions(before, before.replace('(x: string): void {}', '(x: string): void {\n  SEEN.push(x);\n}'));
    assert.equal(matchShape(old.sf, now.sf), undefined);
  });
  it('the functions before the first change are left in place (same offsets), the ones after it are not', () => {
    const { old, now } = versions(BASE, BASE.replace('return xs.length;', 'return xs.length + 1;'));
    const m = matchShape(old.sf, now.sf)!;
    assert.deepEqual([...m.unshifted].map(nameOf), ['load', 'load>arrow']);
    for (const fn of m.unshifted) assert.equal(m.moved.get(fn)!.pos, fn.pos);
  });
  for (const c of cases) {
    it(c.name, () => {
      const source = c.file ? BASE.replace(/: string\[\]|: string|: Promise<string>/g, '') : BASE;
      const after = c.file ? c.after.replace(/: string\[\]|: string|: Promise<string>/g, '') : c.after;
      const { old, now } = versions(source, after, c.file);
      const m = matchShape(old.sf, now.sf);
      if (!c.expected) return assert.equal(m, undefined);
      assert.ok(m);
      assert.deepEqual(m.changed.map(([a, b]) => [nameOf(a), nameOf(b)]), c.expected.changed.map((n) => [n, n]));
      assert.deepEqual([...m.moved].map(([a]) => nameOf(a)), c.expected.moved);
      assert.deepEqual(m.names, c.expected.names ?? []);
      for (const [a, b] of m.moved) {
        assert.equal(a.getSourceFile(), old.sf);
        assert.equal(b.getSourceFile(), now.sf);
        assert.equal(nameOf(b), nameOf(a));
      }
    });
  }
});

describe('inferredReturnTypesMatch', () => {
  const cases: [string, string, string, boolean][] = [
    ['a declared return type, whatever the body returns', 'function f(): unknown { return 1; }', "function f(): unknown { return 'a'; }", true],
    ['the same inferred type from another body', 'function f() { return [1]; }', 'function f() { const a = [2]; return a; }', true],
    ['a promise no more', 'async function g() {}\nfunction f() { return g(); }', 'async function g() {}\nfunction f() { return [1]; }', false],
    ['an inferred object type that gains a property', 'function f() { return { a: 1 }; }', 'function f() { return { a: 1, b: 2 }; }', false],
    ['a body that declares its own type', 'function f() { interface R { a: number } return {} as R; }', 'function f() { interface R { b: string } return {} as R; }', false],
    ['an inferred type predicate that narrows to another class', 'class A { a = 1 }\nclass B { b = 1 }\nfunction f(r: A | B) { return r instanceof A; }', 'class A { a = 1 }\nclass B { b = 1 }\nfunction f(r: A | B) { return r instanceof B; }', false],
    ['a returned member that is another function of the same signature', 'function fast(x: string[]): number { return 1; }\nfunction slow(x: string[]): number { return 2; }\nfunction f() { return { run: fast }; }', 'function fast(x: string[]): number { return 1; }\nfunction slow(x: string[]): number { return 2; }\nfunction f() { return { run: slow }; }', false],
    ['a constructor (its assignments can type the class’s properties)', 'class S { db; constructor() { this.db = 1; } }', "class S { db; constructor() { this.db = 'a'; } }", false],
  ];
  for (const [name, before, after, expected] of cases) {
    it(`${name} → ${expected}`, () => {
      const { old, now } = versions(before, after);
      const m = matchShape(old.sf, now.sf);
      assert.ok(m, 'the edit keeps the shape');
      assert.equal(inferredReturnTypesMatch(m.changed, old.checker, now.checker), expected);
    });
  }
});

describe('importerMaySee (an importer of a file that gained or lost `pairs`)', () => {
  const cases: [string, string, boolean][] = [
    ['named imports of other names', "import { load } from './rows';\nload();", false],
    ['a named import of it', "import { pairs } from './rows';\npairs([]);", true],
    ['a namespace import read by property', "import * as rows from './rows';\nrows.load();\ntype R = rows.Row;\nrows?.load();", false],
    ['a namespace import read by that property', "import * as rows from './rows';\nrows.pairs([]);", true],
    ['a namespace import used as a value', "import * as rows from './rows';\nObject.values(rows);", true],
    ['a namespace import typed whole', "import * as rows from './rows';\ntype M = typeof rows;", true],
    ['a namespace re-export', "export * as rows from './rows';", true],
    ['a require of another module', "import { load } from './rows';\nconst clone = require('lodash/cloneDeep');", false],
    ['a require of the changed file', "const rows = require('./rows');", true],
    ['an import() by a computed path', "const m = await import(name);", true],
  ];
  for (const [name, text, expected] of cases) {
    it(`${name} → ${expected}`, () => {
      const sf = ts.createSourceFile('/b.ts', text, ts.ScriptTarget.ES2022, true);
      assert.equal(importerMaySee(sf, ['pairs'], (spec) => spec === './rows'), expected);
    });
  }
  // The text would see anything (it requires the changed file whole): with no name added or removed, nothing.
  it('nothing added or removed → false', () => assert.equal(importerMaySee(ts.createSourceFile('/b.ts', "const rows = require('./rows');\nObject.values(rows);", ts.ScriptTarget.ES2022, true), [], () => true), false));
});
