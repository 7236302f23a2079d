// Progress: the engine's per-file callback, and the CLI's bar only on a terminal and never beside JSON/SARIF on stdout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Workspace } from '../../server/src/engine';
import { run } from '../../server/src/cli/run';
import { capture, fakeEngine, tempProject } from './helpers';

test('Workspace.analyze reports files done of total, rising to total', () => {
  const root = join(__dirname, 'fixtures', 'http-fanout');
  const calls: [number, number][] = [];
  const result = new Workspace({ root }).analyze({ onProgress: (done, total) => calls.push([done, total]) });
  assert.equal(result.files.length, 2);
  // store.ts registers no handler (done once discovery ends); server.ts is done after its handler.
  assert.deepEqual(calls, [
    [1, 2],
    [2, 2],
  ]);
});

/** A stream that says it is a terminal and keeps what is drawn on it. */
function fakeTerminal() {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
  let drawn = '';
  stream.on('data', (chunk: Buffer) => (drawn += chunk.toString()));
  return { stream, drawn: () => drawn };
}

async function audit(argv: string[], tty?: NodeJS.WritableStream) {
  const dir = realpathSync(tempProject({ 'package.json': '{}', 'a.ts': 'BAD(1);\n', 'b.ts': 'export {};\n' }));
  const c = capture(dir);
  const code = await run(argv, { ...c.io, engine: fakeEngine().engine, ...(tty ? { tty } : {}) });
  return { code, stdout: c.out(), stderr: c.err() };
}

test('on a terminal: Loading while the project loads, then files analysed of total, then cleared', async () => {
  const t = fakeTerminal();
  const r = await audit(['audit'], t.stream);
  assert.equal(r.code, 1);
  // Redraws are throttled in time, so only the first frame and the last are certain.
  const frames = t.drawn().match(/Loading [^\x1B]*|Analysing [^\x1B]*/g)!;
  assert.equal(frames[0], 'Loading .…');
  assert.equal(frames.at(-1), 'Analysing [==============================] 2/2 files');
  for (const f of frames.slice(1)) assert.match(f, /^Analysing \[[=-]{30}\] [0-2]\/2 files$/);
  assert.ok(t.drawn().endsWith('\x1B[2K'), 'the line is cleared before the report');
  assert.match(r.stdout, /^a\.ts:1:1 +warning/);
});

test('no bar with json or sarif on stdout, but one when the report goes to --output', async () => {
  for (const format of ['json', 'sarif']) {
    const t = fakeTerminal();
    await audit(['audit', '--format', format], t.stream);
    assert.equal(t.drawn(), '', format);
  }
  const t = fakeTerminal();
  await audit(['audit', '--format', 'json', '--output', 'r.json'], t.stream);
  assert.match(t.drawn(), /Analysing \[/);
});

test('without a terminal nothing but the report is written', async () => {
  const r = await audit(['audit']);
  assert.equal(r.stderr, '');
  assert.doesNotMatch(r.stdout, /Analysing/);
});
