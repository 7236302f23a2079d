// Runnable fixture: a serial `for…of` awaiting each item, rewritten with the looplens.loop-p-map refactor.
import { setTimeout as sleep } from 'node:timers/promises';

let inFlight = 0;
let maxInFlight = 0;

async function fetchPrice(id: number): Promise<number> {
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  // Later ids answer sooner: the results must still come back in input order.
  await sleep(1 + ((40 - id) % 5));
  inFlight--;
  if (id < 0) throw new Error(`bad id ${id}`);
  return id * 3;
}

export async function run(ids: number[]): Promise<{ prices: number[]; maxInFlight: number; error?: string }> {
  const prices: number[] = [];
  try {
    for (const id of ids) {
      const price = await fetchPrice(id);
      prices.push(price + 1);
    }
  } catch (err) {
    return { prices: [], maxInFlight, error: (err as Error).message };
  }
  return { prices, maxInFlight };
}
