// Whether a call's value is a promise (server/src/engine/resolve.ts#returnsPromise): from the callee's declared
// return types when they settle it, from the call's own type when they do not.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Project, ts } from 'ts-morph';
import { returnsPromise } from '../../server/src/engine/resolve';

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
