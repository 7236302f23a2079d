/** Returns a function giving floats in [0, 1), deterministic for `seed` (mulberry32). */
export function prng(seed: number): () => number;
