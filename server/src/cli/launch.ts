// The `looplens` command (dist/cli.js): runs the CLI bundle (dist/cli-main.js, from ./main.ts) through a V8
// code cache, so that each run after the first skips compiling it (../codeCache.ts).
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runWithCodeCache } from '../codeCache';

// The CLI collects its garbage when an analysis drops its program (./memory.ts), through `gc`, which V8 gives
// new contexts only under --expose-gc. Set here, before the code cache is read: V8 rejects a cache made under
// other flags, so a flag set later would make each run reject the last run's cache and compile the bundle
// again (gen-1000: peak RSS 342 MiB instead of 315).
setFlagsFromString('--expose-gc');

runWithCodeCache(join(__dirname, 'cli-main.js'));
