import { APP, APP_LINES } from '../prelude';
import { ruleTester } from '../ruleTester';

const L = (n: number) => APP_LINES + n;

ruleTester('unbounded-fanout/foreach-async', {
  valid: [
    {
      name: 'a synchronous forEach',
      code: `${APP}app.post('/log', (req, res) => {
  req.body.ids.forEach((id) => console.log(id));
  res.send('ok');
});
app.listen(1);`,
    },
    {
      name: 'async forEach over a fixed list',
      code: `${APP}app.post('/warm', (_req, res) => {
  ['a', 'b'].forEach(async (id) => { await db.find(id); });
  res.send('ok');
});
app.listen(1);`,
    },
  ],
  invalid: [
    {
      name: 'async callback over request ids',
      code: `${APP}app.post('/relink', (req, res) => {
  req.body.ids.forEach(async (id) => {
    const row = await db.find(id);
    await db.save(row);
  });
  res.json({ queued: req.body.ids.length });
});
app.listen(1);`,
      errors: [
        {
          line: L(2),
          column: 3,
          message:
            '`req.body.ids.forEach(async …)` in `POST /relink` (server.ts:10) starts one operation per element at once and awaits none of them; the number in flight grows with `req.body.ids` (request input) and failures go unhandled. Use `for…of` with `await`, or p-map with a `concurrency` limit.',
        },
      ],
    },
    {
      name: 'promise-returning callback over an awaited result',
      code: `${APP}app.post('/resave', async (_req, res) => {
  const rows = await db.rows();
  rows.forEach((r) => db.save(r));
  res.send('ok');
});
app.listen(1);`,
      errors: [{ line: L(3), column: 3, message: '`rows.forEach(async …)` in `POST /resave` (server.ts:10) starts one operation per element at once and awaits none of them; the number in flight grows with `rows` (from `await db.rows()`) and failures go unhandled.' }],
    },
    {
      name: 'request input typed any (@types/express bodies, plain JavaScript)',
      code: `declare const app: any;
declare function save(id: string): Promise<void>;
app.post('/c', (req: any, res: any) => { req.body.ids.forEach(async (id: string) => { await save(id); }); res.json(1); });`,
      errors: [{ line: 3, column: 42, message: '`req.body.ids.forEach(async …)` in `POST /c`' }],
    },
  ],
});
