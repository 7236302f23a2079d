// Runnable fixture: an unbounded fan-out (unbounded-fanout/promise-all) fixed with looplens.wrap-p-limit.
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

let inFlight = 0;
let maxInFlight = 0;

async function fetchPrice(id: number): Promise<number> {
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  await sleep(2);
  inFlight--;
  return id * 3;
}

export async function run(ids: number[]): Promise<{ prices: number[]; maxInFlight: number }> {
  const prices = await Promise.all(ids.map(async (id) => fetchPrice(id)));
  return { prices, maxInFlight };
}

export const server = createServer(async (req, res) => {
  res.end(JSON.stringify(await run(JSON.parse(req.headers['x-ids'] as string) as number[])));
});
