import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DISABLE_NEXT_LINE, DISABLE_REASON_PLACEHOLDER, fixesFor } from '../../server/src/engine/fixes/index';
import { resolveSettings } from '../../server/src/engine/settings';
import type { FixData } from '../../server/src/engine/types';
import { applyFix, finding, fixWithId, lines, rangeOf } from './helpers';

const TODO = DISABLE_REASON_PLACEHOLDER;

const rows: { name: string; ruleId: string; code: string; at: string; launch?: string; output: string }[] = [
  {
    name: 'indented like the finding line',
    ruleId: 'blocking-cpu/sync-call',
    code: lines("import crypto from 'node:crypto';", "app.post('/login', (req, res) => {", "  const hash = crypto.pbkdf2Sync(req.body.pw, salt, 100000, 64, 'sha512');", '  res.send(hash);', '});'),
    at: 'crypto.pbkdf2Sync(',
    output: lines(
      "import crypto from 'node:crypto';",
      "app.post('/login', (req, res) => {",
      `  // looplens-disable-next-line blocking-cpu/sync-call -- ${TODO}`,
      "  const hash = crypto.pbkdf2Sync(req.body.pw, salt, 100000, 64, 'sha512');",
      '  res.send(hash);',
      '});',
    ),
  },
  {
    name: 'first line of the file',
    ruleId: 'blocking-cpu/large-json',
    code: 'const data = JSON.parse(readFileSync(p, "utf8"));\n',
    at: 'JSON.parse(',
    output: `// looplens-disable-next-line blocking-cpu/large-json -- ${TODO}\nconst data = JSON.parse(readFileSync(p, "utf8"));\n`,
  },
  {
    name: 'tabs and CRLF are kept',
    ruleId: 'blocking-cpu/redos',
    code: 'function ok(s) {\r\n\treturn /^(a+)+$/.test(s);\r\n}\r\n',
    at: '/^(a+)+$/',
    output: `function ok(s) {\r\n\t// looplens-disable-next-line blocking-cpu/redos -- ${TODO}\r\n\treturn /^(a+)+$/.test(s);\r\n}\r\n`,
  },
  {
    name: 'offered beside the wrap fix for a fan-out',
    ruleId: 'unbounded-fanout/promise-all',
    code: lines('export async function f(xs: string[]) {', '  await Promise.all(xs.map((x) => fetch(x)));', '}'),
    at: 'Promise.all(',
    launch: '(x) => fetch(x)',
    output: lines('export async function f(xs: string[]) {', `  // looplens-disable-next-line unbounded-fanout/promise-all -- ${TODO}`, '  await Promise.all(xs.map((x) => fetch(x)));', '}'),
  },
];

/** `none`, or a fan-out fix whose launch is the `launch` marker. */
function fixData(row: (typeof rows)[number]): FixData {
  if (!row.launch) return { kind: 'none' };
  return { kind: 'limit-fanout', launch: rangeOf(row.code, row.launch), limit: 8, limitReason: 'looplens.concurrency.io setting' };
}

describe(DISABLE_NEXT_LINE, () => {
  for (const row of rows) {
    test(row.name, () => {
      const f = finding(row.ruleId, rangeOf(row.code, row.at), fixData(row));
      assert.equal(applyFix(f, row.code, DISABLE_NEXT_LINE), row.output);
    });
  }

  test('title names the rule; not preferred; listed after the real fixes', () => {
    const row = rows[3];
    const fixes = fixesFor(finding(row.ruleId, rangeOf(row.code, row.at), fixData(row)), row.code, resolveSettings({}));
    assert.deepEqual(
      fixes.map((f) => [f.fixId, f.isPreferred]),
      [
        ['looplens.wrap-p-limit', true],
        ['looplens.p-map', false],
        ['looplens.chunked', false],
        [DISABLE_NEXT_LINE, false],
      ],
    );
    assert.equal(fixes[3].title, 'Disable unbounded-fanout/promise-all for this line');
  });

  test('not offered when the line starts inside a template literal', () => {
    const code = 'const q = `\nselect ${JSON.parse(big).id}\n`;\n';
    const f = finding('blocking-cpu/large-json', rangeOf(code, 'JSON.parse('), { kind: 'none' });
    assert.equal(fixWithId(f, code, DISABLE_NEXT_LINE), undefined);
  });
});
