/**
 * Deterministic randomness for the generator. Never `Math.random`: the same seed must give the
 * same bytes on every machine. Two tools:
 * - `Rng`: a sequential mulberry32 stream (fast, for loops);
 * - `hash32`/`rngFor`: a stateless mix of (seed, stream, id) so a row's attributes can be
 *   recomputed from its id alone on a later day, without keeping the dataset in memory.
 */

/** 32-bit integer mix (murmur3 finaliser), stable across platforms. */
function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Hashes a list of integers (and short strings) into one unsigned 32-bit value. */
export function hash32(...parts: readonly (number | string)[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    if (typeof p === 'number') {
      // Split into two 32-bit halves so ids above 2^32 still mix fully.
      h = fmix32(h ^ (p >>> 0));
      h = fmix32(h ^ Math.floor(p / 4294967296));
    } else {
      for (let i = 0; i < p.length; i++) h = fmix32(h ^ p.charCodeAt(i));
    }
    h = (h + 0x6d2b79f5) >>> 0;
  }
  return fmix32(h);
}

/** A mulberry32 stream with a few convenience draws. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    const v = items[Math.floor(this.next() * items.length)];
    if (v === undefined) throw new Error('pick from an empty list');
    return v;
  }

  /** One element chosen by weight (weights need not sum to 1). */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [v, w] of items) {
      r -= w;
      if (r < 0) return v;
    }
    const last = items[items.length - 1];
    if (last === undefined) throw new Error('weighted pick from an empty list');
    return last[0];
  }
}

/** A fresh stream for one entity: the same (seed, stream, ids) always yields the same draws. */
export function rngFor(seed: number, stream: string, ...ids: readonly number[]): Rng {
  return new Rng(hash32(seed, stream, ...ids));
}
