/**
 * The settings for what the analysis cannot know (issue 4): extra handler calls, functions to treat as
 * CPU-heavy or as limiters, and collections known to be small. Each table runs with the setting; the same code
 * without it is the control.
 */
import { APP, APP_LINES } from '../rules/prelude';
import { ruleTester, type Case } from '../rules/ruleTester';

const L = (n: number) => APP_LINES + n;

const BOT: Case = {
  name: 'a chat bot command registered through an unknown framework',
  code: `import { pbkdf2Sync } from 'node:crypto';
declare const bot: { command(name: string, fn: (ctx: { text: string; reply(s: string): void }) => void): void; launch(): void };
bot.command('hash', (ctx) => ctx.reply(pbkdf2Sync(ctx.text, 'salt', 100000, 64, 'sha512').toString('hex')));
bot.launch();`,
};
const PDF: Case = {
  name: 'a project-declared PDF renderer called from a route',
  code: `${APP}declare function renderPdf(html: string): Buffer;
app.post('/pdf', (req, res) => res.send(renderPdf(req.body.text).toString('base64')));
app.listen(1);`,
};
const THROTTLED: Case = {
  name: 'a fan-out through a home-grown limiter',
  code: `${APP}declare function throttled<T>(fn: () => Promise<T>): Promise<T>;
app.post('/save', async (_req, res) => {
  const rows = await db.rows();
  await Promise.all(rows.map((r) => throttled(() => db.save(r))));
  res.send('ok');
});
app.listen(1);`,
};
const REGIONS: Case = {
  name: 'a loop over a config list known to be small',
  code: `${APP}declare const geo: { regions: Row[] };
app.get('/by-region', async (_req, res) => {
  const rows = await db.rows();
  res.json(geo.regions.map((reg) => rows.filter((r) => r.email.endsWith(reg.id))));
});
app.listen(1);`,
};

ruleTester('blocking-cpu/sync-call', { valid: [{ ...BOT, name: `${BOT.name} (control)` }, { ...PDF, name: `${PDF.name} (control)` }], invalid: [] });
ruleTester(
  'blocking-cpu/sync-call',
  {
    valid: [],
    invalid: [
      { ...BOT, name: `${BOT.name}, with handlerCalls: ['bot.command']`, errors: [{ line: 3, column: 40, message: 'in `bot.command \'hash\'`' }] },
      { ...PDF, name: `${PDF.name}, with cpuHeavy: ['renderPdf']`, errors: [{ line: L(2), column: 41, message: '`renderPdf` is CPU-heavy (`renderPdf` in the looplens.cpuHeavy setting)' }] },
    ],
  },
  { handlerCalls: ['bot.command'], cpuHeavy: ['renderPdf'] },
);
ruleTester('unbounded-fanout/promise-all', { valid: [], invalid: [{ ...THROTTLED, name: `${THROTTLED.name} (control)`, errors: [{ line: L(4), column: 9 }] }] });
ruleTester('unbounded-fanout/promise-all', { valid: [{ ...THROTTLED, name: `${THROTTLED.name}, with limiters: ['throttled']` }], invalid: [] }, { limiters: ['throttled'] });
ruleTester('blocking-cpu/data-loop', { valid: [], invalid: [{ ...REGIONS, name: `${REGIONS.name} (control)`, errors: [{ line: L(4), column: 12 }] }] });
ruleTester('blocking-cpu/data-loop', { valid: [{ ...REGIONS, name: `${REGIONS.name}, with smallCollections: ['*.regions']` }], invalid: [] }, { smallCollections: ['*.regions'] });
