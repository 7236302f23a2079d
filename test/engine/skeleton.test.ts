/**
 * Declaration modules of the dependencies read as skeletons and filled when the checker binds them
 * (server/src/engine/skeleton.ts): which files get one, that a program reads the same imports, modes and
 * directives from a skeleton as from the file's text (on a table of cases and on every declaration file of this
 * repository's dependencies), and that the checker's answers through filled files are the program's own.
 */
import assert from 'node:assert/strict';
import { globSync } from 'tinyglobby';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ts } from 'ts-morph';
import { normalizePath } from '../../server/src/engine/ast';
import { checkerOf } from '../../server/src/engine/bind';
import { loadProject } from '../../server/src/engine/project';
import { preloadSteps } from '../../server/src/engine/preload';
import { runSync } from '../../server/src/engine/steps';
import { Workspace } from '../../server/src/engine/workspace';
import { declarationSkeleton, fillSkeleton, isSkeleton } from '../../server/src/engine/skeleton';
import { checkFiles, checkSkeletons, parse, programFacts } from './skeleton-facts';

const REPO = nodePath.join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** The imports (`specifier@mode`) a program reads from the skeleton of `text`; undefined when it keeps its text. */
function skeletonImports(text: string): string[] | undefined {
  const skeleton = declarationSkeleton(text);
  if (skeleton === undefined) return undefined;
  return programFacts(new Map([['/x/index.d.ts', parse('/x/index.d.ts', skeleton)]])).get('/x/index.d.ts')!.imports;
}

/** `undefined` for `imports`: the file keeps its text. Every case is also checked against the text's own facts. */
const CASES: { name: string; text: string; imports: string[] | undefined; unscanned?: true }[] = [
  {
    name: 'imports, re-exports and import types, in the order the program collects them',
    text: "import a from 'a';\nexport declare function f(): import('b').T;\nexport { c } from 'c';\nexport * as d from 'd';\nexport type { E } from 'e';\nexport * from 'f';\nimport g = require('g');\nexport import h = require('h');\nimport type { I } from 'i';\n",
    imports: ['a@undefined', 'c@undefined', 'd@undefined', 'e@undefined', 'f@undefined', 'g@1', 'h@1', 'i@undefined', 'b@undefined'],
  },
  {
    name: 'resolution modes given by import attributes, on declarations and import types',
    text: "import type { A } from 'a' with { 'resolution-mode': 'import' };\nexport declare const b: typeof import('b', { with: { 'resolution-mode': 'require' } });\n",
    imports: ['a@99', 'b@1'],
  },
  {
    name: 'statements without semicolons, over several lines',
    text: "import {\n  a,\n  b\n} from 'ab'\nexport {\n  c\n} from 'c'\nexport declare const x: number\nimport d = require('d')\ninterface I {}\n",
    imports: ['ab@undefined', 'c@undefined', 'd@1'],
  },
  {
    name: 'keywords in comments, strings, template literal types and member names are not statements',
    text: "// import nope from 'nope1';\n/* export * from 'nope2'; */\nexport declare const s: \"import('nope3')\";\nexport type T = `${string}import('nope4')${number}`;\nexport declare const g: typeof globalThis.global;\nexport declare const m: typeof x.module;\n// A comment that ends a sentence.\nexport { y } from 'y';\n",
    imports: ['y@undefined'],
  },
  {
    name: 'an import type inside a namespace, a template literal type and an object type',
    text: "export declare namespace N {\n  const a: import('a').A;\n  type T = `${import('b').B}`;\n}\nexport interface I { c: { d: import('c').C } }\n",
    imports: ['a@undefined', 'b@undefined', 'c@undefined'],
  },
  {
    name: 'a namespace declared with `module` and an identifier is not an augmentation',
    text: 'export declare module Inner {\n  const x: number;\n}\n',
    imports: [],
  },
  {
    name: 'an import type spread into a tuple',
    text: "export declare function pair(): [...import('./a').A, 3];\nexport declare const rest: readonly [...import('./b').B[]];\n",
    imports: ['./a@undefined', './b@undefined'],
  },
  {
    name: 'a tuple element labelled `import` is not a statement',
    text: "export declare function f(...args: [import?: string]): import('dual').B;\n",
    imports: ['dual@undefined'],
  },
  { name: 'a script with a tuple element labelled `import`', text: 'declare function g(...args: [import: string]): 42;\ndeclare var other: "hi";\n', imports: undefined },
  {
    name: 'a line break between `import` or `export` and `type`',
    text: "import\ntype { A } from './a';\nexport\ntype { B } from './b'\nexport declare const x: A;\n",
    imports: ['./a@undefined', './b@undefined'],
  },
  { name: 'a script naming members past comments', text: 'declare const x: typeof a./* c */export;\ndeclare const y: typeof a. // c\n  import;\n', imports: undefined },
  { name: 'a script (no import or export)', text: 'declare function f(): void;\ndeclare const x: import("a").A;\n', imports: undefined },
  { name: 'a script naming members `import` and `export`', text: 'declare const x: typeof a.import;\ndeclare const y: typeof a\n  .export;\n', imports: undefined },
  { name: 'a script whose one import aliases a namespace', text: 'import N = M.N;\ndeclare const x: N;\n', imports: undefined },
  { name: 'a global augmentation', text: 'export {};\ndeclare global {\n  var x: number;\n}\n', imports: undefined },
  { name: 'a module augmentation', text: "import 'express';\ndeclare module 'express' {\n  interface Request { user: string }\n}\n", imports: undefined },
  { name: 'a UMD global', text: 'export declare const version: string;\nexport as namespace Lib;\n', imports: undefined },
  // Not scanned: the parser recovers from what is malformed, and sees through escapes and conflict markers.
  { name: 'a `}` without its `{`', text: 'export declare const x: number;\n}\n', imports: undefined, unscanned: true },
  { name: 'a keyword spelled with a Unicode escape', text: "\\u0069mport { a } from 'a';\nexport declare const x: 1;\n", imports: undefined, unscanned: true },
  { name: 'merge conflict markers', text: "export declare const x: 1;\n<<<<<<< ours\nexport { y } from 'y';\n=======\nexport { z } from 'z';\n>>>>>>> theirs\n", imports: undefined, unscanned: true },
  { name: 'an unclosed comment', text: 'export declare const x: number;\n/* never closed\n', imports: undefined, unscanned: true },
];

