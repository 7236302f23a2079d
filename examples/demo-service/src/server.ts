import express from 'express';
import { db } from './db';
import { accountsRouter } from './routes/accounts';
import { importsRouter } from './routes/imports';
import { reportsRouter } from './routes/reports';
import { webhooksRouter } from './routes/webhooks';

// One process, one event loop: every router below shares it, so a handler that holds the loop delays all.
const app = express();
app.use(express.json({ limit: '1mb' }));

// Clean: a constant response.
app.get('/health', (_req, res) => {
  res.json({ ok: true });
});

app.use('/accounts', accountsRouter);
app.use('/imports', importsRouter);
app.use('/reports', reportsRouter);
app.use('/webhooks', webhooksRouter);

// I/O-bound timer: one delete per minute.
setInterval(() => {
  void db.query('delete from sessions where expires_at < now()');
}, 60_000);

const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => {
  console.log(`demo-service listening on http://localhost:${port}`);
});
