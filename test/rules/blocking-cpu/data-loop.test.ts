import { APP, APP_LINES } from '../prelude';
import { ruleTester } from '../ruleTester';

const L = (n: number) => APP_LINES + n;

ruleTester('blocking-cpu/data-loop', {
  valid: [
    {
      name: 'constant loop bound',
      code: `${APP}app.post('/code', (_req, res) => {
  let code = '';
  for (let i = 0; i < 8; i++) for (let j = 0; j < 4; j++) code += String(i * j);
  res.send(code);
});
app.listen(1);`,
    },
    {
      name: 'a single pass over data is linear and cheap',
      code: `${APP}app.get('/emails', async (_req, res) => {
  const rows = await db.rows();
  res.json(rows.filter((r) => r.email.endsWith('.org')).map((r) => r.email));
});
app.listen(1);`,
    },
    {
      name: 'each iteration awaits: the loop yields to the event loop',
      code: `${APP}app.post('/reindex', async (req, res) => {
  for (const id of req.body.ids) {
    const row = await db.find(id);
    for (const t of row.tags) console.log(t);
  }
  res.send('ok');
});
app.listen(1);`,
    },
    {
      name: 'inner lookups through a Set are constant time',
      code: `${APP}app.post('/known', async (req, res) => {
  const known = new Set((await db.rows()).map((r) => r.id));
  res.json(req.body.ids.filter((id) => known.has(id)));
});
app.listen(1);`,
    },
    {
      name: 'nested loops over fixed tuples',
      code: `${APP}const SIZES = [1, 2, 3] as const;
app.get('/grid', (_req, res) => {
  const out: number[] = [];
  for (const a of SIZES) for (const b of ['x', 'y']) out.push(a + b.length);
  res.json(out);
});
app.listen(1);`,
    },
    {
      name: 'an async function started per row is a fan-out, not inner CPU work',
      code: `${APP}async function reindex(r: Row, all: Row[]): Promise<void> {
  await db.save(r);
  for (const o of all) if (o.tags.includes(r.id)) await db.save(o);
}
app.post('/reindex', async (_req, res) => {
  const rows = await db.rows();
  for (const r of rows) void reindex(r, rows);
  res.send('ok');
});
app.listen(1);`,
    },
    {
      name: 'rows × their columns is linear in the rows',
      code: `${APP}app.get('/csv', async (req, res) => {
  const rows = await db.rows();
  const columns = req.body.items;
  res.send(rows.map((r) => columns.map((c) => String((r as unknown as Record<string, unknown>)[c])).join(',')).join('\\n'));
});
app.listen(1);`,
    },
    {
      name: 'for…in walks an object\'s keys (its shape), like Object.keys',
      code: `${APP}app.get('/flat', async (_req, res) => {
  const rows = await db.rows();
  const out: string[] = [];
  for (const r of rows) for (const k in r) out.push(k);
  res.json(out);
});
app.listen(1);`,
    },
    {
      name: 'input rejected above a constant length before the nested loop',
      code: `${APP}app.post('/match', (req, res) => {
  if (req.body.ids.length > 50) return res.send('too many');
  let n = 0;
  for (const a of req.body.ids) for (const b of req.body.ids) if (a < b) n++;
  res.json({ n });
});
app.listen(1);`,
    },
    {
      name: 'one page of a query',
      code: `${APP}declare const users: { find(q: { take: number }): Promise<Row[]> };
app.get('/page', async (req, res) => {
  const page = await users.find({ take: 50 });
  res.json(page.map((u) => req.body.items.includes(u.id)));
});
app.listen(1);`,
    },
    {
      name: 'a part of the current row (row[column]) is linear in the data: rows × their own values',
      code: `${APP}app.get('/attachments', async (_req, res) => {
  const rows = (await db.rows()) as unknown as Record<string, { key: string }[]>[];
  const keys: string[] = [];
  for (const row of rows) for (const column of ['a', 'b', 'c']) keys.push(...row[column]!.map((a) => a.key));
  res.json(keys);
});
app.listen(1);`,
    },
    {
      name: 'each message\'s own parts, through a callback parameter',
      code: `${APP}interface Msg { parts: { text: string }[] }
declare const store: { messages(): Promise<Msg[]> };
app.get('/texts', async (_req, res) => {
  const messages = await store.messages();
  res.json(messages.map((m) => m.parts.filter((p) => p.text.length > 0).map((p) => p.text)));
});
app.listen(1);`,
    },
    {
      name: 'a helper that loops over the element it is given is per-element work',
      code: `${APP}interface Doc { id: string; attachments: { key: string }[] }
declare const docs: { all(): Promise<Doc[]> };
function keysOf(doc: Doc): string[] {
  return doc.attachments.filter((a) => a.key.startsWith('s3/')).map((a) => a.key);
}
app.get('/keys', async (_req, res) => {
  const all = await docs.all();
  const out: string[][] = [];
  for (const d of all) out.push(keysOf(d));
  res.json(out.concat(all.map(keysOf)));
});
app.listen(1);`,
    },
    {
      name: 'steps × a catalogue built once at module load (config-sized)',
      code: `${APP}declare const registry: { list(): { type: string }[] };
const CATALOGUE = registry.list();
interface Step { type: string }
declare const automations: { steps(id: string): Promise<Step[]> };
app.get('/steps/:id', async (req, res) => {
  const steps = await automations.steps(req.params['id']!);
  res.json(steps.map((s) => CATALOGUE.find((d) => d.type === s.type)));
});
app.listen(1);`,
    },
    {
      name: 'rows × a table\'s schema fields (a schema part of a stored document)',
      code: `${APP}interface Table { schema: Record<string, { name: string; type: string }>; fields: { name: string; type: string }[] }
declare const tables: { get(id: string): Promise<Table> };
app.get('/rows/:table', async (req, res) => {
  const table = await tables.get(req.params['table']!);
  const rows = (await db.rows()) as unknown as Record<string, unknown>[];
  res.json(rows.map((r) => table.fields.filter((f) => f.type === 'number' && typeof r[f.name] !== 'number')));
});
app.listen(1);`,
    },
    {
      name: 'required fields × the existing ones: names of schema parts (last-resort heuristic)',
      code: `${APP}interface Field { name: string; required: boolean }
declare const meta: { load(): Promise<{ all: Field[]; current: Field[] }> };
app.post('/check', async (_req, res) => {
  const { all, current } = await meta.load();
  const requiredFields = all.filter((f) => f.required);
  const existingFields = current;
  res.json(requiredFields.filter((f) => !existingFields.find((e) => e.name === f.name)));
});
app.listen(1);`,
    },
    {
      name: 'a recursive walk down a tree visits each node once',
      code: `${APP}interface Node { type: string; children?: Node[] }
declare const pages: { tree(): Promise<Node> };
function collect(node: Node, found: string[]): void {
  if (!found.includes(node.type)) found.push(node.type);
  node.children?.forEach((child) => collect(child, found));
}
app.get('/types', async (_req, res) => {
  const found: string[] = [];
  collect(await pages.tree(), found);
  res.json(found);
});
app.listen(1);`,
    },
    {
      name: 'a while loop over steps, a schema part by its name',
      code: `${APP}interface FlowStep { id: string; inputs: Record<string, string> }
function upgrade(steps: FlowStep[], known: string[]): FlowStep[] {
  const out: FlowStep[] = [];
  let i = 0;
  while (i < steps.length) {
    if (known.includes(steps[i]!.id)) out.push(steps[i]!);
    i++;
  }
  return out;
}
declare const flows: { get(id: string): Promise<{ steps: FlowStep[]; known: string[] }> };
app.get('/automations/:id', async (req, res) => {
  const a = await flows.get(req.params['id']!);
  res.json(upgrade(a.steps, a.known));
});
app.listen(1);`,
    },
    {
      name: 'each row copied key by key: the accumulator grows with a row\'s keys, not with the rows',
      code: `${APP}app.get('/trimmed', async (_req, res) => {
  const rows = (await db.rows()) as unknown as Record<string, unknown>[];
  const allowed = ['id', 'email'];
  res.json(rows.map((row) => Object.keys(row).filter((k) => allowed.includes(k)).reduce((acc, k) => ({ ...acc, [k]: row[k] }), {})));
});
app.listen(1);`,
    },
    {
      name: 'tables fetched for the ids a schema lists × the linked rows',
      code: `${APP}interface LinkTable { id: string; schema: Record<string, { tableId?: string }> }
declare const tableStore: { get(id: string): Promise<LinkTable>; getMany(ids: string[]): Promise<LinkTable[]> };
declare const rowsOf: { linked(id: string): Promise<(Row & { tableId: string })[]> };
app.get('/linked/:table/:row', async (req, res) => {
  const table = await tableStore.get(req.params['table']!);
  const linkedRows = await rowsOf.linked(req.params['row']!);
  const linkTableIds = Object.values(table.schema).map((c) => c.tableId!);
  const linkTables = await tableStore.getMany(linkTableIds);
  res.json(linkTables.map((t) => linkedRows.filter((r) => r.tableId === t.id)));
});
app.listen(1);`,
    },
    {
      name: 'a reassigned variable keeps the origin of every value it is given (a cell of the current row)',
      code: `${APP}app.get('/refs', async (_req, res) => {
  const rows = (await db.rows()) as unknown as Record<string, unknown>[];
  res.json(rows.map((row) => {
    let refs = (row['refs'] as { id: string }[] | undefined) ?? [];
    if (typeof row['refs'] === 'string') refs = JSON.parse(row['refs']) as { id: string }[];
    return refs.map((r) => r.id);
  }));
});
app.listen(1);`,
    },
  ],
  invalid: [
    {
      name: 'query results whose parameters are a literal array are still data (the array is not a list of keys)',
      code: `${APP}declare const sql: { query<T>(text: string, params: unknown[]): Promise<T[]> };
app.get('/reconcile', async (req, res) => {
  const orders = await sql.query<Row>('select * from orders where day = $1', [req.query['day']]);
  const payments = await sql.query<Row>('select * from payments where day = $1', [req.query['day']]);
  res.json(orders.map((o) => payments.filter((p) => p.email === o.email).length));
});
app.listen(1);`,
      errors: [{ line: L(5), column: 12, message: "Loop over `orders` (from `await sql.query<Row>('select * from ord…`) runs `payments.filter` (from `await sql.query<Row>('select * from pay…`) on every iteration" }],
    },
    {
      name: 'a self-join inside each group is still quadratic in the group',
      code: `${APP}interface Group { members: Row[] }
declare const groups: { all(): Promise<Group[]> };
app.get('/dupes', async (_req, res) => {
  const all = await groups.all();
  let n = 0;
  for (const g of all) for (const a of g.members) n += g.members.filter((b) => b.email === a.email).length;
  res.json({ n });
});
app.listen(1);`,
      errors: [{ line: L(6), column: 3, message: 'Loop over `all` (from `await groups.all()`) runs `g.members.filter` on every iteration' }],
    },
    {
      name: 'a directory listing × a scan of another listing',
      code: `${APP}import { readdirSync } from 'node:fs';
app.get('/orphans', (req, res) => {
  const uploads = readdirSync('/srv/uploads');
  const thumbs = readdirSync('/srv/thumbs');
  res.json(uploads.filter((f) => !thumbs.includes(f)));
});
app.listen(1);`,
      errors: [{ line: L(5), column: 12, message: 'Loop over `uploads` (a directory listing, `readdirSync(\'/srv/uploads\')`) runs `thumbs.includes` (a directory listing, `readdirSync(\'/srv/thumbs\')`)' }],
    },
    {
      name: 'request input through destructuring, result through a helper',
      code: `${APP}async function loadRows(): Promise<Row[]> {
  return db.rows();
}
app.post('/match', async (req, res) => {
  const { ids } = req.body;
  const rows = await loadRows();
  res.json(ids.map((id) => rows.find((r) => r.id === id)));
});
app.listen(1);`,
      errors: [{ line: L(7), column: 12, message: 'Loop over `ids` (request input `req`) runs `rows.find` (from `await loadRows()`) on every iteration' }],
    },
    {
      name: 'each element\'s text character by character: text is content, not a record\'s shape',
      code: `${APP}app.get('/checksum', async (_req, res) => {
  const rows = await db.rows();
  let sum = 0;
  for (const r of rows) for (let j = 0; j < r.email.length; j++) sum = (sum * 31 + r.email.charCodeAt(j)) >>> 0;
  res.json({ sum });
});
app.listen(1);`,
      errors: [{ line: L(4), column: 3, message: 'Loop over `rows` (from `await db.rows()`) runs a loop over `r.email.length`' }],
    },
    {
      name: 'reduce that copies its accumulator on every element',
      code: `${APP}app.get('/index', async (_req, res) => {
  const rows = await db.rows();
  const byId = rows.reduce((acc, r) => ({ ...acc, [r.id]: r }), {} as Record<string, Row>);
  res.json(byId);
});
app.listen(1);`,
      errors: [{ line: L(3), column: 16, message: 'a copy of the accumulator (`...acc`)' }],
    },
    {
      name: 'nested for…of over request data, outermost reported',
      code: `${APP}app.post('/pairs', async (req, res) => {
  const rows = await db.rows();
  let n = 0;
  for (const id of req.body.ids) {
    for (const r of rows) {
      if (r.id === id) n++;
    }
  }
  res.json({ n });
});
app.listen(1);`,
      errors: [{ line: L(4), column: 3, message: 'Loop over `req.body.ids` (request input) runs a loop over `rows` (from `await db.rows()`) on every iteration' }],
      output: `import { setImmediate } from 'node:timers/promises';

${APP}app.post('/pairs', async (req, res) => {
  const rows = await db.rows();
  let n = 0;
  let iterations = 0;
  for (const id of req.body.ids) {
    if (++iterations % 1000 === 0) await setImmediate();
    for (const r of rows) {
      if (r.id === id) n++;
    }
  }
  res.json({ n });
});
app.listen(1);`,
    },
    {
      name: 'filter inside map (O(n²))',
      code: `${APP}app.get('/tree', async (_req, res) => {
  const all = await db.rows();
  const tree = all.map((r) => ({ ...r, same: all.filter((o) => o.email === r.email) }));
  res.json(tree);
});
app.listen(1);`,
      errors: [{ line: L(3), column: 16, message: 'Loop over `all` (from `await db.rows()`) runs `all.filter` (from `await db.rows()`) on every iteration' }],
    },
    {
      name: 'includes inside a classic for loop',
      code: `${APP}app.post('/dedupe', (req, res) => {
  const out: string[] = [];
  for (let i = 0; i < req.body.items.length; i++) {
    if (!out.includes(req.body.items[i]!)) out.push(req.body.items[i]!);
  }
  res.json(out);
});
app.listen(1);`,
      errors: [{ line: L(3), column: 3, message: '`out.includes`' }],
    },
    {
      name: 'the inner loop lives in a helper function (itself nested, reported once at the outermost loop)',
      code: `${APP}function sameEmail(rows: Row[], email: string): number {
  let n = 0;
  for (const o of rows) if (rows.some((p) => p.id !== o.id && o.email === email)) n++;
  return n;
}
app.post('/score', async (_req, res) => {
  const rows = await db.rows();
  const scores: number[] = [];
  for (const r of rows) scores.push(sameEmail(rows, r.email));
  res.json(scores);
});
app.listen(1);`,
      errors: [{ line: L(9), column: 3, message: '`sameEmail()`, which loops' }],
    },
  ],
});
