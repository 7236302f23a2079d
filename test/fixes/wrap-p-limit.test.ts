import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WRAP_P_LIMIT } from '../../server/src/engine/fixes/index';
import { applyFix, fanoutFinding, fixWithId, lines, rangeOf } from './helpers';

const REASON = 'looplens.concurrency.io setting';

interface Row {
  name: string;
  code: string;
  /** Marker: the launch expression (its first occurrence, or `occurrence`). */
  launch: string;
  occurrence?: number;
  limit?: number;
  file?: string;
  output: string;
  /** Marker of the same launch in `output`: fixing it again must offer no wrap. */
  relaunch: string;
}

function fanout(row: Pick<Row, 'code' | 'launch' | 'occurrence' | 'limit' | 'file'>) {
  const f = fanoutFinding(rangeOf(row.code, row.launch, row.occurrence), undefined, row.limit ?? 8);
  return row.file ? { ...f, location: { ...f.location, file: row.file } } : f;
}

const rows: Row[] = [
  {
    name: 'async block callback in Promise.all(map): import, limiter and wrap',
    code: lines(
      "import express from 'express';",
      '',
      'const app = express();',
      '',
      "app.get('/avatars', async (req, res) => {",
      '  const users = await db.users.findMany();',
      '  await Promise.all(users.map(async (u) => {',
      '    await refreshAvatar(u);',
      '  }));',
      '  res.sendStatus(204);',
      '});',
    ),
    launch: 'async (u) => {\n    await refreshAvatar(u);\n  }',
    output: lines(
      "import express from 'express';",
      "import pLimit from 'p-limit';",
      '',
      'const limit = pLimit(8);',
      '',
      'const app = express();',
      '',
      "app.get('/avatars', async (req, res) => {",
      '  const users = await db.users.findMany();',
      '  await Promise.all(users.map((u) => limit(async () => {',
      '    await refreshAvatar(u);',
      '  })));',
      '  res.sendStatus(204);',
      '});',
    ),
    relaunch: '(u) => limit(async () => {\n    await refreshAvatar(u);\n  })',
  },
  {
    name: 'async concise callback keeps async on the limited function',
    code: lines("import express from 'express';", '', 'export async function all(items: string[]) {', '  return Promise.all(items.map(async (i) => fetch(i)));', '}'),
    launch: 'async (i) => fetch(i)',
    output: lines(
      "import express from 'express';",
      "import pLimit from 'p-limit';",
      '',
      'const limit = pLimit(8);',
      '',
      'export async function all(items: string[]) {',
      '  return Promise.all(items.map((i) => limit(async () => fetch(i))));',
      '}',
    ),
    relaunch: '(i) => limit(async () => fetch(i))',
  },
  {
    name: 'plain concise callback, limit from the finding',
    code: lines("import { get } from './http';", '', 'export const load = (ids: number[]) => Promise.all(ids.map((id) => get(`/u/${id}`)));'),
    launch: '(id) => get(`/u/${id}`)',
    limit: 3,
    output: lines(
      "import { get } from './http';",
      "import pLimit from 'p-limit';",
      '',
      'const limit = pLimit(3);',
      '',
      'export const load = (ids: number[]) => Promise.all(ids.map((id) => limit(() => get(`/u/${id}`))));',
    ),
    relaunch: '(id) => limit(() => get(`/u/${id}`))',
  },
  {
    name: 'function reference callback',
    code: lines("import { send } from './mailer';", '', 'export async function notify(emails: string[]) {', '  await Promise.all(emails.map(send));', '}'),
    launch: 'send',
    occurrence: 1,
    output: lines(
      "import { send } from './mailer';",
      "import pLimit from 'p-limit';",
      '',
      'const limit = pLimit(8);',
      '',
      'export async function notify(emails: string[]) {',
      '  await Promise.all(emails.map((item) => limit(() => send(item))));',
      '}',
    ),
    relaunch: '(item) => limit(() => send(item))',
  },
  {
    name: 'method reference callback (a property named `item` does not block the parameter name)',
    code: lines("import { clients } from './clients';", '', 'export async function ping(hosts: string[]) {', '  await Promise.all(hosts.map(clients.item.ping));', '}'),
    launch: 'clients.item.ping',
    output: lines(
      "import { clients } from './clients';",
      "import pLimit from 'p-limit';",
      '',
      'const limit = pLimit(8);',
      '',
      'export async function ping(hosts: string[]) {',
      '  await Promise.all(hosts.map((item) => limit(() => clients.item.ping(item))));',
      '}',
    ),
    relaunch: '(item) => limit(() => clients.item.ping(item))',
  },
  {
    name: 'an expression yielding the callback is parenthesised; `item` used in it picks item2',
    code: lines("import { pick } from './handlers';", '', 'export async function run(jobs: string[], item: string) {', '  await Promise.all(jobs.map(pick(item)));', '}'),
    launch: 'pick(item)',
    output: lines(
      "import { pick } from './handlers';",
      "import pLimit from 'p-limit';",
      '',
      'const limit = pLimit(8);',
      '',
      'export async function run(jobs: string[], item: string) {',
      '  await Promise.all(jobs.map((item2) => limit(() => (pick(item))(item2))));',
      '}',
    ),
    relaunch: '(item2) => limit(() => (pick(item))(item2))',
  },
  {
    name: 'call pushed in a for-of loop',
    code: lines(
      "import { refreshAvatar } from './avatars';",
      '',
      'export async function refreshAll(sessions: string[]) {',
      '  const pending = [];',
      '  for (const s of sessions) {',
      '    pending.push(refreshAvatar(s));',
      '  }',
      '  await Promise.all(pending);',
      '}',
    ),
    launch: 'refreshAvatar(s)',
    output: lines(
      "import { refreshAvatar } from './avatars';",
      "import pLimit from 'p-limit';",
      '',
      'const limit = pLimit(8);',
      '',
      'export async function refreshAll(sessions: string[]) {',
      '  const pending = [];',
      '  for (const s of sessions) {',
      '    pending.push(limit(() => refreshAvatar(s)));',
      '  }',
      '  await Promise.all(pending);',
      '}',
    ),
    relaunch: 'refreshAvatar(s)',
  },
  {
    name: 'loop variables that change before the call runs are passed to limit',
    code: lines(
      "import { fetchPage } from './api';",
      '',
      'export async function pages(count: number) {',
      '  const all = [];',
      '  let i = 0;',
      '  while (i < count) {',
      '    all.push(fetchPage(i, count));',
      '    i++;',
      '  }',
      '  return Promise.all(all);',
      '}',
    ),
    launch: 'fetchPage(i, count)',
    output: lines(
      "import { fetchPage } from './api';",
      "import pLimit from 'p-limit';",
      '',
      'const limit = pLimit(8);',
      '',
      'export async function pages(count: number) {',
      '  const all = [];',
      '  let i = 0;',
      '  while (i < count) {',
      '    all.push(limit((i) => fetchPage(i, count), i));',
      '    i++;',
      '  }',
      '  return Promise.all(all);',
      '}',
    ),
    relaunch: 'fetchPage(i, count)',
  },
  {
    name: '`var` in a for loop is snapshotted; `let` would not be',
    code: lines(
      "import { get } from './http';",
      'export async function f(urls: string[]) {',
      '  const p = [];',
      '  for (var k = 0; k < urls.length; k++) p.push(get(urls[k]));',
      '  for (let j = 0; j < urls.length; j++) p.push(get(urls[j]));',
      '  return Promise.all(p);',
      '}',
    ),
    launch: 'get(urls[k])',
    output: lines(
      "import { get } from './http';",
      "import pLimit from 'p-limit';",
      '',
      'const limit = pLimit(8);',
      'export async function f(urls: string[]) {',
      '  const p = [];',
      '  for (var k = 0; k < urls.length; k++) p.push(limit((k) => get(urls[k]), k));',
      '  for (let j = 0; j < urls.length; j++) p.push(get(urls[j]));',
      '  return Promise.all(p);',
      '}',
    ),
    relaunch: 'get(urls[k])',
  },
  {
    name: 'p-limit already imported under another name: only the limiter is added',
    code: lines("import plimit from 'p-limit';", "import { get } from './http';", '', 'export const all = (xs: string[]) => Promise.all(xs.map((x) => get(x)));'),
    launch: '(x) => get(x)',
    output: lines(
      "import plimit from 'p-limit';",
      "import { get } from './http';",
      '',
      'const limit = plimit(8);',
      '',
      'export const all = (xs: string[]) => Promise.all(xs.map((x) => limit(() => get(x))));',
    ),
    relaunch: '(x) => limit(() => get(x))',
  },
  {
    name: 'a module-level limiter with the same limit is reused',
    code: lines(
      "import pLimit from 'p-limit';",
      '',
      'const limit = pLimit(8);',
      '',
      'export const a = (xs: string[]) => Promise.all(xs.map((x) => limit(() => fetch(x))));',
      'export const b = (ys: string[]) => Promise.all(ys.map((y) => fetch(y)));',
    ),
    launch: '(y) => fetch(y)',
    output: lines(
      "import pLimit from 'p-limit';",
      '',
      'const limit = pLimit(8);',
      '',
      'export const a = (xs: string[]) => Promise.all(xs.map((x) => limit(() => fetch(x))));',
      'export const b = (ys: string[]) => Promise.all(ys.map((y) => limit(() => fetch(y))));',
    ),
    relaunch: '(y) => limit(() => fetch(y))',
  },
  {
    name: 'a limiter with another limit and a local `limit` variable: the new limiter is limit3',
    code: lines(
      "import pLimit from 'p-limit';",
      '',
      'const limit2 = pLimit(2);',
      '',
      'export async function list(req: { query: { limit: string } }, ids: string[]) {',
      '  const limit = Number(req.query.limit);',
      '  return Promise.all(ids.slice(0, limit).map((id) => fetch(id)));',
      '}',
    ),
    launch: '(id) => fetch(id)',
    output: lines(
      "import pLimit from 'p-limit';",
      '',
      'const limit3 = pLimit(8);',
      '',
      'const limit2 = pLimit(2);',
      '',
      'export async function list(req: { query: { limit: string } }, ids: string[]) {',
      '  const limit = Number(req.query.limit);',
      '  return Promise.all(ids.slice(0, limit).map((id) => limit3(() => fetch(id))));',
      '}',
    ),
    relaunch: '(id) => limit3(() => fetch(id))',
  },
  {
    name: 'file without imports, after a header comment',
    code: lines('// Avatar jobs.', '', 'export async function run(ids: string[]) {', '  await Promise.all(ids.map((id) => fetch(id)));', '}'),
    launch: '(id) => fetch(id)',
    output: lines(
      '// Avatar jobs.',
      '',
      "import pLimit from 'p-limit';",
      '',
      'const limit = pLimit(8);',
      '',
      'export async function run(ids: string[]) {',
      '  await Promise.all(ids.map((id) => limit(() => fetch(id))));',
      '}',
    ),
    relaunch: '(id) => limit(() => fetch(id))',
  },
  {
    name: 'CommonJS file: p-limit is ESM-only, so it is import()ed once on first use; double quotes and no semicolons like the file',
    file: '/project/src/worker.js',
    code: lines('const db = require("./db")', '', 'module.exports = async function sync(ids) {', '  await Promise.all(ids.map(async (id) => db.sync(id)))', '}'),
    launch: 'async (id) => db.sync(id)',
    output: lines(
      'const db = require("./db")',
      '',
      '// p-limit is ESM-only: import() it once, on first use; one limiter for the whole process.',
      'function loadLimit() {',
      '  return import("p-limit").then((m) => m.default(8))',
      '}',
      'let limitReady',
      'async function limit(fn) {',
      '  return (await (limitReady ??= loadLimit()))(fn)',
      '}',
      '',
      'module.exports = async function sync(ids) {',
      '  await Promise.all(ids.map((id) => limit(async () => db.sync(id))))',
      '}',
    ),
    relaunch: '(id) => limit(async () => db.sync(id))',
  },
  {
    name: 'function expression becomes an arrow when it does not use this/arguments',
    code: lines("import { get } from './http';", 'export async function f(urls: string[]) {', '  return Promise.all(urls.map(async function (u): Promise<string> {', '    return get(u);', '  }));', '}'),
    launch: 'async function (u): Promise<string> {\n    return get(u);\n  }',
    output: lines(
      "import { get } from './http';",
      "import pLimit from 'p-limit';",
      '',
      'const limit = pLimit(8);',
      'export async function f(urls: string[]) {',
      '  return Promise.all(urls.map((u): Promise<string> => limit(async () => {',
      '    return get(u);',
      '  })));',
      '}',
    ),
    relaunch: '(u): Promise<string> => limit(async () => {\n    return get(u);\n  })',
  },
  {
    name: 'function expression using `this` keeps being a function',
    code: lines("import { get } from './http';", 'export const api = {', '  base: "/",', '  all(urls: string[]) {', '    return Promise.all(urls.map(async function (this: { base: string }, u: string) {', '      return get(this.base + u);', '    }, this));', '  },', '};'),
    launch: 'async function (this: { base: string }, u: string) {\n      return get(this.base + u);\n    }',
    output: lines(
      "import { get } from './http';",
      "import pLimit from 'p-limit';",
      '',
      'const limit = pLimit(8);',
      'export const api = {',
      '  base: "/",',
      '  all(urls: string[]) {',
      '    return Promise.all(urls.map(function (this: { base: string }, u: string) { return limit(async () => {',
      '      return get(this.base + u);',
      '    }); }, this));',
      '  },',
      '};',
    ),
    relaunch: 'function (this: { base: string }, u: string) { return limit(async () => {\n      return get(this.base + u);\n    }); }',
  },
  {
    name: 'CRLF line endings are kept',
    code: "import { get } from './http';\r\n\r\nexport const all = (xs: string[]) => Promise.all(xs.map((x) => get(x)));\r\n",
    launch: '(x) => get(x)',
    output: "import { get } from './http';\r\nimport pLimit from 'p-limit';\r\n\r\nconst limit = pLimit(8);\r\n\r\nexport const all = (xs: string[]) => Promise.all(xs.map((x) => limit(() => get(x))));\r\n",
    relaunch: '(x) => limit(() => get(x))',
  },
];

