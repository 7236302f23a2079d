// The fixture workspace the real-editor scenarios open: the lines they look at hold what they say.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURE_LINES, NEW_FANOUT, NEW_FANOUT_LINE_OFFSET } from './expected';
import { FIXTURE } from './harness';

const line = (file: string, n: number) => readFileSync(join(FIXTURE, file), 'utf8').split('\n')[n - 1];

test('e2e fixture: the scenario lines are the fan-outs and the data loop', () => {
  assert.match(line('src/routes.ts', FIXTURE_LINES.fanout)!, /await Promise\.all\(items\.map\(async \(item\) => fetchThing\(item\)\)\)/);
  assert.match(line('src/routes.ts', FIXTURE_LINES.dataLoop)!, /^\s*for \(const person of people\) \{/);
  assert.match(line('src/routes.ts', FIXTURE_LINES.dataLoop + 1)!, /^\s*for \(const team of teams\) \{/);
  assert.match(line('src/notify.ts', FIXTURE_LINES.notifyFanout)!, /await Promise\.all\(users\.map\(async \(user\) => sendMail\(user\)\)\)/);
  assert.match(NEW_FANOUT.split('\n')[NEW_FANOUT_LINE_OFFSET]!, /Promise\.all\(items\.map/);
});

test('e2e fixture: routes.ts ends with one newline, so typing at the end lands on known lines', () => {
  const text = readFileSync(join(FIXTURE, 'src/routes.ts'), 'utf8');
  assert.ok(text.endsWith(');\n') && !text.endsWith('\n\n'));
});
