// Entry point of dist/server.js: runs the language server bundle (dist/server-main.js, from ./main.ts) through a
// V8 code cache, so that the editor's server starts without compiling it each time (./codeCache.ts).
import { join } from 'node:path';
import { runWithCodeCache } from './codeCache';

runWithCodeCache(join(__dirname, 'server-main.js'));
