#!/usr/bin/env node
// Skeleton check (`node --import tsx bench/skeletons.ts [folder…]`): for every declaration file (.d.ts, .d.mts,
// .d.cts) under the given folders (default: this project's node_modules and the real packages' in .bench-cache),
// compares what a program reads from the file's text with what it reads from its skeleton
// (server/src/engine/skeleton.ts): module-ness, imports with their resolution modes, augmentations, ambient
// modules, UMD globals, triple-slash directives. Prints how many files got a skeleton, how many plain modules kept
// their text (on purpose, or for no reason), and every file whose skeleton reads differently. Exits 1 on a file
// that reads differently or keeps its text for no reason.
// `npm test` runs the same check on this project's node_modules (test/engine/skeleton.test.ts).
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { globSync } from 'tinyglobby';
import { checkFiles } from '../test/engine/skeleton-facts';

const ROOT = nodePath.join(nodePath.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = nodePath.join(ROOT, '.bench-cache');
const folders =
  process.argv.length > 2
    ? process.argv.slice(2).map((f) => nodePath.resolve(f))
    : [nodePath.join(ROOT, 'node_modules'), ...(fs.existsSync(CACHE) ? fs.readdirSync(CACHE).map((d) => nodePath.join(CACHE, d, 'package', 'node_modules')) : [])].filter((f) => fs.existsSync(f));

const files = [...new Set(folders.flatMap((cwd) => globSync('**/*.d.{ts,mts,cts}', { cwd, absolute: true, followSymbolicLinks: false })))].sort();
const started = performance.now();
const { files: read, skeletons, refused, missed, wrong } = checkFiles(files);
console.log(`folders: ${folders.join(', ')}`);
console.log(
  `${read} declaration files, ${skeletons} read as skeletons, ${refused.length} plain modules keeping their text on purpose (a Unicode escape or conflict marker), ${missed.length} for no reason, ${wrong.length} read differently; ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
for (const f of missed) console.log(`kept its text: ${f}`);
for (const w of wrong) console.log(`${w.file}\n  text:     ${JSON.stringify(w.text)}\n  skeleton: ${JSON.stringify(w.skeleton)}`);
process.exitCode = wrong.length > 0 || missed.length > 0 ? 1 : 0;