describe(WRAP_P_LIMIT, () => {
  for (const row of rows) {
    test(row.name, () => {
      assert.equal(applyFix(fanout(row), row.code, WRAP_P_LIMIT), row.output);
    });
    test(`${row.name} — idempotent`, () => {
      const again = fanout({ code: row.output, launch: row.relaunch, limit: row.limit, file: row.file });
      assert.equal(fixWithId(again, row.output, WRAP_P_LIMIT), undefined);
    });
  }

  test('title names the limit and where it came from; the fix is preferred', () => {
    const code = 'export const all = (xs: string[]) => Promise.all(xs.map((x) => fetch(x)));\n';
    const fix = fixWithId(fanout({ code, launch: '(x) => fetch(x)', limit: 5 }), code, WRAP_P_LIMIT);
    assert.equal(fix?.title, `Limit to 5 concurrent calls with p-limit (${REASON})`);
    assert.equal(fix?.isPreferred, true);
  });

  const notOffered: { name: string; code: string; launch: string; limit?: number }[] = [
    {
      name: 'a call already handed to a limiter',
      code: "import pLimit from 'p-limit';\nconst limit = pLimit(4);\nexport async function f(xs: string[]) { const p = []; for (const x of xs) p.push(limit(() => fetch(x))); return Promise.all(p); }\n",
      launch: 'fetch(x)',
    },
    {
      name: 'the launch is the limiter call itself',
      code: "import pLimit from 'p-limit';\nconst limit = pLimit(4);\nexport async function f(xs: string[]) { const p = []; for (const x of xs) p.push(limit(() => fetch(x))); return Promise.all(p); }\n",
      launch: 'limit(() => fetch(x))',
    },
    {
      name: 'a callback limited by a function-local limiter',
      code: "import pLimit from 'p-limit';\nexport async function f(xs: string[]) { const lim = pLimit(2); return Promise.all(xs.map((x) => lim(() => fetch(x)))); }\n",
      launch: '(x) => lim(() => fetch(x))',
    },
    {
      name: 'a generator callback',
      code: 'export const f = (xs: string[]) => xs.map(function* (x) { yield x; });\n',
      launch: 'function* (x) { yield x; }',
    },
    {
      name: 'a range that matches no expression (text changed)',
      code: 'export const f = (xs: string[]) => Promise.all(xs.map((x) => fetch(x)));\n',
      launch: '=> fetch(',
    },
    {
      name: 'a limit below 1',
      code: 'export const f = (xs: string[]) => Promise.all(xs.map((x) => fetch(x)));\n',
      launch: '(x) => fetch(x)',
      limit: 0,
    },
  ];
  for (const row of notOffered) {
    test(`not offered: ${row.name}`, () => {
      assert.equal(fixWithId(fanout(row), row.code, WRAP_P_LIMIT), undefined);
    });
  }

  test('a fan-out inside a limited task gets its own limiter: re-using the outer one deadlocks once every slot holds an outer task', () => {
    const code = "import pLimit from 'p-limit';\nconst limit = pLimit(8);\nexport const f = (xs: string[]) => limit(async () => Promise.all(xs.map((x) => fetch(x))));\n";
    const out = applyFix(fanout({ code, launch: '(x) => fetch(x)' }), code, WRAP_P_LIMIT);
    assert.equal(
      out,
      "import pLimit from 'p-limit';\n\nconst limit2 = pLimit(8);\nconst limit = pLimit(8);\nexport const f = (xs: string[]) => limit(async () => Promise.all(xs.map((x) => limit2(() => fetch(x)))));\n",
    );
  });
});
