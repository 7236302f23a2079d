#!/usr/bin/env node
// Skeleton check (`node --import tsx bench/skeletons.ts [folder…]`): for every declaration file (.d.ts, .d.mts,
// .d.cts) under the given folders (default: this project's node_modules and the real packages' in .bench-cache),
// compares what a program reads from the file's text with what it reads from its skeleton
// (server/src/engine/skeleton.ts): module-ness, imports with their resolution modes, augmentations, ambient
// modules, UMD globals, triple-slash directives. Prints how many files got a skeleton, how many kept their text
// though they are plain modules, and every file whose skeleton reads differently. Exits 1 on any such file.
// `npm test` runs the same check on this project's node_modules (test/engine/skeleton.test.ts).
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { globSync } from 'tinyglobby';
import { checkSkeletons } from '../test/engine/skeleton-facts';

const ROOT = nodePath.join(nodePath.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = nodePath.join(ROOT, '.bench-cache');
const folders =
  process.argv.length > 2
    ? process.argv.slice(2).map((f) => nodePath.resolve(f))
    : [nodePath.join(ROOT, 'node_modules'), ...(fs.existsSync(CACHE) ? fs.readdirSync(CACHE).map((d) => nodePath.join(CACHE, d, 'package', 'node_modules')) : [])].filter((f) => fs.existsSync(f));

const files = [...new Set(folders.flatMap((cwd) => globSync('**/*.d.{ts,mts,cts}', { cwd, absolute: true, followSymbolicLinks: false })))].sort();
const started = performance.now();
let skeletons = 0;
const missed: string[] = [];
const wrong: string[] = [];
// One program over 1,000 files at a time keeps memory small.
for (let i = 0; i < files.length; i += 1000) {
  const texts = new Map<string, string>();
  for (const f of files.slice(i, i + 1000)) {
    try {
      texts.set(f, fs.readFileSync(f, 'utf8'));
    } catch {
      // Unreadable: not a case.
    }
  }
  const check = checkSkeletons(texts);
  skeletons += check.skeletons;
  missed.push(...check.missed);
  wrong.push(...check.wrong.map((w) => `${w.file}\n  text:     ${JSON.stringify(w.text)}\n  skeleton: ${JSON.stringify(w.skeleton)}`));
}
console.log(`folders: ${folders.join(', ')}`);
console.log(`${files.length} declaration files, ${skeletons} read as skeletons, ${missed.length} plain modules keeping their text (a Unicode escape or conflict marker), ${wrong.length} read differently; ${((performance.now() - started) / 1000).toFixed(1)} s`);
for (const w of wrong) console.log(w);
process.exitCode = wrong.length > 0 ? 1 : 0;
