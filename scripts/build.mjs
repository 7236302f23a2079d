// Bundles the three entry points. Type checking is a separate step (`npm run typecheck`).
import { build } from 'esbuild';

// ESM-only dependencies (tinyglobby → fdir) read `import.meta.url`, which is empty in a CJS bundle; point
// it at the bundle file instead.
const importMetaShim = "var __import_meta_url = require('url').pathToFileURL(__filename).href;";

const common = {
  bundle: true,
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
  build({
    ...common,
    entryPoints: ['server/src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: `#!/usr/bin/env node\n${importMetaShim}` },
  }),
]);
