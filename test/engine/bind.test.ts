/**
 * The checker the engine makes for a program (server/src/engine/bind.ts): the files it binds before the checker
 * exists, the declaration modules it binds only when the checker resolves an import of them, and the types that
 * come out the same as through the program's own checker.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { after, describe, it } from 'node:test';
import { ts } from 'ts-morph';
import { bindSteps, checkerOf } from '../../server/src/engine/bind';

const FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, module: 'commonjs', target: 'es2022', types: [] }, include: ['src', 'typings'] }),
  'src/app.ts': "import { crunch } from 'used';\nimport type { Never } from 'unused';\nexport const n = crunch(2);\nexport const g = globalThing;\nexport const u = UmdLib.version;\nexport const s = scriptThing;\nexport type X = Never;\n",
  'node_modules/used/package.json': '{"name":"used","version":"1.0.0","types":"index.d.ts"}',
  'node_modules/used/index.d.ts': 'export declare function crunch(n: number): Promise<number>;\n',
  'node_modules/unused/package.json': '{"name":"unused","version":"1.0.0","types":"index.d.ts"}',
  'node_modules/unused/index.d.ts': 'export type Never = never;\nexport declare const big: string;\n',
  'node_modules/umd/package.json': '{"name":"umd","version":"1.0.0","types":"index.d.ts"}',
  'node_modules/umd/index.d.ts': 'export declare const version: string;\nexport as namespace UmdLib;\n',
  'typings/augment.d.ts': 'export {};\ndeclare global {\n  var globalThing: { ok: true };\n}\n',
  'typings/script.d.ts': 'declare var scriptThing: 42;\n',
  'typings/umd-ref.d.ts': '/// <reference types="umd" />\n',
  // Two packages declaring a `T`, whose union `stableTypeOrdering` orders by file (see the last case).
  'stable/tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, types: [], stableTypeOrdering: true }, files: ['app.ts'] }),
  'stable/app.ts': "import type { T as A } from 'ta';\nimport type { T as B } from 'tb';\ndeclare const x: A | B;\nexport const y = x;\n",
  'stable/node_modules/ta/package.json': '{"name":"ta","version":"1.0.0","types":"index.d.ts"}',
  'stable/node_modules/ta/index.d.ts': 'export interface T { a: 1 }\n',
  'stable/node_modules/tb/package.json': '{"name":"tb","version":"1.0.0","types":"index.d.ts"}',
  'stable/node_modules/tb/index.d.ts': 'export interface T { b: 1 }\n',
};

const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'looplens-bind-'));
for (const [name, text] of Object.entries(FILES)) {
  fs.mkdirSync(nodePath.dirname(nodePath.join(dir, name)), { recursive: true });
  fs.writeFileSync(nodePath.join(dir, name), text);
}

function program(): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(nodePath.join(dir, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  return ts.createProgram(config.fileNames, config.options);
}

const bound = (p: ts.Program, file: string) => (p.getSourceFile(nodePath.join(dir, file)) as { locals?: unknown } | undefined)?.locals !== undefined;

/** The types of app.ts's exported consts, as the checker prints them. */
function exportedTypes(checker: ts.TypeChecker, p: ts.Program): Record<string, string> {
  const sf = p.getSourceFile(nodePath.join(dir, 'src/app.ts'))!;
  const out: Record<string, string> = {};
  for (const s of sf.statements) {
    if (!ts.isVariableStatement(s)) continue;
    for (const d of s.declarationList.declarations) out[d.name.getText(sf)] = checker.typeToString(checker.getTypeAtLocation(d.name));
  }
  return out;
}

describe('the engine checker binds declaration modules when it first resolves them', () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('binds sources, scripts, augmentations and UMD declarations first; a package module when its import is resolved', () => {
    const p = program();
    const checker = checkerOf(p);
    assert.deepEqual(
      Object.fromEntries(['src/app.ts', 'typings/augment.d.ts', 'typings/script.d.ts', 'node_modules/umd/index.d.ts', 'node_modules/used/index.d.ts', 'node_modules/unused/index.d.ts'].map((f) => [f, bound(p, f)])),
      { 'src/app.ts': true, 'typings/augment.d.ts': true, 'typings/script.d.ts': true, 'node_modules/umd/index.d.ts': true, 'node_modules/used/index.d.ts': false, 'node_modules/unused/index.d.ts': false },
    );
    assert.deepEqual(exportedTypes(checker, p), { n: 'Promise<number>', g: '{ ok: true; }', u: 'string', s: '42' });
    assert.equal(bound(p, 'node_modules/used/index.d.ts'), true, 'resolving `crunch` bound its module');
    assert.equal(bound(p, 'node_modules/unused/index.d.ts'), false, 'nothing resolved the type-only import');
  });

  it('gives the types the program’s own checker gives', () => {
    const own = program();
    const expected = exportedTypes(own.getTypeChecker(), own);
    const p = program();
    assert.deepEqual(exportedTypes(checkerOf(p), p), expected);
  });

  it('makes one checker per program, which the program then hands out', () => {
    const p = program();
    const unbound = p.getSourceFiles().filter((sf) => (sf as { locals?: unknown }).locals === undefined).length;
    const steps = [...bindSteps(p, 1)];
    // One step per file bound first: the lib files, app.ts, the typings and umd; not `used` and `unused`.
    assert.equal(steps.length, unbound - 2);
    const checker = p.getTypeChecker();
    assert.equal(checkerOf(p), checker);
    assert.deepEqual([...bindSteps(p, 1)], []);
  });

  it('keeps the checker a caller made while an analysis waited between its binding steps', () => {
    const p = program();
    const steps = bindSteps(p, 1);
    steps.next();
    const early = checkerOf(p);
    while (!steps.next().done);
    assert.equal(checkerOf(p), early);
  });

  it('binds every file first under stableTypeOrdering, which orders types by the files the checker was made with', () => {
    // In a child: the lazily made checker looped forever ordering the union.
    const code = `
const { ts } = require('ts-morph');
const { checkerOf } = require(${JSON.stringify(nodePath.join(__dirname, '../../server/src/engine/bind.ts'))});
const config = ts.getParsedCommandLineOfConfigFile(${JSON.stringify(nodePath.join(dir, 'stable/tsconfig.json'))}, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
const typeOfY = (p, checker) => checker.typeToString(checker.getTypeAtLocation(p.getSourceFile(config.fileNames[0]).statements[3].declarationList.declarations[0].name));
const own = ts.createProgram(config.fileNames, config.options);
const p = ts.createProgram(config.fileNames, config.options);
process.stdout.write(JSON.stringify([typeOfY(own, own.getTypeChecker()), typeOfY(p, checkerOf(p))]));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr || `ended by ${r.signal}`);
    const [own, engine] = JSON.parse(r.stdout) as string[];
    assert.equal(engine, own);
    assert.equal(own, 'T | T');
  });
});
