// Seeded randomness: the same seed must give the same plant history on every machine and every run,
// so backfill, live continuation and tests agree to the byte. Math.random() can't be seeded.

export type Rng = () => number;

/** 32-bit string hash (FNV-1a), used to give each line its own stream from one seed. */
export function hash32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Small, fast generator with a 32-bit state (mulberry32 mixing). Statistical quality is plenty for
 * jitter and rare events; it is not for anything security related.
 */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/** Exponentially distributed value with the given mean (waiting time of a memoryless failure). */
export function exponential(rng: Rng, mean: number): number {
  return -mean * Math.log(1 - rng());
}

/** Uniform in [a, b). */
export function between(rng: Rng, a: number, b: number): number {
  return a + (b - a) * rng();
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}
