// Text, JSON and Markdown formatters on a hand-built result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderText } from '../../server/src/report/text';
import { renderJson } from '../../server/src/report/json';
import { renderMarkdownReport } from '../../server/src/report/markdown';
import { sampleResult } from './helpers';

const ROOT = '/work/app';

test('text: one line per finding, grouped per file, summary last', () => {
  const text = renderText(sampleResult(ROOT), ROOT);
  assert.equal(
    text,
    [
      'src/lib/notify.ts:4:9  warning  Promise.all starts one notify per watcher with no limit.  unbounded-fanout/promise-all',
      '',
      'src/server.ts:10:1   error    POST /login is CPU-bound | and shares the process with I/O-bound GET /items.  mixed-bound/cpu-beside-io',
      'src/server.ts:11:17  warning  POST /login calls pbkdf2Sync on the event loop.  blocking-cpu/sync-call',
      '',
      'Skipped:',
      '  src/generated.ts: generated file',
      '',
      '3 problems (1 error, 2 warnings) in 2 files (2 files analysed, 1 handler, 1 skipped).',
      '',
    ].join('\n'),
  );
});

test('text: clean result says so', () => {
  assert.equal(renderText({ handlers: [], findings: [], skipped: [], files: ['/a/b.ts'] }, '/a'), 'No problems found (1 file analysed, 0 handlers).\n');
});

test('json: the AnalysisResult with relative paths', () => {
  const json = JSON.parse(renderJson(sampleResult(ROOT), ROOT));
  assert.equal(json.root, ROOT);
  assert.deepEqual(json.files, ['src/server.ts', 'src/lib/notify.ts']);
  assert.deepEqual(json.findings.map((f: { location: { file: string } }) => f.location.file), ['src/lib/notify.ts', 'src/server.ts', 'src/server.ts']);
  assert.equal(json.findings[0].chain[1].file, 'src/server.ts');
  assert.equal(json.findings[0].handler.id, 'src/server.ts:10:1');
  assert.equal(json.findings[0].handler.registration.file, 'src/server.ts');
  assert.equal(json.handlers[0].id, 'src/server.ts:10:1');
  assert.equal(json.handlers[0].domain, 'src/server.ts');
  assert.equal(json.handlers[0].bounds[0].chain[0].file, 'src/server.ts');
  assert.deepEqual(json.skipped, [{ file: 'src/generated.ts', reason: 'generated file' }]);
  assert.deepEqual(json.findings[0].location.range.start, { line: 3, character: 8 }, 'ranges stay zero-based');
  assert.doesNotMatch(JSON.stringify(json.findings), /\/work\/app/);
});

test('markdown: handlers sorted by registration; pipes escaped in table cells only; code spans kept', () => {
  const result = sampleResult(ROOT);
  const h = result.handlers[0]!;
  result.handlers = [
    { ...h, id: 'b', label: 'GET /a|b', registration: { ...h.registration, range: { ...h.registration.range, start: { line: 12, character: 0 } } } },
    { ...h, id: 'a', label: 'GET /first', registration: { ...h.registration, range: { ...h.registration.range, start: { line: 7, character: 0 } } } },
  ];
  result.findings[1]!.message = 'calls `pbkdf2Sync` with `/\\d+/`';
  const md = renderMarkdownReport(result, ROOT);
  assert.ok(md.indexOf('GET /first') < md.indexOf('GET /a\\|b'), md);
  assert.ok(md.includes('calls `pbkdf2Sync` with `/\\d+/`'));
});

test('markdown: handler table with route, file:line, bound and findings; findings with chains', () => {
  const md = renderMarkdownReport(sampleResult(ROOT), ROOT);
  assert.match(md, /^# LoopLens audit\n/);
  assert.match(
    md,
    /\| POST \/login \| express \| `src\/server\.ts:10` \| cpu \| `unbounded-fanout\/promise-all`, `mixed-bound\/cpu-beside-io`, `blocking-cpu\/sync-call` \|/,
  );
  assert.match(md, /### src\/lib\/notify\.ts/);
  assert.match(md, /path: POST \/login \(`src\/server\.ts:10`\) → calls notifyAll \(`src\/server\.ts:12`\) → Promise\.all over watchers/);
  assert.ok(md.includes('POST /login is CPU-bound | and shares the process'), 'messages are kept as written outside tables');
  assert.match(md, /## Skipped files\n\n- `src\/generated\.ts`: generated file/);
});

test('markdown: a mixed handler names the classes it is made of', () => {
  const result = sampleResult(ROOT);
  const h = result.handlers[0]!;
  result.handlers = [{ ...h, bound: 'mixed', bounds: [...h.bounds, { bound: 'threadpool', chain: [], reason: 'readFile (node:fs, libuv thread pool)' }] }];
  assert.match(renderMarkdownReport(result, ROOT), /\| POST \/login \| express \| `src\/server\.ts:10` \| mixed \(cpu \+ threadpool\) \|/);
});
