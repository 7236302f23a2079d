// Runnable fixture: pbkdf2Sync in a sync helper (blocking-cpu/sync-call) fixed with looplens.sync-to-async,
// which also makes the helper async because its only caller is in an async function.
import { pbkdf2Sync } from 'node:crypto';
import { createServer } from 'node:http';

function hashPassword(password: string, salt: string): string {
  return pbkdf2Sync(password, salt, 20_000, 32, 'sha256').toString('hex');
}

export async function run(input: { password: string; salt: string }): Promise<string> {
  const hash = hashPassword(input.password, input.salt);
  return hash.slice(0, 16);
}

export const server = createServer(async (req, res) => {
  res.end(await run({ password: String(req.headers['x-password']), salt: 'pepper' }));
});
