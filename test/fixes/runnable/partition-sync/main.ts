// Runnable fixture: a nested data loop in a sync helper (blocking-cpu/data-loop) fixed with
// looplens.partition-async: the helper becomes async (its one caller awaits it) and yields every N rows.
import { createServer } from 'node:http';

interface Order { id: number; skus: string[] }

function overlaps(orders: Order[]): number[] {
  const out: number[] = [];
  for (const a of orders) {
    for (const b of orders) {
      if (a.id < b.id && a.skus.some((s) => b.skus.includes(s))) out.push(b.id);
    }
  }
  return out;
}

export async function run(orders: Order[]): Promise<number[]> {
  const ids = overlaps(orders);
  return ids.sort((x, y) => x - y);
}

export const server = createServer(async (req, res) => {
  res.end(JSON.stringify(await run(JSON.parse(req.headers['x-orders'] as string) as Order[])));
});
