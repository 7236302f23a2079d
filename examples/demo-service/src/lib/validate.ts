/**
 * Whether a sign-up email looks valid.
 * Finding: `([\w.+-]+)*` nests one quantifier in another, so on an input like "aaaa…a!" the regex engine
 * tries exponentially many ways to split the local part before failing: a few dozen characters hold the
 * event loop for seconds (ReDoS).
 */
export function isValidEmail(value: string): boolean {
  return /^([\w.+-]+)*@([a-z0-9-]+\.)+[a-z]{2,}$/i.test(value);
}

/** Clean: one character class with a fixed-length tail; matching is linear in the input. */
export function isValidSku(value: string): boolean {
  return /^[A-Z]{3}-\d{4}$/.test(value);
}
