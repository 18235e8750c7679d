// A small seeded PRNG (sfc32 seeded through splitmix32) so a fuzz run is reproducible from its
// seed alone: the same seed gives the same requests in the same order of generation.

export class Rng {
  #a: number; #b: number; #c: number; #d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = next(); this.#b = next(); this.#c = next(); this.#d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, n). */
  int(n: number): number { return n <= 0 ? 0 : Math.floor((this.u32() / 0x100000000) * n); }

  chance(p: number): boolean { return this.u32() / 0x100000000 < p; }

  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }

  /** Picks by weight: [[weight, value], ...]. */
  weighted<T>(xs: ReadonlyArray<readonly [number, T]>): T {
    const total = xs.reduce((n, [w]) => n + w, 0);
    let r = this.int(total);
    for (const [w, v] of xs) { if (r < w) return v; r -= w; }
    return xs[xs.length - 1][1];
  }

  /** A derived generator, so one request's randomness does not shift the next one's. */
  fork(): Rng { return new Rng(this.u32()); }
}
