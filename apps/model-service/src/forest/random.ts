/** Largest seed accepted: seeds are unsigned 32-bit integers, so every seed names a distinct stream. */
export const MAX_SEED = 0xffff_ffff;

const TWO_POW_32 = 0x1_0000_0000;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * A seeded pseudo-random generator (xoshiro128**, state filled by splitmix32 from the seed).
 *
 * Training must be reproducible from `--seed` alone, and `Math.random` cannot be seeded. The streams differ from
 * R's Mersenne Twister, so a forest grown here with seed 1 is not the forest R grows after `set.seed(1)`; the
 * sampling scheme that consumes the stream is R's (see `cart.ts` and `train.ts`).
 */
export class Random {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /** @param seed an integer in [0, {@link MAX_SEED}] */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      throw new RangeError(`seed must be an integer in [0, ${MAX_SEED}] (got ${seed})`);
    }
    let state = seed | 0;
    const mix = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    this.#s0 = mix();
    this.#s1 = mix();
    this.#s2 = mix();
    this.#s3 = mix();
    // xoshiro's one forbidden state; splitmix32 cannot produce four zeros in a row, but be explicit.
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#s1, 5), 7), 9);
    const t = this.#s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result >>> 0;
  }

  /** A uniform draw from [0, 1) with 32 bits of resolution, the role R's `unif_rand()` plays. */
  uniform(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /**
   * A uniform integer in [0, n), drawn as R's randomForest draws indices (`unif_rand() * n`, truncated).
   * The bias of that scheme is below n / 2^32, far under anything a forest of 506 rows can notice.
   */
  below(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}
