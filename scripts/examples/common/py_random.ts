// Python's `random` module (CPython's Mersenne Twister) for the draws an example makes with
// it: random.seed(int), random.randint(a, b). Same algorithm as CPython's _randommodule.c:
// init_by_array over the seed's 32-bit words, _randbelow by rejection on getrandbits.
const N = 624;

export class PyRandom {
  readonly #mt = new Uint32Array(N);
  #i = N;

  constructor(seed: number) {
    this.seed(seed);
  }

  #initGenrand(s: number): void {
    const mt = this.#mt;
    mt[0] = s >>> 0;
    for (let j = 1; j < N; j++) mt[j] = (Math.imul(1812433253, mt[j - 1]! ^ (mt[j - 1]! >>> 30)) + j) >>> 0;
    this.#i = N;
  }

  /** Python: `random.seed(n)` for a non-negative integer n (the key is its 32-bit words, low first). */
  seed(n: number): void {
    if (!Number.isSafeInteger(n)) throw new TypeError(`PyRandom.seed: expected a safe integer, got ${n}`);
    let v = BigInt(Math.abs(n));
    const key: number[] = [];
    do {
      key.push(Number(v & 0xffffffffn));
      v >>= 32n;
    } while (v > 0n);
    const mt = this.#mt;
    this.#initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      mt[i] = ((mt[i]! ^ Math.imul(mt[i - 1]! ^ (mt[i - 1]! >>> 30), 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= N) { mt[0] = mt[N - 1]!; i = 1; }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      mt[i] = ((mt[i]! ^ Math.imul(mt[i - 1]! ^ (mt[i - 1]! >>> 30), 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) { mt[0] = mt[N - 1]!; i = 1; }
    }
    mt[0] = 0x80000000;
  }

  #next(): number {
    const mt = this.#mt;
    if (this.#i >= N) {
      for (let k = 0; k < N; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % N]! & 0x7fffffff);
        mt[k] = mt[(k + 397) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.#i = 0;
    }
    let y = mt[this.#i++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Python: `random.getrandbits(k)` for 0 < k <= 32. */
  getrandbits(k: number): number {
    return this.#next() >>> (32 - k);
  }

  /** Python: `random.randint(a, b)`, both ends included (b - a + 1 < 2^32). */
  randint(a: number, b: number): number {
    const n = b - a + 1;
    if (!Number.isSafeInteger(n) || n < 1 || n >= 2 ** 32) throw new RangeError(`PyRandom.randint: empty or too wide range (${a}, ${b})`);
    const k = Math.floor(Math.log2(n)) + 1; // n.bit_length()
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return a + r;
  }
}
