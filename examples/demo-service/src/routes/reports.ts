import { Router } from 'express';
import { db, type Order } from '../db';
import { buildReconciliation, countReportRows } from '../services/reconciliation';

export const reportsRouter = Router();

// CPU-bound: the handler reaches the orders × payments loop in buildReconciliation.
reportsRouter.get('/reconciliation', async (req, res) => {
  const report = await buildReconciliation(req.query.since ?? '1970-01-01');
  res.json(report);
});

// I/O-bound and clean: Promise.all over a fixed tuple of two queries is bounded by construction.
reportsRouter.get('/summary', async (_req, res) => {
  const [orders, customers] = await Promise.all([
    db.query<{ count: number }>('select count(*) as count from orders'),
    db.query<{ count: number }>('select count(*) as count from customers'),
  ]);
  res.json({ orders: orders[0]?.count ?? 0, customers: customers[0]?.count ?? 0 });
});

// I/O-bound and clean: a sequential, awaited loop over a constant list.
reportsRouter.get('/tables', async (_req, res) => {
  res.json(await countReportRows());
});

// I/O-bound and clean: one indexed query.
reportsRouter.get('/orders/:id', async (req, res) => {
  const [order] = await db.query<Order>('select * from orders where id = $1', [req.params.id]);
  if (!order) res.sendStatus(404);
  else res.json(order);
});
