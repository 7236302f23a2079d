import { pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

// OWASP Password Storage Cheat Sheet: PBKDF2-HMAC-SHA512 with 210,000 iterations.
const ITERATIONS = 210_000;
const KEY_LENGTH = 64;
const DIGEST = 'sha512';

export interface PasswordHash {
  hash: string;
  salt: string;
}

/**
 * Hashes a new password.
 * Finding: pbkdf2Sync runs all 210,000 iterations on the event loop (tens to hundreds of milliseconds per
 * call), so while one user changes a password no other request is served.
 */
export function hashPassword(password: string, salt: string): PasswordHash {
  const hash = pbkdf2Sync(password, salt, ITERATIONS, KEY_LENGTH, DIGEST).toString('hex');
  return { hash, salt };
}

/** Clean: the callback form of pbkdf2 derives the key on libuv's thread pool and the event loop stays free. */
export function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, stored.salt, ITERATIONS, KEY_LENGTH, DIGEST, (err, derived) => {
      if (err) reject(err);
      else resolve(timingSafeEqual(derived, Buffer.from(stored.hash, 'hex')));
    });
  });
}

/** A fresh random salt. Clean: the callback form of randomBytes also runs on the thread pool. */
export function newSalt(): Promise<string> {
  return new Promise((resolve, reject) => {
    randomBytes(16, (err, buf) => (err ? reject(err) : resolve(buf.toString('hex'))));
  });
}
