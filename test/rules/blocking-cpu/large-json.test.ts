import { APP, APP_LINES } from '../prelude';
import { ruleTester } from '../ruleTester';

const L = (n: number) => APP_LINES + n;

ruleTester('blocking-cpu/large-json', {
  valid: [
    {
      name: 'JSON.parse of an untyped value that is not the request body',
      code: `declare const app: any;
declare const settingsText: any;
app.post('/d', (req: any, res: any) => { res.json(JSON.parse(settingsText)); });`,
    },
    {
      name: 'small fixed-shape value',
      code: `${APP}interface Prefs { theme: string; lang: string }
app.get('/prefs', (req, res) => {
  const prefs = JSON.parse(req.body.text) as Prefs;
  res.send(JSON.stringify({ theme: prefs.theme }));
});
app.listen(1);`,
    },
    {
      name: 'a record with only an index signature',
      code: `${APP}app.post('/one', (req, res) => res.send(JSON.stringify(req.params, null, 2)));
app.listen(1);`,
    },
    {
      name: 'untyped parse of a short string that is not a body',
      code: `${APP}app.get('/q', (req, res) => res.json(JSON.parse(req.params['filter'] ?? '{}')));
app.listen(1);`,
    },
  ],
  invalid: [
    {
      name: 'stringify of a result set',
      code: `${APP}app.get('/export', async (_req, res) => {
  const rows = await db.rows();
  res.send(JSON.stringify(rows));
});
app.listen(1);`,
      errors: [{ line: L(3), column: 12, message: '`JSON.stringify` of `rows` (holds `[]`)' }],
    },
    {
      name: 'stringify of a union: the member that is itself a collection is named, whichever member the checker lists first',
      code: `${APP}interface Item { n: number }
interface Filter { oneOf: { ids: Item[] } }
declare function query(): Promise<Filter | Item[]>;
app.get('/view', async (_req, res) => {
  const view = { query: await query() };
  res.send(JSON.stringify(view.query));
});
app.listen(1);`,
      errors: [{ line: L(6), column: 12, message: '`JSON.stringify` of `view.query` (holds `[]`)' }],
    },
    {
      name: 'parse typed to hold an array',
      code: `${APP}app.post('/ingest', (req, res) => {
  const batch = JSON.parse(req.body.text) as { device: string; samples: number[] };
  res.json({ n: batch.samples.length });
});
app.listen(1);`,
      errors: [{ line: L(2), column: 17, message: 'typed to hold `samples[]`' }],
    },
    {
      name: 'untyped parse of a whole request body',
      code: `import { createServer, type IncomingMessage } from 'node:http';
declare function readBody(req: IncomingMessage): Promise<string>;
createServer(async (req, res) => {
  const raw = await readBody(req);
  const data = JSON.parse(raw);
  res.end(String(Object.keys(data).length));
}).listen(1);`,
      errors: [{ line: 5, column: 16, message: 'a whole request body' }],
    },
    {
      name: 'JSON.parse of the raw request body typed any',
      code: `declare const app: any;
app.post('/d', (req: any, res: any) => { res.json(JSON.parse(req.body)); });`,
      errors: [{ line: 2, column: 51, message: '`JSON.parse` of a whole request body runs synchronously on the event loop in `POST /d`' }],
    },
  ],
});