describe('declaration skeletons', () => {
  for (const c of CASES) {
    it(c.name, () => {
      assert.deepEqual(skeletonImports(c.text), c.imports);
      const check = checkSkeletons(new Map([['/x/index.d.ts', c.text]]));
      assert.deepEqual(check.wrong, [], 'the skeleton gives the facts of the text');
      assert.equal(check.missed.length, c.unscanned ? 1 : 0, 'a well-formed module with no augmentation or UMD global gets a skeleton');
    });
  }

  it('keeps the triple-slash directives before the first statement', () => {
    const text = '/// <reference types="node" />\n/// <reference path="./more.d.ts" />\n/// <reference lib="es2020" />\nexport declare const x: number;\n';
    const skeleton = declarationSkeleton(text)!;
    assert.ok(skeleton.startsWith('/// <reference types="node" />\n/// <reference path="./more.d.ts" />\n/// <reference lib="es2020" />\n'), skeleton);
    assert.deepEqual(checkSkeletons(new Map([['/x/index.d.ts', text]])).wrong, []);
  });

  it('gives every declaration file of the dependencies the facts of its text', () => {
    const files = globSync('node_modules/**/*.d.{ts,mts,cts}', { cwd: REPO, absolute: true, followSymbolicLinks: false });
    assert.ok(files.length > 3000, `${files.length} declaration files`);
    const { skeletons, missed, wrong } = checkFiles(files);
    assert.deepEqual(
      wrong.map((w) => w.file),
      [],
    );
    // Besides those kept on purpose (a Unicode escape could spell a keyword the scan does not see).
    assert.deepEqual(missed, []);
    assert.ok(skeletons > files.length * 0.9, `${skeletons} skeletons of ${files.length} files`);
  });
});

const FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, module: 'commonjs', target: 'es2022', types: [] }, include: ['src'] }),
  'src/app.ts':
    "import { crunch, Deep } from 'barrel';\nimport { one } from 'copy-a';\nimport { two } from 'copy-b';\nimport type { Unused } from 'unused';\nexport const n = crunch(2);\nexport const d: Deep = { depth: 3 };\nexport const o = one;\nexport const t = two;\nexport type U = Unused;\n",
  'node_modules/barrel/package.json': '{"name":"barrel","version":"1.0.0","types":"index.d.ts"}',
  'node_modules/barrel/index.d.ts': "export * from './lib/crunch';\nexport { Deep } from './lib/deep';\n",
  'node_modules/barrel/lib/crunch.d.ts': "import type { Options } from './options';\nexport declare function crunch(n: number, o?: Options): Promise<number>;\n",
  'node_modules/barrel/lib/options.d.ts': 'export interface Options { fast: boolean }\n',
  'node_modules/barrel/lib/deep.d.ts': 'export interface Deep { depth: number }\n',
  // Two copies of one package (name and version): the program makes the second a redirect to the first.
  'node_modules/copy-a/package.json': '{"name":"copy-a","version":"1.0.0","types":"index.d.ts"}',
  'node_modules/copy-a/index.d.ts': "export { one } from 'shared';\n",
  'node_modules/copy-a/node_modules/shared/package.json': '{"name":"shared","version":"2.0.0","types":"index.d.ts"}',
  'node_modules/copy-a/node_modules/shared/index.d.ts': 'export declare const one: 1;\nexport declare const two: 2;\n',
  'node_modules/copy-b/package.json': '{"name":"copy-b","version":"1.0.0","types":"index.d.ts"}',
  'node_modules/copy-b/index.d.ts': "export { two } from 'shared';\n",
  'node_modules/copy-b/node_modules/shared/package.json': '{"name":"shared","version":"2.0.0","types":"index.d.ts"}',
  'node_modules/copy-b/node_modules/shared/index.d.ts': 'export declare const one: 1;\nexport declare const two: 2;\n',
  'node_modules/unused/package.json': '{"name":"unused","version":"1.0.0","types":"index.d.ts"}',
  'node_modules/unused/index.d.ts': 'export type Unused = never;\n',
};

