// Which files a package.json names as process entries, and which project files a file imports, on in-memory file systems.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Project, ts } from 'ts-morph';
import { importsOf, packageEntries, type PackageHost } from '../../server/src/engine/analysis/domains';

function host(files: Record<string, string>): PackageHost {
  return { fileExists: (p) => p in files, readFile: (p) => files[p] };
}

const SRC = ['/p/src/index.ts', '/p/src/cli.ts', '/p/src/adapters/express.ts', '/p/src/worker/index.ts', '/p/tools/run.mjs'];

describe('packageEntries', () => {
  it('main, every bin and the "." export, built paths mapped back to sources', () => {
    const manifest = {
      main: './dist/index.js',
      bin: { app: './lib/cli.js', tool: 'tools/run.mjs' },
      exports: { '.': { types: './dist/index.d.ts', require: './dist/cjs/worker/index.cjs' }, './adapters/express': './dist/adapters/express.js' },
    };
    assert.deepEqual(packageEntries(SRC, {}, host({ '/p/package.json': JSON.stringify(manifest) })), [
      '/p/src/cli.ts',
      '/p/src/index.ts',
      '/p/src/worker/index.ts',
      '/p/tools/run.mjs',
    ]);
  });

  it('outDir maps to rootDir; a string bin and top-level export conditions count', () => {
    const files = ['/p/app/server.ts', '/p/app/cli.ts'];
    const manifest = { bin: './build/cli.js', exports: { import: './build/server.mjs' } };
    assert.deepEqual(packageEntries(files, { outDir: '/p/build', rootDir: '/p/app' }, host({ '/p/package.json': JSON.stringify(manifest) })), ['/p/app/cli.ts', '/p/app/server.ts']);
  });

  it('the nearest manifest per file; paths that match no source, subpath exports and bad JSON give nothing', () => {
    const files = ['/p/src/index.ts', '/p/packages/a/src/main.ts', '/p/packages/b/src/main.ts'];
    const fs = host({
      '/p/package.json': '{ "main": "./dist/missing.js", "exports": { "./x": "./dist/index.js" } }',
      '/p/packages/a/package.json': '{ "main": "dist/main.js" }',
      '/p/packages/b/package.json': '{ "main": ',
    });
    assert.deepEqual(packageEntries(files, {}, fs), ['/p/packages/a/src/main.ts']);
  });
});

describe('importsOf', () => {
  const FILES: Record<string, string> = {
    '/p/a.ts': [
      "import { b } from './b';",
      "export * from './c';",
      "import d = require('./d');",
      "const e = require('./e');",
      "const f = require ('./f');",
      "async function g() { return import('./g'); }",
      "import express from 'express';",
      'export { b, d, e, f, g, express };',
    ].join('\n'),
    '/p/h.js': "const i = require('./i');\nimport('./j');\nmodule.exports = { i };\n",
    '/p/k.ts': "// mentions require( only in a comment\nimport { b } from './b';\nexport const k = b;\n",
    '/p/m.ts': "import { b } from './b';\nexport * from './c';\nimport d = require('./d');\nexport async function m() { return [b, d, await import('./g')]; }\n",
  };
  for (const n of ['b', 'c', 'd', 'e', 'f', 'g']) FILES[`/p/${n}.ts`] = `export const ${n} = 1;\n`;
  for (const n of ['i', 'j']) FILES[`/p/${n}.js`] = `module.exports = 1;\n`;
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
  for (const [path, text] of Object.entries(FILES)) project.createSourceFile(path, text);
  const program = project.getProgram().compilerObject;
  const imports = (file: string) => {
    const cache = ts.createModuleResolutionCache('/p', (s) => s, program.getCompilerOptions());
    return importsOf(program.getSourceFile(file)!, program.getCompilerOptions(), project.getModuleResolutionHost(), cache).sort();
  };

  it('a TypeScript file: imports, re-exports, import = require, require() however spaced, import(); packages left out', () => {
    assert.deepEqual(imports('/p/a.ts'), ['/p/b.ts', '/p/c.ts', '/p/d.ts', '/p/e.ts', '/p/f.ts', '/p/g.ts']);
  });
  it('a JavaScript file: require() and import()', () => {
    assert.deepEqual(imports('/p/h.js'), ['/p/i.js', '/p/j.js']);
  });
  it('a file whose text mentions require( but imports with import', () => {
    assert.deepEqual(imports('/p/k.ts'), ['/p/b.ts']);
  });
  it("a TypeScript file without require(: the program's own list (imports, re-exports, import = require, import())", () => {
    assert.deepEqual(imports('/p/m.ts'), ['/p/b.ts', '/p/c.ts', '/p/d.ts', '/p/g.ts']);
  });
});
