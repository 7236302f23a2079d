import { Router } from 'express';
import { db, type OrderEvent, type Subscriber } from '../db';
import { deliver } from '../services/webhooks';

export const webhooksRouter = Router();

// I/O-bound, but forEach(async …) fires one request per subscriber at once and awaits none of them:
// failures are unhandled rejections and the response goes out before any delivery finished.
webhooksRouter.post('/events/:id/publish', async (req, res) => {
  const [event] = await db.query<OrderEvent>('select * from order_events where id = $1', [req.params.id]);
  if (!event) {
    res.sendStatus(404);
    return;
  }
  const subscribers = await db.query<Subscriber>('select id, url from webhook_subscribers where active');
  subscribers.forEach(async (subscriber) => {
    await deliver(subscriber, event);
  });
  res.sendStatus(202);
});

// I/O-bound, but the loop starts one delivery per event before awaiting any: thousands of sockets at once.
webhooksRouter.post('/subscribers/:id/replay', async (req, res) => {
  const [subscriber] = await db.query<Subscriber>('select id, url from webhook_subscribers where id = $1', [req.params.id]);
  const events = await db.query<OrderEvent>('select * from order_events where created_at >= $1', [req.query.since]);
  if (!subscriber) {
    res.sendStatus(404);
    return;
  }
  const deliveries: Promise<void>[] = [];
  for (const event of events) {
    deliveries.push(deliver(subscriber, event));
  }
  await Promise.allSettled(deliveries);
  res.json({ replayed: events.length });
});

// I/O-bound and clean: retries failed deliveries one at a time, awaiting each.
webhooksRouter.post('/retries', async (_req, res) => {
  const failed = await db.query<{ subscriber: Subscriber; event: OrderEvent }>('select * from failed_deliveries');
  for (const { subscriber, event } of failed) {
    await deliver(subscriber, event);
  }
  res.json({ retried: failed.length });
});
