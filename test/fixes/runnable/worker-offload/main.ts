// Runnable fixture: a CPU-bound helper (blocking-cpu/data-loop) moved to a worker (piscina, or node:worker_threads by setting) with
// looplens.worker-offload. `thread` tells where the work ran (0 = the main thread).
import { createServer } from 'node:http';
import { threadId } from 'node:worker_threads';

const MODULUS = 1_000_003;

function similarity(words: string[][]): { score: number; thread: number } {
  let score = 0;
  for (const a of words) {
    for (const b of words) {
      for (const w of a) if (b.includes(w)) score = (score * 31 + w.length) % MODULUS;
    }
  }
  return { score, thread: threadId };
}

export async function run(words: string[][]): Promise<{ score: number; thread: number }> {
  const result = similarity(words);
  return result;
}

export const server = createServer(async (req, res) => {
  res.end(JSON.stringify(await run(JSON.parse(req.headers['x-words'] as string) as string[][])));
});
