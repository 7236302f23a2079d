// The `looplens` command (dist/cli.js): runs the CLI bundle (dist/cli-main.js, from ./main.ts) through a V8
// code cache, so that each run after the first skips compiling it (../codeCache.ts).
import { join } from 'node:path';
import { runWithCodeCache } from '../codeCache';

runWithCodeCache(join(__dirname, 'cli-main.js'));
