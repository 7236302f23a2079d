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
      errors: [{ line: L(2), column: 3, message: '`req.body.ids.forEach(async …)` in `POST /relink`' }],
    },
  ],
});
