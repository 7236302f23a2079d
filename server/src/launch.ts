// Entry point of dist/server.js: runs the language server bundle (dist/server-main.js, from ./main.ts) through a
// V8 code cache, so that the editor's server starts without compiling it each time (./codeCache.ts).
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runWithCodeCache } from './codeCache';

// Every edit replaces the last program and checker (~210 MiB live at 1,000 files), so the old generation fills
// with dropped programs. Two V8 settings keep the server's memory near its live heap (bench/lsp.mjs, gen-1000,
// 2 cores):
// - the sweeper runs on the main thread: on background threads it fell behind a busy main thread, and the pages
//   it had not released stayed resident (250 in-process edits: RSS 930 MiB with the live heap flat at 211 MiB;
//   RSS 520 MiB when swept on the main thread, with no measurable change in edit latency);
// - the heap may grow by half its live size between full collections instead of V8's usual up to four times:
//   RSS after 550 edits 392–398 MiB instead of 465–666 MiB; edit p50 unchanged, p95 about 20 ms higher (one edit
//   in twenty meets a full collection).
// Both must be set before the heap grows.
setFlagsFromString('--no-concurrent-sweeping --heap-growing-percent=50');

runWithCodeCache(join(__dirname, 'server-main.js'));
