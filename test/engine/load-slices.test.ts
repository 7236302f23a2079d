// The editor's load of a folder runs in slices to its end (server/src/engine/preload.ts, ./bind.ts): the files a
// program takes in besides the project's own are parsed before `ts.createProgram`, and every file is bound before
// the checker is made, so neither of those single calls does that work any more. Counted here by the work itself
// (files parsed inside createProgram, files left unbound), never by time.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ts, type Project } from 'ts-morph';
import { normalizePath } from '../../server/src/engine/ast';
import { bindSteps } from '../../server/src/engine/bind';
import { preloadSteps } from '../../server/src/engine/preload';
import { loadFilesProject, loadProject } from '../../server/src/engine/project';
import { runSync } from '../../server/src/engine/steps';

const REPO = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** Writes files (path relative to `dir` → text) into `dir`, making their folders. */
function writeTree(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

/** A temporary folder of its own, removed after the test: the programs of the other cases must not see its files. */
function ownFolder(t: TestContext, name: string): string {
  const dir = normalizePath(mkdtempSync(join(tmpdir(), `looplens-load-${name}-`)));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let root = '';

describe('the load in slices', () => {
  before(() => {
    root = normalizePath(mkdtempSync(join(tmpdir(), 'looplens-load-slices-')));
    writeTree(root, {
      'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, types: ['node'] }, include: ['src'] }),
      'src/app.ts':
        "import express from 'express';\nimport { readFileSync } from 'node:fs';\nimport { total } from './total';\nconst app = express();\napp.get('/t', (_req, res) => { res.json(total(JSON.parse(readFileSync('/x', 'utf8')))); });\n",
      'src/total.ts': 'export function total(xs: number[]): number {\n  let n = 0;\n  for (const x of xs) n += x;\n  return n;\n}\n',
    });
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('after the preload, the program parses no file, and takes in the same files as without it', () => {
    const plain = loadProject(root, []).project;
    const without = plain.getProgram().compilerObject.getSourceFiles().map((sf) => sf.fileName).sort();
    const { project } = loadProject(root, []);
    // ts-morph's cache holds a file once parsed; the program's host takes it from there.
    const parsed = () => without.filter((f) => project.getSourceFile(f) !== undefined).length;
    assert.equal(parsed(), 2, 'before: the project files');
    assert.ok(without.length > 100, `express, @types/node and the lib files: ${without.length} files`);
    let steps = 0;
    for (const _ of preloadSteps(project, 2)) steps++;
    assert.equal(parsed(), without.length, 'after: every file of the program');
    assert.ok(steps >= without.length, `a step per file at least (${steps})`);
    assert.deepEqual(project.getProgram().compilerObject.getSourceFiles().map((sf) => sf.fileName).sort(), without);
    assert.deepEqual(project.getSourceFiles().map((sf) => sf.getBaseName()).sort(), ['app.ts', 'total.ts'], 'the preloaded files are not project files');
    // The programs after an edit have every cached file as a root: the first one must have the same roots, or
    // the first edit's program cannot reuse its structure.
    const first = project.getProgram().compilerObject;
    const app = project.getSourceFileOrThrow(join(root, 'src', 'app.ts'));
    project.createSourceFile(app.getFilePath(), `${app.getFullText()}// edited\n`, { overwrite: true });
    assert.deepEqual(first.getRootFileNames(), project.getProgram().compilerObject.getRootFileNames());
  });

  it('under nodenext, with a package typed per module format and an untyped one, the same files as without it', () => {
    const nodenext = join(root, 'nodenext');
    writeTree(nodenext, {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: ['node'] }, include: ['src'] }),
      'package.json': JSON.stringify({ name: 'nodenext', type: 'commonjs' }),
      'node_modules/dual/package.json': JSON.stringify({ name: 'dual', version: '1.0.0', exports: { '.': { import: { types: './index.d.mts' }, require: { types: './index.d.cts' } } } }),
      'node_modules/dual/index.d.mts': 'export declare function esm(): string;\n',
      'node_modules/dual/index.d.cts': 'export declare function cjs(): string;\n',
      'node_modules/untyped/package.json': JSON.stringify({ name: 'untyped', version: '1.0.0', main: 'index.js' }),
      'node_modules/untyped/index.js': "module.exports = require('./dep');\n",
      'node_modules/untyped/dep.js': 'module.exports = function dep() {};\n',
      'src/app.ts': "import express from 'express';\nimport { cjs } from 'dual';\nimport untyped = require('untyped');\nexport const app = express();\napp.get('/', (_req, res) => { untyped(); res.send(cjs()); });\n",
    });
    // ts-morph makes every file of its cache a root of the programs after an edit: compared there.
    const afterAnEdit = (project: Project) => {
      project.getProgram().compilerObject;
      const app = project.getSourceFileOrThrow(join(nodenext, 'src', 'app.ts'));
      project.createSourceFile(app.getFilePath(), `${app.getFullText()}// edited\n`, { overwrite: true });
      return project.getProgram().compilerObject.getSourceFiles().map((sf) => sf.fileName).sort();
    };
    const without = afterAnEdit(loadProject(nodenext, []).project);
    assert.ok(without.some((f) => f.endsWith('/dual/index.d.cts')) && !without.some((f) => f.endsWith('/dual/index.d.mts') || f.includes('/untyped/')), 'the program takes the require entry, no JavaScript');
    const { project } = loadProject(nodenext, []);
    for (const _ of preloadSteps(project, 1));
    const parsed = without.filter((f) => project.getSourceFile(f) !== undefined).length;
    assert.ok(parsed > without.length - 5, `the preload parsed ${parsed} of the program's ${without.length} files`);
    assert.deepEqual(afterAnEdit(project), without);
  });

  it("the first look's program has the roots of the programs after an edit", () => {
    const project = loadFilesProject(root, [join(root, 'src', 'app.ts')]);
    const first = project.getProgram().compilerObject;
    assert.ok(first.getRootFileNames().some((f) => f.includes('/typescript/lib/lib.')), 'the lib files are roots');
    const app = project.getSourceFileOrThrow(join(root, 'src', 'app.ts'));
    project.createSourceFile(app.getFilePath(), `${app.getFullText()}// edited\n`, { overwrite: true });
    assert.deepEqual(project.getProgram().compilerObject.getRootFileNames(), first.getRootFileNames());
  });

  it('takes in what import() types and calls and JSON modules name, not what augmentations import: every file is a root', (t) => {
    const dir = ownFolder(t, 'dynamic');
    writeTree(dir, {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'commonjs', resolveJsonModule: true, esModuleInterop: true, noLib: true, types: [] }, include: ['src'] }),
      'node_modules/lib/package.json': JSON.stringify({ name: 'lib', version: '1.0.0', types: 'index.d.ts' }),
      // An augmentation: the program does not read the imports inside it.
      'node_modules/lib/index.d.ts': "export type Req = import('./request').Request;\nexport declare function lib(): Req;\ndeclare module 'later' { export { u } from 'unrelated'; }\n",
      'node_modules/unrelated/package.json': JSON.stringify({ name: 'unrelated', version: '1.0.0', types: 'index.d.ts' }),
      'node_modules/unrelated/index.d.ts': 'export declare const u: number;\n',
      'node_modules/lib/request.d.ts': 'export interface Request { n: number }\n',
      'node_modules/later/package.json': JSON.stringify({ name: 'later', version: '1.0.0', types: 'index.d.ts' }),
      'node_modules/later/index.d.ts': 'export declare const later: number;\n',
      'src/mapping.json': '{ "a": 1 }\n',
      'src/app.ts': "import { lib } from 'lib';\nimport mapping from './mapping.json';\nexport const n = lib().n + mapping.a;\nexport const l = import('later');\n",
    });
    const { project } = loadProject(dir, []);
    for (const _ of preloadSteps(project, 1));
    const program = project.getProgram().compilerObject;
    const files = program.getSourceFiles().map((sf) => sf.fileName).sort();
    assert.ok(files.some((f) => f.endsWith('/request.d.ts')) && files.some((f) => f.endsWith('/mapping.json')) && files.some((f) => f.endsWith('/later/index.d.ts')), files.join('\n'));
    assert.deepEqual([...program.getRootFileNames()].sort(), files);
    assert.ok(!files.some((f) => f.includes('/unrelated/')), 'an import inside an augmentation is not taken in');
  });

  it('reads the imports of a declaration file parsed without parent pointers, as the program does', (t) => {
    const dir = ownFolder(t, 'parentless');
    writeTree(dir, {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', noLib: true, types: [] }, include: ['src'] }),
      'package.json': JSON.stringify({ name: 'parentless', type: 'commonjs' }),
      'node_modules/lib/package.json': JSON.stringify({ name: 'lib', version: '1.0.0', types: 'index.d.ts' }),
      'node_modules/lib/index.d.ts': "import { More } from './more';\nexport declare function lib(): More;\n",
      'node_modules/lib/more.d.ts': 'export interface More { n: number }\n',
      'src/app.ts': "import { lib } from 'lib';\nexport const n = lib().n;\n",
    });
    const { project } = loadProject(dir, []);
    // The program's own parse, and ts-morph's for files shared between projects, can leave them unset.
    const index = project.addSourceFileAtPath(join(dir, 'node_modules', 'lib', 'index.d.ts')).compilerNode;
    for (const s of index.statements) if (ts.isImportDeclaration(s)) (s.moduleSpecifier as { parent?: ts.Node }).parent = undefined;
    for (const _ of preloadSteps(project, 2));
    assert.ok(project.getSourceFile(join(dir, 'node_modules', 'lib', 'more.d.ts')), 'more.d.ts parsed ahead of the program');
  });

  it('binds each file once: the next program after an edit has only the edited file to bind', () => {
    const { project } = loadProject(root, []);
    const program = project.getProgram().compilerObject;
    const bound = () => program.getSourceFiles().filter((sf) => (sf as { locals?: unknown }).locals !== undefined).length;
    assert.equal(bound(), 0);
    // One step per file bound before the checker is made (declaration modules wait until an import is resolved).
    assert.equal([...bindSteps(program, 2)].length, bound());
    assert.deepEqual(
      program.getSourceFiles().filter((sf) => !sf.isDeclarationFile && (sf as { locals?: unknown }).locals === undefined),
      [],
      'every source file is bound',
    );
    assert.ok(bound() > program.getSourceFiles().filter((sf) => !sf.isDeclarationFile).length, 'and the lib files');
    assert.equal([...bindSteps(program, 2)].length, 0);
    project.createSourceFile(join(root, 'src', 'total.ts'), 'export function total(xs: number[]): number {\n  return xs.length;\n}\n', { overwrite: true });
    const next = project.getProgram().compilerObject;
    assert.equal([...bindSteps(next, 2)].length, 1);
    // The checker finds the files bound and types them as it would have.
    runSync(bindSteps(next, 2));
    const checker = next.getTypeChecker();
    const fn = next.getSourceFile(normalizePath(join(root, 'src', 'total.ts')))!.statements[0] as ts.FunctionDeclaration;
    assert.equal(checker.typeToString(checker.getTypeAtLocation(fn.name!)), '(xs: number[]) => number');
  });
});
