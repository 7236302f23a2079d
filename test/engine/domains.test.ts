// Which files a package.json names as process entries, on an in-memory file system.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { packageEntries, type PackageHost } from '../../server/src/engine/analysis/domains';

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
