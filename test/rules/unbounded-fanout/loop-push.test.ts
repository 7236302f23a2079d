import { APP, APP_LINES } from '../prelude';
import { ruleTester } from '../ruleTester';

const L = (n: number) => APP_LINES + n;

ruleTester('unbounded-fanout/loop-push', {
  valid: [
    {
      name: 'each promise is awaited in turn',
      code: `${APP}app.post('/seq', async (_req, res) => {
  for (const r of await db.rows()) await db.save(r);
  res.send('ok');
});
app.listen(1);`,
    },
    {
      name: 'pushing plain values',
      code: `${APP}app.post('/ids', async (_req, res) => {
  const ids: string[] = [];
  for (const r of await db.rows()) ids.push(r.id);
  res.json(ids);
});
app.listen(1);`,
    },
    {
      name: 'a constant number of iterations',
      code: `${APP}app.post('/warm', async (_req, res) => {
  const ps: Promise<unknown>[] = [];
  for (let i = 0; i < 3; i++) ps.push(db.find(String(i)));
  res.json(await Promise.all(ps));
});
app.listen(1);`,
    },
  ],
  invalid: [
    {
      name: 'promises pushed in a for…of loop',
      code: `${APP}app.post('/refresh', async (_req, res) => {
  const pending: Promise<void>[] = [];
  for (const r of await db.rows()) {
    pending.push(db.save(r));
  }
  await Promise.all(pending);
  res.send('ok');
});
app.listen(1);`,
      errors: [
        {
          line: L(3),
          column: 3,
          message:
            'Loop over `await db.rows()` starts `db.save(r)` on every iteration without awaiting it, in `POST /refresh` (server.ts:10): all of them run at once and the number grows with the data. Bound them with a concurrency limit (p-limit) or await each one.',
        },
      ],
      output: `import pLimit from 'p-limit';

const limit = pLimit(8);

${APP}app.post('/refresh', async (_req, res) => {
  const pending: Promise<void>[] = [];
  for (const r of await db.rows()) {
    pending.push(limit(() => db.save(r)));
  }
  await Promise.all(pending);
  res.send('ok');
});
app.listen(1);`,
    },
    {
      name: 'floating promises started in a loop over request input',
      code: `${APP}app.post('/fire', (req, res) => {
  for (const id of req.body.ids) void db.find(id);
  res.send('queued');
});
app.listen(1);`,
      errors: [{ line: L(2), column: 3, message: 'Loop over `req.body.ids` (request input) starts `db.find(id)` on every iteration' }],
    },
    {
      name: 'promises stored from a loop over an awaited result',
      code: `${APP}app.post('/touch', async (_req, res) => {
  const rows = await db.rows();
  const ps: Promise<void>[] = [];
  for (const r of rows) ps[ps.length] = db.save(r);
  await Promise.all(ps);
  res.send('ok');
});
app.listen(1);`,
      errors: [{ line: L(4), column: 3, message: 'Loop over `rows` (from `await db.rows()`) starts `db.save(r)` on every iteration' }],
    },
    {
      name: 'a helper\'s parameter: its callers decide the size',
      code: `${APP}async function saveAll(items: Row[]): Promise<void> {
  for (const r of items) void db.save(r);
}
app.post('/all', async (_req, res) => {
  await saveAll(await db.rows());
  res.send('ok');
});
app.listen(1);`,
      errors: [{ line: L(2), column: 3, message: 'Loop over `items` (parameter `items` of `saveAll`) starts `db.save(r)`' }],
    },
  ],
});
