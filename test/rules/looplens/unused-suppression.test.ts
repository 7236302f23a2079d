import { APP, APP_LINES } from '../prelude';
import { ruleTester } from '../ruleTester';

const L = (n: number) => APP_LINES + n;
const SYNC = `import { pbkdf2Sync } from 'node:crypto';\n`;

ruleTester('looplens/unused-suppression', {
  valid: [
    {
      name: 'disable-next-line with a reason silences the finding below it',
      code: `${APP}${SYNC}app.post('/login', (req, res) => {
  // looplens-disable-next-line blocking-cpu/sync-call -- runs once per deploy, behind an admin route
  res.send(pbkdf2Sync(req.body.text, 's', 1000, 32, 'sha256').toString('hex'));
});
app.listen(1);`,
    },
    {
      name: 'a family id and a block comment',
      code: `${APP}${SYNC}app.post('/login', (req, res) => {
  /* looplens-disable-next-line blocking-cpu -- reason */
  res.send(pbkdf2Sync(req.body.text, 's', 1000, 32, 'sha256').toString('hex'));
});
app.listen(1);`,
    },
    {
      name: 'disable-line on the finding line, no rule = every rule',
      code: `${APP}${SYNC}app.post('/login', (req, res) => {
  res.send(pbkdf2Sync(req.body.text, 's', 1000, 32, 'sha256').toString('hex')); // looplens-disable-line
});
app.listen(1);`,
    },
    {
      name: 'a disable … enable block around two findings',
      code: `${APP}${SYNC}app.post('/login', (req, res) => {
  /* looplens-disable blocking-cpu/sync-call -- legacy */
  const a = pbkdf2Sync(req.body.text, 's', 1000, 32, 'sha256');
  const b = pbkdf2Sync(req.body.text, 't', 1000, 32, 'sha256');
  /* looplens-enable */
  res.send(a.toString('hex') + b.toString('hex'));
});
app.listen(1);`,
    },
    {
      name: 'a directive-like text in a string is no directive',
      code: `${APP}app.get('/help', (_req, res) => res.send('// looplens-disable-next-line blocking-cpu'));
app.listen(1);`,
    },
  ],
  invalid: [
    {
      name: 'nothing reported on the next line',
      code: `${APP}app.get('/ok', (_req, res) => {
  // looplens-disable-next-line blocking-cpu/sync-call -- was pbkdf2Sync
  res.send('ok');
});
app.listen(1);`,
      errors: [
        {
          line: L(2),
          column: 3,
          message: '`looplens-disable-next-line blocking-cpu/sync-call` silences nothing: no blocking-cpu/sync-call finding is reported on the next line. Remove the comment.',
        },
      ],
    },
    {
      name: 'an unknown rule id',
      code: `${APP}${SYNC}app.post('/login', (req, res) => {
  // looplens-disable-next-line blocking-cpu/sync-cal -- typo
  res.send(pbkdf2Sync(req.body.text, 's', 1000, 32, 'sha256').toString('hex'));
});
app.listen(1);`,
      errors: [
        {
          line: L(3),
          column: 3,
          message: '`looplens-disable-next-line blocking-cpu/sync-cal` names no LoopLens rule or family (blocking-cpu/sync-cal), so it silences nothing. Remove or correct the comment.',
        },
        { ruleId: 'blocking-cpu/sync-call', line: L(4), column: 12 },
      ],
    },
    {
      name: 'a block whose rule does not match what is inside, and the finding still reported',
      code: `${APP}${SYNC}app.post('/login', (req, res) => {
  /* looplens-disable unbounded-fanout */
  const a = pbkdf2Sync(req.body.text, 's', 1000, 32, 'sha256');
  /* looplens-enable */
  res.send(a.toString('hex'));
});
app.listen(1);`,
      errors: [
        { line: L(3), column: 3, message: 'no unbounded-fanout finding is reported before the matching looplens-enable' },
        { ruleId: 'blocking-cpu/sync-call', line: L(4), column: 13 },
      ],
    },
    {
      name: 'a finding after looplens-enable is not silenced by the block',
      code: `${APP}${SYNC}app.post('/login', (req, res) => {
  /* looplens-disable blocking-cpu */
  /* looplens-enable */
  res.send(pbkdf2Sync(req.body.text, 's', 1000, 32, 'sha256').toString('hex'));
});
app.listen(1);`,
      errors: [
        { line: L(3), column: 3 },
        { ruleId: 'blocking-cpu/sync-call', line: L(5), column: 12 },
      ],
    },
  ],
});
