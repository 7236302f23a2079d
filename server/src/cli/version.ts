import pkg from '../../../package.json';

/** LoopLens's version, from package.json (bundled into dist/cli.js at build time). */
export const VERSION: string = pkg.version;
