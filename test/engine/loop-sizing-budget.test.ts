// A code action's loop sizing (Workspace.loopSizing) between an edit and its analysis must not change what the
// analysis follows: a file over the per-file budget that the edit newly imports is not followed into.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { normalizePath } from '../../server/src/engine/ast';
import { Workspace } from '../../server/src/engine/workspace';

const REPO = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

const BEFORE = ["import express from 'express';", 'const app = express();', "app.get('/x', (req, res) => {", "  res.send('ok');", '});', 'app.listen(3000);', ''].join('\n');
const AFTER = [
  "import express from 'express';",
  "import { parse } from '../../gen/parser';",
  'const app = express();',
  "app.get('/x', (req, res) => {",
  '  for (const a of [1, 2, 3]) {',
  '    parse(a);',
  '  }',
  "  res.send('ok');",
  '});',
  'app.listen(3000);',
  '',
].join('\n');
// Generated code nested deeper than the budget (MAX_NESTING), outside the folder: calls into it are not followed.
const PARSER = `import { readFileSync } from 'fs';\nexport function parse(a: unknown) {\n  readFileSync('/etc/x');\n${'  if (a) {\n'.repeat(600)}${'  }\n'.repeat(600)}}\n`;

function setup(): { dir: string; root: string; app: string } {
  const dir = normalizePath(mkdtempSync(join(tmpdir(), 'looplens-budget-stale-')));
  const root = `${dir}/svc`;
  mkdirSync(`${root}/src`, { recursive: true });
  mkdirSync(`${dir}/gen`);
  writeFileSync(`${dir}/gen/parser.ts`, PARSER);
  writeFileSync(`${root}/src/app.ts`, BEFORE);
  writeFileSync(`${root}/tsconfig.json`, JSON.stringify({ compilerOptions: { strict: true, module: 'commonjs', target: 'ES2022', esModuleInterop: true, types: ['node'] } }));
  symlinkSync(join(REPO, 'node_modules'), `${root}/node_modules`, 'dir');
  return { dir, root, app: `${root}/src/app.ts` };
}

const bounds = (ws: Workspace) => ws.analyze().handlers.map((h) => `${h.label} ${h.bound} ${h.bounds.map((b) => b.reason).join('; ')}`);

describe('per-file budget and loop sizing', () => {
  it('an edit then a code action on a loop: the analysis still does not follow calls into an over-budget file', () => {
    const { dir, root, app } = setup();
    try {
      // What a fresh analysis of the edited text says.
      const fresh = new Workspace({ root });
      fresh.setOverlay(app, AFTER);
      const expected = bounds(fresh);
      assert.ok(!expected.some((b) => b.includes('readFileSync')), `the over-budget parser is not followed: ${expected}`);
      // The editor: analysed, edited, a code action on the loop (before the debounced analysis), then analysed.
      const ws = new Workspace({ root });
      ws.analyze();
      ws.setOverlay(app, AFTER);
      ws.loopSizing(app, AFTER.indexOf('for (const a'));
      assert.deepEqual(bounds(ws), expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
