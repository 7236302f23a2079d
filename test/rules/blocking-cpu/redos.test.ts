import { APP, APP_LINES } from '../prelude';
import { ruleTester } from '../ruleTester';

const L = (n: number) => APP_LINES + n;

ruleTester('blocking-cpu/redos', {
  valid: [
    {
      name: 'linear regexes',
      code: `${APP}app.post('/clean', (req, res) => {
  res.send(req.body.text.replace(/[^a-z0-9-]/gi, '').replace(/\\.(\\w+)$/, '.$1'));
});
app.listen(1);`,
    },
    {
      name: 'a super-linear regex applied to a literal',
      code: `${APP}app.get('/x', (_req, res) => res.json(/^(a+)+$/.test('aaa')));
app.listen(1);`,
    },
  ],
  invalid: [
    {
      name: 'exponential regex held in a const, applied to the body',
      code: `${APP}const LINK = /\\[[^\\]]*\\]\\s*\\(*(.*?)*\\)/g;
app.post('/links', (req, res) => res.json(req.body.text.match(LINK)));
app.listen(1);`,
      errors: [{ line: L(2), column: 43, message: 'has exponential backtracking' }],
    },
    {
      name: 'new RegExp with a literal source',
      code: `${APP}const NESTED = new RegExp('^(\\\\w+\\\\s?)*$');
app.post('/v', (req, res) => res.json(NESTED.test(req.body.text)));
app.listen(1);`,
      errors: [{ line: L(2), column: 39, message: 'backtracking' }],
    },
  ],
});
