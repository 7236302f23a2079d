import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REMOVE_SUPPRESSION, fixesFor } from '../../server/src/engine/fixes/index';
import { resolveSettings } from '../../server/src/engine/settings';
import { applyFix, finding, lines, rangeOf } from './helpers';

const RULE = 'looplens/unused-suppression';

const rows: { name: string; code: string; comment: string; output: string }[] = [
  {
    name: 'a comment alone on its line goes with the line',
    code: lines('function f() {', '  // looplens-disable-next-line blocking-cpu -- old', '  return 1;', '}'),
    comment: '// looplens-disable-next-line blocking-cpu -- old',
    output: lines('function f() {', '  return 1;', '}'),
  },
  {
    name: 'a trailing comment goes with the blanks before it',
    code: lines('const a = 1; // looplens-disable-line', 'const b = 2;'),
    comment: '// looplens-disable-line',
    output: lines('const a = 1;', 'const b = 2;'),
  },
  {
    name: 'a block comment before code goes with the blanks after it',
    code: lines('/* looplens-disable */ const a = 1;'),
    comment: '/* looplens-disable */',
    output: lines('const a = 1;'),
  },
  {
    name: 'CRLF line endings, last line without a newline',
    code: 'a();\r\n  /* looplens-disable blocking-cpu */\r\nb();\r\n/* looplens-enable */',
    comment: '/* looplens-enable */',
    output: 'a();\r\n  /* looplens-disable blocking-cpu */\r\nb();\r\n',
  },
];

describe(REMOVE_SUPPRESSION, () => {
  for (const row of rows) {
    test(row.name, () => {
      assert.equal(applyFix(finding(RULE, rangeOf(row.code, row.comment), { kind: 'none' }), row.code, REMOVE_SUPPRESSION), row.output);
    });
  }

  test('is the only fix, not preferred (fix-all and --fix leave comments alone), titled by the directive', () => {
    const code = lines('// looplens-disable-next-line blocking-cpu', 'x();');
    const fixes = fixesFor(finding(RULE, rangeOf(code, '// looplens-disable-next-line blocking-cpu'), { kind: 'none' }), code, resolveSettings({}));
    assert.deepEqual(
      fixes.map((f) => [f.fixId, f.isPreferred, f.title]),
      [[REMOVE_SUPPRESSION, false, 'Remove unused looplens-disable-next-line comment']],
    );
  });

  test('not offered when the range no longer holds a directive', () => {
    const code = lines('// an ordinary comment here', 'x();');
    assert.equal(applyFix(finding(RULE, rangeOf(code, '// an ordinary comment here'), { kind: 'none' }), code, REMOVE_SUPPRESSION), undefined);
  });
});
