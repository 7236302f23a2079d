import { APP, APP_LINES } from '../prelude';
import { ruleTester } from '../ruleTester';

const L = (n: number) => APP_LINES + n;

/** A stand-in p-map package (the real one's declaration shape), so the case resolves `pMap` to package p-map. */
const P_MAP = {
  'node_modules/p-map/package.json': '{"name":"p-map","version":"7.0.0","types":"index.d.ts"}',
  'node_modules/p-map/index.d.ts':
    'export default function pMap<T, R>(input: Iterable<T>, mapper: (x: T) => Promise<R>, options?: { concurrency?: number }): Promise<R[]>;\n',
};

ruleTester('unbounded-fanout/promise-all', {
  valid: [
    {
      name: 'an untyped value that is not request input is not taken for a list',
      code: `declare const app: any;
declare const cache: any;
declare function save(id: string): Promise<void>;
app.post('/a', async (req: any, res: any) => { res.json(await Promise.all(cache.ids.map((id: string) => save(id)))); });`,
    },
    {
      name: 'a fixed tuple of promises',
      code: `${APP}app.get('/two', async (req, res) => res.json(await Promise.all([db.find(req.params['a']!), db.find(req.params['b']!)])));
app.listen(1);`,
    },
    {
      name: 'every call goes through a p-limit limiter',
      code: `${APP}import pLimit from 'p-limit';
const limit = pLimit(4);
app.post('/save', async (_req, res) => {
  const rows = await db.rows();
  await Promise.all(rows.map((r) => limit(() => db.save(r))));
  res.send('ok');
});
app.listen(1);`,
      files: {
        'node_modules/p-limit/package.json': '{"name":"p-limit","version":"7.0.0","types":"index.d.ts"}',
        'node_modules/p-limit/index.d.ts': 'export default function pLimit(n: number): <T>(fn: () => Promise<T>) => Promise<T>;\n',
      },
    },
    {
      name: 'a constant-length slice',
      code: `${APP}app.post('/top', async (req, res) => res.json(await Promise.all(req.body.ids.slice(0, 5).map((id) => db.find(id)))));
app.listen(1);`,
    },
    {
      name: 'chunks awaited one wave at a time',
      code: `${APP}declare function chunk<T>(xs: T[], n: number): T[][];
app.post('/bulk', async (_req, res) => {
  for (const batch of chunk(await db.rows(), 10)) {
    await Promise.all(batch.map((r) => db.save(r)));
  }
  res.send('ok');
});
app.listen(1);`,
    },
    {
      name: 'a synchronous map is not a fan-out',
      code: `${APP}app.get('/ids', async (_req, res) => res.json(await Promise.all((await db.rows()).map((r) => r.id))));
app.listen(1);`,
    },
    {
      name: 'mapping promises that were started elsewhere launches nothing',
      code: `${APP}app.post('/wait', async (_req, res) => {
  const pending: Promise<Row>[] = await Promise.resolve([]);
  res.json(await Promise.all(pending.map(async (p) => (await p).id)));
});
app.listen(1);`,
    },
    {
      name: 'p-map with a concurrency option',
      code: `${APP}import pMap from 'p-map';
app.post('/save', async (_req, res) => res.json(await pMap(await db.rows(), (r) => db.save(r), { concurrency: 4 })));
app.listen(1);`,
      files: P_MAP,
    },
  ],
  invalid: [
    {
      name: 'p-map without a concurrency option runs unbounded',
      code: `${APP}import pMap from 'p-map';
app.post('/save', async (_req, res) => {
  const rows = await db.rows();
  res.json(await pMap(rows, (r) => db.save(r)));
});
app.listen(1);`,
      files: P_MAP,
      errors: [
        {
          line: L(4),
          column: 18,
          message:
            '`pMap` over `rows` (from `await db.rows()`) in `POST /save` (server.ts:11) runs every operation at once: p-map runs with unbounded concurrency unless given `concurrency`. Pass a bound sized to the resource (`{ concurrency: 8 }`).',
        },
      ],
      output: `${APP}import pMap from 'p-map';
app.post('/save', async (_req, res) => {
  const rows = await db.rows();
  res.json(await pMap(rows, (r) => db.save(r), { concurrency: 8 }));
});
app.listen(1);`,
    },
    {
      name: 'Promise.all over rows mapped to saves',
      code: `${APP}app.post('/import', async (_req, res) => {
  const rows = await db.rows();
  await Promise.all(rows.map(async (r) => db.save(r)));
  res.send('ok');
});
app.listen(1);`,
      errors: [
        {
          line: L(3),
          column: 9,
          message:
            '`Promise.all` over `rows.map(…)` starts one `db.save(r)` per element at once in `POST /import` (server.ts:10); the number in flight grows with `rows` (from `await db.rows()`). Bound it with a concurrency limit (p-limit, p-map `concurrency`) sized to the resource.',
        },
      ],
      output: `import pLimit from 'p-limit';

const limit = pLimit(8);

${APP}app.post('/import', async (_req, res) => {
  const rows = await db.rows();
  await Promise.all(rows.map((r) => limit(async () => db.save(r))));
  res.send('ok');
});
app.listen(1);`,
    },
    {
      name: 'promises mapped into a variable, awaited later',
      code: `${APP}app.post('/notify', async (req, res) => {
  const sends = req.body.ids.map((id) => db.find(id));
  await Promise.allSettled(sends);
  res.send('ok');
});
app.listen(1);`,
      errors: [{ line: L(2), column: 17, message: '`req.body.ids.map(…)` starts one `db.find(id)` per element at once in `POST /notify` (server.ts:10); the number in flight grows with `req.body.ids` (request input).' }],
    },
    {
      name: 'a function reference as the callback, in a helper module',
      code: `${APP}import { saveAll } from './save';
app.post('/s', async (_req, res) => res.json(await saveAll(await db.rows())));
app.listen(1);`,
      files: {
        'save.ts': `import type {} from './server';
declare function persist(r: { id: string }): Promise<void>;
export async function saveAll(rows: { id: string }[]): Promise<number> {
  const done = await Promise.all(rows.map(persist));
  return done.length;
}
`,
      },
      errors: [{ file: 'save.ts', line: 4, column: 22, message: 'the number in flight grows with `rows` (parameter `rows` of `saveAll`).' }],
    },
    {
      name: 'a collection whose origin is not traced keeps the plain wording',
      code: `${APP}declare const queue: Row[];
app.post('/flush', async (_req, res) => {
  await Promise.all(queue.map((r) => db.save(r)));
  res.send('ok');
});
app.listen(1);`,
      errors: [{ line: L(3), column: 9, message: 'the number in flight grows with `queue`. Bound it' }],
    },
    {
      name: 'request input typed any (@types/express bodies, plain JavaScript) is still a list the client sizes',
      code: `declare const app: any;
declare function save(id: string): Promise<void>;
app.post('/a', async (req: any, res: any) => { res.json(await Promise.all(req.body.ids.map((id: string) => save(id)))); });`,
      errors: [{ line: 3, column: 63, message: 'the number in flight grows with `req.body.ids` (request input)' }],
    },
  ],
});
