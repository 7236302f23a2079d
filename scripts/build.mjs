// Bundles the four entry points (client, server, the server's audit worker thread, CLI). Type checking is a separate step (`npm run typecheck`).
import { chmodSync, cpSync, rmSync } from 'node:fs';
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

const common = {
  bundle: true,
  plugins: [fastTsNamespace],
  define: { 'import.meta.url': '__import_meta_url' },
  banner: { js: importMetaShim },
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
};

await Promise.all([
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] }),
  build({ ...common, entryPoints: ['server/src/main.ts'], outfile: 'dist/server.js' }),
  // Started by the server (server/src/auditRunner.ts) from beside dist/server.js: the audit runs in it.
  build({ ...common, entryPoints: ['server/src/auditWorker.ts'], outfile: 'dist/auditWorker.js' }),
  build({
    ...common,
    entryPoints: ['server/src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: `#!/usr/bin/env node\n${importMetaShim}` },
  }),
]);

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
