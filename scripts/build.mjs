// Bundles the entry points (client, server and CLI with their launchers, the server's audit worker thread). Type checking is a separate step (`npm run typecheck`).
import { chmodSync, cpSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);

// ESM-only dependencies (tinyglobby → fdir) read `import.meta.url`, which is empty in a CJS bundle; point
// it at the bundle file instead.
const importMetaShim = "var __import_meta_url = require('url').pathToFileURL(__filename).href;";

// Every 'ts-morph' import but the stand-in's own resolves to the stand-in (see ./ts-morph-fast.mjs).
const tsMorphFast = join(dirname(new URL(import.meta.url).pathname), 'ts-morph-fast.mjs');
const fastTsNamespace = {
  name: 'ts-morph-fast',
  setup(b) {
    b.onResolve({ filter: /^ts-morph$/ }, (args) => (args.importer === tsMorphFast ? undefined : { path: tsMorphFast }));
  },
};

// Two changes to @ts-morph/common, both to make ts-morph build a program as `tsc` does:
// - Parsing: ts-morph parses each file with a language service's defaults, parent pointers set by a walk of
//   every tree and JSDoc parsed in every file. JSDoc only types JavaScript, so it is parsed in JavaScript files
//   only (`JSDocParsingMode.ParseForTypeErrors`). Declaration files get no parent walk: the binder sets the
//   same pointers, and the engine reaches a declaration file only through the checker, which binds every file
//   first. Source files keep theirs (code actions walk up from a position in a file no checker has bound yet).
// - The compiler host hands the program the engine's module resolution cache (server/src/engine/resolution.ts).
//   Without it the first program looks up the package.json scope of each declaration file with no cache: on
//   @budibase/server 3,800 package.json reads and 33,000 stat calls more than `tsc` makes.
// A ts-morph upgrade that moves either line fails the build instead of silently building slower.
const TS_MORPH_COMMON = [
  [
    'return ts__namespace.createLanguageServiceSourceFile(filePath, scriptSnapshot, optionsOrScriptTarget ?? ts__namespace.ScriptTarget.Latest, version, setParentNodes, scriptKind);',
    'return ts__namespace.createLanguageServiceSourceFile(filePath, scriptSnapshot, { languageVersion: optionsOrScriptTarget ?? ts__namespace.ScriptTarget.Latest, jsDocParsingMode: ts__namespace.JSDocParsingMode.ParseForTypeErrors }, version, !/\\.d\\.[cm]?ts$/.test(filePath), scriptKind);',
  ],
  [
    '        resolveTypeReferenceDirectives: resolutionHost.resolveTypeReferenceDirectives,\n        realpath: languageServiceHost.realpath,\n    };',
    '        resolveTypeReferenceDirectives: resolutionHost.resolveTypeReferenceDirectives,\n        realpath: languageServiceHost.realpath,\n        getModuleResolutionCache: resolutionHost.getModuleResolutionCache,\n    };',
  ],
];
const buildLikeTsc = {
  name: 'ts-morph-build-like-tsc',
  setup(b) {
    b.onLoad({ filter: /@ts-morph[\\/]common[\\/]dist[\\/]ts-morph-common\.js$/ }, (args) => {
      let text = readFileSync(args.path, 'utf8');
      for (const [from, to] of TS_MORPH_COMMON) {
        if (!text.includes(from)) throw new Error(`${args.path}: expected text not found, update scripts/build.mjs: ${from.slice(0, 80)}`);
        text = text.replace(from, to);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

const common = {
  bundle: true,
  plugins: [fastTsNamespace, buildLikeTsc],
  define: { 'import.meta.url': '__import_meta_url' },
  banner: { js: importMetaShim },
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minifyWhitespace: true,
  minifySyntax: true,
  // The launchers read the bundles as Latin-1 (server/src/codeCache.ts), which only ASCII survives unchanged:
  // non-ASCII characters are written as escapes (esbuild's default, stated here because the launchers rely on it).
  charset: 'ascii',
  logLevel: 'warning',
};

await Promise.all([
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] }),
  // dist/server.js and dist/cli.js are small launchers that run the big bundles through a V8 code cache
  // (server/src/codeCache.ts); the bundles beside them hold the server and the CLI.
  build({ ...common, entryPoints: ['server/src/launch.ts'], outfile: 'dist/server.js' }),
  build({ ...common, entryPoints: ['server/src/main.ts'], outfile: 'dist/server-main.js' }),
  // Started by the server (server/src/auditRunner.ts) from beside dist/server.js: the audit runs in it.
  build({ ...common, entryPoints: ['server/src/auditWorker.ts'], outfile: 'dist/auditWorker.js' }),
  build({ ...common, entryPoints: ['server/src/cli/launch.ts'], outfile: 'dist/cli.js', banner: { js: `#!/usr/bin/env node\n${importMetaShim}` } }),
  build({ ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli-main.js' }),
]);

for (const bundle of ['dist/server-main.js', 'dist/cli-main.js']) {
  if (/[^\x00-\x7f]/.test(readFileSync(bundle, 'latin1'))) throw new Error(`${bundle} has non-ASCII bytes: the launchers read it as Latin-1 (server/src/codeCache.ts)`);
}

// The CLI is the package's bin: keep it executable however dist/ was recreated.
chmodSync('dist/cli.js', 0o755);

// Node's typings ship beside the bundles, so the engine can trace calls to node:fs/crypto/… in projects that do
// not install @types/node themselves (plain JavaScript services). Laid out as a node_modules tree so that
// @types/node's own `undici-types` import resolves.
for (const pkg of ['@types/node', 'undici-types']) {
  const from = dirname(require.resolve(`${pkg}/package.json`));
  const to = join('dist', 'types', 'node_modules', pkg);
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true, filter: (src) => !src.includes('/node_modules/', from.length) });
}