describe('skeletons in a project', () => {
  let dir = '';
  before(() => {
    dir = normalizePath(fs.mkdtempSync(nodePath.join(os.tmpdir(), 'looplens-skeleton-')));
    for (const [name, text] of Object.entries(FILES)) {
      fs.mkdirSync(nodePath.dirname(nodePath.join(dir, name)), { recursive: true });
      fs.writeFileSync(nodePath.join(dir, name), text);
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The types of app.ts's exported consts, as `checker` prints them. */
  function exportedTypes(checker: ts.TypeChecker, program: ts.Program): Record<string, string> {
    const sf = program.getSourceFile(`${dir}/src/app.ts`)!;
    const out: Record<string, string> = {};
    for (const s of sf.statements) {
      if (!ts.isVariableStatement(s)) continue;
      for (const d of s.declarationList.declarations) out[d.name.getText(sf)] = checker.typeToString(checker.getTypeAtLocation(d.name));
    }
    return out;
  }

  const skeletal = (program: ts.Program) =>
    program
      .getSourceFiles()
      .filter(isSkeleton)
      .map((sf) => sf.fileName.slice(dir.length + 1))
      .sort();

  it('reads the dependencies’ declaration modules as skeletons, and fills those the checker resolves', () => {
    const program = loadProject(dir, []).project.getProgram().compilerObject;
    assert.deepEqual(skeletal(program), [
      'node_modules/barrel/index.d.ts',
      'node_modules/barrel/lib/crunch.d.ts',
      'node_modules/barrel/lib/deep.d.ts',
      'node_modules/barrel/lib/options.d.ts',
      'node_modules/copy-a/index.d.ts',
      'node_modules/copy-a/node_modules/shared/index.d.ts',
      'node_modules/copy-b/index.d.ts',
      'node_modules/copy-b/node_modules/shared/index.d.ts',
      'node_modules/unused/index.d.ts',
    ]);
    assert.deepEqual(exportedTypes(checkerOf(program), program), { n: 'Promise<number>', d: 'Deep', o: '1', t: '2' });
    // What no answer needed stays a skeleton: the type-only imports, and `Options` (the call's argument is checked
    // against `n: number` only). The program holds the second copy of `shared` as a redirect to the first, which
    // reads the first's filled tree.
    assert.deepEqual(skeletal(program), ['node_modules/barrel/lib/options.d.ts', 'node_modules/unused/index.d.ts']);
    const redirect = program.getSourceFile(`${dir}/node_modules/copy-b/node_modules/shared/index.d.ts`) as ts.SourceFile & { redirectInfo?: { redirectTarget: ts.SourceFile } };
    assert.equal(redirect.redirectInfo?.redirectTarget, program.getSourceFile(`${dir}/node_modules/copy-a/node_modules/shared/index.d.ts`));
    assert.equal(redirect.text, FILES['node_modules/copy-b/node_modules/shared/index.d.ts']);
    const filled = program.getSourceFile(`${dir}/node_modules/barrel/lib/crunch.d.ts`)!;
    assert.equal(filled.text, FILES['node_modules/barrel/lib/crunch.d.ts']);
    assert.equal(filled.statements[1].parent, filled, 'the statements belong to the file the program holds');
    assert.equal(ts.getLineAndCharacterOfPosition(filled, filled.statements[1].getStart(filled)).line, 1);
  });

  it('gives the types a program of whole files gives, through its own checker', () => {
    const config = ts.getParsedCommandLineOfConfigFile(`${dir}/tsconfig.json`, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const own = ts.createProgram(config.fileNames, config.options);
    const program = loadProject(dir, []).project.getProgram().compilerObject;
    assert.deepEqual(exportedTypes(checkerOf(program), program), exportedTypes(own.getTypeChecker(), own));
  });

  it('fills a skeleton in place, before any binding: the program’s file object holds the tree', () => {
    const program = loadProject(dir, []).project.getProgram().compilerObject;
    const sf = program.getSourceFile(`${dir}/node_modules/barrel/lib/options.d.ts`)!;
    assert.ok(isSkeleton(sf));
    fillSkeleton(sf);
    assert.equal(isSkeleton(sf), false);
    assert.equal(sf.text, FILES['node_modules/barrel/lib/options.d.ts']);
    assert.equal((sf as { locals?: unknown }).locals, undefined, 'not bound');
    assert.deepEqual(
      [...sf.statements, sf.endOfFileToken].map((n) => n.parent === sf),
      [true, true],
    );
    assert.equal(program.getSourceFile(`${dir}/node_modules/barrel/lib/options.d.ts`), sf);
  });

  /** Runs `body` with `files` (relative to the project) written over, then puts the original texts back. */
  function withChanged(files: Record<string, string | null>, body: () => void): void {
    const saved = Object.keys(files).map((f) => [f, fs.readFileSync(`${dir}/${f}`, 'utf8')] as const);
    for (const [f, text] of Object.entries(files)) {
      if (text === null) fs.rmSync(`${dir}/${f}`);
      else fs.writeFileSync(`${dir}/${f}`, text);
    }
    try {
      body();
    } finally {
      for (const [f, text] of saved) fs.writeFileSync(`${dir}/${f}`, text);
    }
  }

  it('fills a skeleton from the text the program read, though the file changed or went since', () => {
    const program = loadProject(dir, []).project.getProgram().compilerObject;
    // A package reinstalled while the editor runs: the program's files and imports are still the old ones.
    withChanged({ 'node_modules/barrel/index.d.ts': "export * from './lib/options';\n", 'node_modules/barrel/lib/deep.d.ts': null }, () => {
      assert.deepEqual(exportedTypes(checkerOf(program), program), { n: 'Promise<number>', d: 'Deep', o: '1', t: '2' });
    });
  });

  /** The type of `d.depth` in app.ts, through `program`'s engine checker. */
  function depthType(program: ts.Program): string {
    const checker = checkerOf(program);
    const app = program.getSourceFile(`${dir}/src/app.ts`)!;
    const d = app.statements.filter(ts.isVariableStatement)[1].declarationList.declarations[0];
    const depth = checker.getTypeAtLocation(d.name).getProperty('depth');
    return depth ? checker.typeToString(checker.getTypeOfSymbol(depth)) : 'none';
  }

  it('fills each project’s skeletons from the text that project read', () => {
    const before = loadProject(dir, []).project.getProgram().compilerObject;
    withChanged({ 'node_modules/barrel/lib/deep.d.ts': 'export interface Deep { depth: string }\n' }, () => {
      const after = loadProject(dir, []).project.getProgram().compilerObject;
      assert.equal(depthType(after), 'string');
      assert.equal(depthType(before), 'number');
    });
  });

  it('keeps each text read by the editor’s preload with its file, though more projects read the file before any binds', () => {
    // An editor's monorepo: every part's declaration files are parsed before the first analysis binds any.
    const preloaded = () => {
      const { project } = loadProject(dir, []);
      runSync(preloadSteps(project, 1));
      return project.getProgram().compilerObject;
    };
    const first = preloaded();
    preloaded();
    preloaded();
    withChanged({ 'node_modules/barrel/lib/deep.d.ts': 'export interface Deep { depth: string }\n' }, () => {
      assert.equal(depthType(first), 'number');
    });
  });

  it('fills a skeleton whose text was forgotten from its file if that gives the same skeleton, else leaves it', () => {
    const forgotten = () => {
      const program = loadProject(dir, []).project.getProgram().compilerObject;
      // Two more reads of each file: the first read's texts are no longer kept.
      loadProject(dir, []).project.getProgram().compilerObject;
      loadProject(dir, []).project.getProgram().compilerObject;
      return program;
    };
    const same = forgotten();
    withChanged({ 'node_modules/barrel/lib/deep.d.ts': 'export interface Deep { depth: number }\n// a comment more\n' }, () => {
      assert.equal(depthType(same), 'number');
    });
    const changed = forgotten();
    withChanged({ 'node_modules/barrel/lib/deep.d.ts': "import type { Options } from './options';\nexport interface Deep { depth: Options }\n" }, () => {
      const checker = checkerOf(changed);
      assert.equal(exportedTypes(checker, changed).n, 'Promise<number>');
      const deep = changed.getSourceFile(`${dir}/node_modules/barrel/lib/deep.d.ts`)!;
      assert.ok(isSkeleton(deep), 'its file gives another skeleton now');
      // `Deep` is unknown: an unresolved type prints as written, and is the error type, which is `any`.
      const app = changed.getSourceFile(`${dir}/src/app.ts`)!;
      const d = app.statements.filter(ts.isVariableStatement)[1].declarationList.declarations[0];
      assert.ok(checker.getTypeAtLocation(d.name).flags & ts.TypeFlags.Any);
    });
  });

  it('takes the editor opening a dependency’s declaration file, with its own text, for no change, and its closing too', () => {
    const ws = new Workspace({ root: dir });
    ws.analyze();
    const file = `${dir}/node_modules/unused/index.d.ts`;
    const held = () => (ws as unknown as { loaded: { parts: { project: import('ts-morph').Project }[] } }).loaded.parts[0].project.getSourceFile(file)?.compilerNode;
    const skeleton = held()!;
    assert.ok(isSkeleton(skeleton));
    ws.setOverlay(file, FILES['node_modules/unused/index.d.ts']);
    assert.equal(held(), skeleton, 'opened with the text on disk: the program keeps its file');
    ws.setOverlay(file, undefined);
    assert.equal(held(), skeleton, 'closed: nothing to read again');
    ws.setOverlay(file, 'export type Unused = string;\n');
    assert.equal(held()!.text, 'export type Unused = string;\n', 'an edit is an overlay');
    ws.setOverlay(file, undefined);
    assert.ok(isSkeleton(held()!), 'closed: read again from disk');
  });
});
