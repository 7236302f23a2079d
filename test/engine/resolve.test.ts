// Whether a call's value is a promise (server/src/engine/resolve.ts#returnsPromise): from the callee's declared
// return types when they settle it, from the call's own type when they do not.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Project, ts } from 'ts-morph';
import { resolveCallee, returnsPromise } from '../../server/src/engine/resolve';
import { watchedChecker } from './checker-calls';

const PRELUDE = `declare function plain(): Promise<number>;
declare function generic<T>(x: T): Promise<T>;
declare function id<T>(x: T): T;
declare function over(x: string): Promise<string>;
declare function over(x: number): number;
declare const maybe: (() => Promise<void>) | undefined;
declare const sync: () => number;
`;

/** returnsPromise of the call `expr`, typed in a program after the prelude. */
function isPromise(expr: string): boolean {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { strict: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts'] } });
  const sf = project.createSourceFile('/a.ts', `${PRELUDE}const v = ${expr};\n`).compilerNode;
  const checker = project.getProgram().compilerObject.getTypeChecker();
  const init = (sf.statements.at(-1) as ts.VariableStatement).declarationList.declarations[0]!.initializer!;
  return returnsPromise(checker, init);
}

describe('returnsPromise', () => {
  const cases: [string, boolean][] = [
    ['plain()', true],
    ['generic(1)', true],
    ['id(Promise.resolve(1))', true],
    ['id(1)', false],
    ["over('a')", true],
    ['over(1)', false],
    ['maybe?.()', true],
    ['sync()', false],
  ];
  for (const [expr, expected] of cases) it(`${expr} → ${expected}`, () => assert.equal(isPromise(expr), expected));
});

/** resolveCallee of the last statement's call, in a program of `files` (paths → text) with `/main.ts` last. */
function callee(files: Record<string, string>, main: string): unknown {
  return resolved(files, main).info;
}

/** `/main.ts` after `files` (paths → text) in an in-memory program, and its checker. */
function program(files: Record<string, string>, main: string): { sf: ts.SourceFile; checker: ts.TypeChecker } {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { strict: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts'], types: [] } });
  for (const [path, text] of Object.entries(files)) project.createSourceFile(path, text);
  const sf = project.createSourceFile('/main.ts', main).compilerNode;
  return { sf, checker: project.getProgram().compilerObject.getTypeChecker() };
}

/** {@link callee}, and how many times it had the checker choose an overload (`getResolvedSignature`). */
function resolved(files: Record<string, string>, main: string): { info: unknown; overloadResolutions: number } {
  const { sf, checker } = program(files, main);
  let overloadResolutions = 0;
  const counting = watchedChecker(checker, (method) => {
    if (method === 'getResolvedSignature') overloadResolutions++;
  });
  const call = (sf.statements.at(-1) as ts.ExpressionStatement).expression as ts.CallExpression;
  const info = resolveCallee(counting, call);
  // Without the keys set to undefined.
  return { info: info && JSON.parse(JSON.stringify({ ...info, ...(info.body ? { body: info.body.getText() } : {}) })), overloadResolutions };
}

describe('resolveCallee over overloads', () => {
  const NODE_FS = `declare module 'fs' {
  export function readFile(path: string, cb: (e: unknown, d: string) => void): void;
  export function readFile(path: string, enc: string, cb: (e: unknown, d: string) => void): void;
}`;
  it('a builtin overloaded function: its name and module, whichever overload the call picks', () => {
    const files = { '/node_modules/@types/node/fs.d.ts': NODE_FS };
    const main = `import * as fs from 'fs';\nfs.readFile('a', 'utf8', () => {});\n`;
    assert.deepEqual(resolved(files, main), { info: { name: 'readFile', nodeModule: 'fs' }, overloadResolutions: 0 });
  });
  it('a property a mapped type made from overloads: its own signature, not the builtin', () => {
    const files = { '/node_modules/@types/node/fs.d.ts': NODE_FS };
    const main = `import * as fs from 'fs';
type Promised<T> = { [K in keyof T]: T[K] extends (...a: infer A) => unknown ? (...a: A) => Promise<void> : T[K] };
declare const pfs: Promised<typeof fs>;
pfs.readFile('a', () => {});
`;
    assert.deepEqual(callee(files, main), { name: 'readFile' });
  });
  it('overloads merged from two packages: the package of the overload the call picks', () => {
    const files = {
      '/node_modules/a/index.d.ts': `export declare function run(x: string): void;\nexport declare function run(x: string, y: string): void;`,
      '/node_modules/b/index.d.ts': `export {};\ndeclare module 'a' { function run(x: number): void; }`,
    };
    assert.deepEqual(callee(files, `import 'b';\nimport { run } from 'a';\nrun(1);\n`), { name: 'run', packageName: 'b' });
    assert.deepEqual(callee(files, `import 'b';\nimport { run } from 'a';\nrun('s');\n`), { name: 'run', packageName: 'a' });
  });
  it('a call signature two values share: each call named after its own value, in either order', () => {
    // The declaration's description is kept per declaration and shared by every call site resolved to it.
    const files = { '/node_modules/@types/node/fs.d.ts': `declare module 'fs' {\n  interface StatFn { (p: string): number }\n  export const statSync: StatFn;\n  export const lstatSync: StatFn;\n}` };
    for (const order of [['statSync', 'lstatSync'], ['lstatSync', 'statSync']]) {
      const { sf, checker } = program(files, `import * as fs from 'fs';\n${order.map((f) => `fs.${f}('a');`).join('\n')}\n`);
      const names = sf.statements.slice(1).map((s) => resolveCallee(checker, (s as ts.ExpressionStatement).expression as ts.CallExpression));
      assert.deepEqual(names.map((i) => i && { ...i }), order.map((name) => ({ name, nodeModule: 'fs' })));
    }
  });
  it('project overloads: the implementation', () => {
    const main = `function f(x: string): string;\nfunction f(x: number): number;\nfunction f(x: any) { return x; }\nf(1);\n`;
    assert.deepEqual(callee({}, main), { name: 'f', body: 'function f(x: any) { return x; }' });
  });
});
