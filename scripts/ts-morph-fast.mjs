// Stands in for 'ts-morph' in the bundles (see the plugin in ./build.mjs). Reading `ts.isIdentifier` through
// the bundled namespace costs two getter calls: esbuild's CommonJS interop wrapper, then TypeScript's own
// export getter. The engine does that millions of times per audit (3.2 s of self time in a 35 s budibase
// audit), so `ts` is copied once into a plain object; every other export passes through unchanged.
import { ts as namespaceWithGetters } from 'ts-morph';

export * from 'ts-morph';
export const ts = { ...namespaceWithGetters };
