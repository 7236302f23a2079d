// Progress: the CLI's bar from the engine's steps, only on a terminal and never beside JSON/SARIF on stdout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { run } from '../../server/src/cli/run';
import { capture, fakeEngine, tempProject } from './helpers';

test('the real engine drives the bar through its steps: parsing, finding handlers, analysed', async () => {
  const t = fakeTerminal();
  const c = capture(join(__dirname, 'fixtures'));
  const code = await run(['audit', 'http-fanout'], { ...c.io, tty: t.stream });
  assert.equal(code, 1, c.err());
  // The engine reports once per time slice, and always its last step: following the one handler.
  const frames = t.drawn().match(/http-fanout {2}(?:parsing|finding handlers in|analysed) \[[=-]{30}\] \d+\/\d+ files/g)!;
  assert.match(frames.at(-1)!, /^http-fanout {2}analysed \[[=-]{30}\] [12]\/2 files$/);
  assert.ok(t.drawn().endsWith('\x1B[2K'), 'the line is cleared before the report');
  assert.match(c.out(), /^server\.ts:6:/m);
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

test('on a terminal the bar shows the project, the phase and files of total, then is cleared', async () => {
  const t = fakeTerminal();
  const r = await audit(['audit'], t.stream);
  assert.equal(r.code, 1);
  // Redraws are throttled in time, so only the first frame and the last are certain.
  const frames = t.drawn().match(/\.  analysed [^\x1B]*/g)!;
  assert.equal(frames[0], '.  analysed [===============---------------] 1/2 files');
  assert.equal(frames.at(-1), '.  analysed [==============================] 2/2 files');
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
  assert.match(t.drawn(), /analysed \[/);
});

test('without a terminal nothing but the report is written', async () => {
  const r = await audit(['audit']);
  assert.equal(r.stderr, '');
  assert.doesNotMatch(r.stdout + r.stderr, /analysed \[/);
});
