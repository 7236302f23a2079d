// Runnable fixture: a nested data loop in an async function (blocking-cpu/data-loop) fixed with
// looplens.yield-in-loop.
import { createServer } from 'node:http';

interface Person { id: number; friends: number[] }

export async function run(people: Person[]): Promise<number> {
  let mutual = 0;
  for (const a of people) {
    for (const b of people) {
      if (a.id < b.id && a.friends.includes(b.id) && b.friends.includes(a.id)) mutual++;
    }
  }
  return mutual;
}

export const server = createServer(async (req, res) => {
  res.end(String(await run(JSON.parse(req.headers['x-people'] as string) as Person[])));
});
