import { Router } from 'express';
import { db, type Account } from '../db';
import { isValidEmail } from '../lib/validate';
import { hashPassword, newSalt, verifyPassword } from '../services/passwords';

export const accountsRouter = Router();

interface Credentials {
  email: string;
  password: string;
}

// CPU-bound: the invitation check runs a backtracking regex on the email the client sent.
accountsRouter.post('/invitations', async (req, res) => {
  const { email } = req.body as { email: string };
  if (!isValidEmail(email)) {
    res.status(400).json({ error: 'invalid email' });
    return;
  }
  await db.insert('invitations', { email });
  res.sendStatus(201);
});

// CPU-bound: hashPassword calls pbkdf2Sync.
accountsRouter.put('/:id/password', async (req, res) => {
  const { password } = req.body as Credentials;
  const { hash, salt } = hashPassword(password, await newSalt());
  await db.query('update accounts set password_hash = $1, salt = $2 where id = $3', [hash, salt, req.params.id]);
  res.sendStatus(204);
});

// Thread-pool-bound and clean: verifyPassword uses the callback form of pbkdf2.
accountsRouter.post('/login', async (req, res) => {
  const { email, password } = req.body as Credentials;
  const [account] = await db.query<Account>('select * from accounts where email = $1', [email]);
  // looplens-disable-next-line blocking-cpu/sync-call -- stale: verifyPassword no longer uses pbkdf2Sync
  const ok = account !== undefined && (await verifyPassword(password, { hash: account.passwordHash, salt: account.salt }));
  if (!ok) res.sendStatus(401);
  else res.json({ id: account.id });
});

// I/O-bound and clean.
accountsRouter.get('/:id', async (req, res) => {
  const [account] = await db.query<Account>('select id, email from accounts where id = $1', [req.params.id]);
  if (!account) res.sendStatus(404);
  else res.json({ id: account.id, email: account.email });
});
