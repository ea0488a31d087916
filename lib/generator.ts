// torch.Generator for the CPU: libtorch's CPUGeneratorImpl (an mt19937 engine) reimplemented in
// TypeScript, because the native layer exposes only the global generator (torch.manualSeed).
// The draws the data pipeline needs (randperm, randint, multinomial, random_) follow ATen
// 1.13's CPU kernels step by step, so the same seed gives Python's numbers, and getState()
// is byte-for-byte Python's `Generator.get_state()` (CPUGeneratorImplState, 5056 bytes).
import { argError, checkNonNegInt, describe, isInt } from "./validate.js";

const N = 624;
const M = 397;
/** c10's default_rng_seed_val: the seed of a `torch.Generator()` nobody seeded. */
const DEFAULT_SEED = 67280421310721n;
const STATE_BYTES = 5056;

/** Python: `torch.Generator()` (CPU). */
export class Generator {
  readonly device = "cpu";
  #seed = DEFAULT_SEED;
  #state = new Uint32Array(N);
  #left = 1;
  #next = 0;
  /** The cached second Box-Muller normals of Python's state, kept through set/getState. */
  #normalDouble: number | null = null;
  #normalFloat: number | null = null;

  constructor(device?: string) {
    if (device !== undefined && device !== "cpu") throw argError("torch.Generator", "device", '"cpu" (CUDA generators are not supported)', device);
    this.#seedWith(DEFAULT_SEED);
  }

  /** Python: `g.manual_seed(seed)`; returns the generator, as Python does. */
  manualSeed(seed: number | bigint): this {
    let s: bigint;
    if (typeof seed === "bigint") s = seed;
    else if (isInt(seed)) s = BigInt(seed);
    else throw argError("Generator.manualSeed", "seed", "an integer", seed);
    // Python takes a negative seed modulo 2^64 (torch.manual_seed(-1) is 2^64 - 1).
    if (s < -(1n << 63n) || s >= 1n << 64n) throw argError("Generator.manualSeed", "seed", "an integer in [-2^63, 2^64)", seed);
    this.#seedWith(BigInt.asUintN(64, s));
    return this;
  }

  /** Python: `g.initial_seed()`. A bigint: seeds are 64-bit. */
  initialSeed(): bigint {
    return this.#seed;
  }

  /**
   * Python: `g.seed()`: reseeds from a non-deterministic source and returns the seed (Python
   * uses /dev/urandom, 64 bits; here crypto's random values).
   */
  seed(): bigint {
    const words = crypto.getRandomValues(new Uint32Array(2));
    const s = (BigInt(words[0]!) << 32n) | BigInt(words[1]!);
    this.#seedWith(s);
    return s;
  }

  #seedWith(seed: bigint): void {
    this.#seed = seed;
    this.#normalDouble = null;
    this.#normalFloat = null;
    // at::mt19937 keeps the 64-bit seed but initialises from its low 32 bits.
    const st = this.#state;
    st[0] = Number(seed & 0xffffffffn);
    for (let j = 1; j < N; j++) {
      const prev = st[j - 1]!;
      st[j] = (Math.imul(1812433253, (prev ^ (prev >>> 30)) >>> 0) + j) >>> 0;
    }
    this.#left = 1;
    this.#next = 0;
  }

  #twist(): void {
    const st = this.#state;
    const mix = (u: number, v: number) => (((u & 0x80000000) | (v & 0x7fffffff)) >>> 1) ^ (v & 1 ? 0x9908b0df : 0);
    this.#left = N;
    this.#next = 0;
    for (let k = 0; k < N - M; k++) st[k] = (st[k + M]! ^ mix(st[k]!, st[k + 1]!)) >>> 0;
    for (let k = N - M; k < N - 1; k++) st[k] = (st[k + M - N]! ^ mix(st[k]!, st[k + 1]!)) >>> 0;
    st[N - 1] = (st[M - 1]! ^ mix(st[N - 1]!, st[0]!)) >>> 0;
  }

  /** CPUGeneratorImpl::random(): the next 32 bits of the engine. */
  random(): number {
    if (--this.#left === 0) this.#twist();
    let y = this.#state[this.#next++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** CPUGeneratorImpl::random64(): two draws, the first one the high word. */
  random64(): bigint {
    const hi = this.random();
    const lo = this.random();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** at::uniform_real_distribution<double>(0, 1): 53 random bits of a random64 draw. */
  uniform(): number {
    const hi = this.random();
    const lo = this.random();
    // (random64 & (2^53 - 1)) * 2^-53, without a bigint: the low 21 bits of hi, then lo.
    return ((hi & 0x1fffff) * 4294967296 + lo) / 9007199254740992;
  }

  /** Python: `g.get_state()`: CPUGeneratorImplState's bytes (a uint8 tensor in Python). */
  getState(): Uint8Array {
    const buf = new ArrayBuffer(STATE_BYTES);
    const v = new DataView(buf);
    v.setBigUint64(0, this.#seed, true);
    v.setInt32(8, this.#left, true);
    v.setInt32(12, 1, true); // seeded
    v.setBigUint64(16, BigInt(this.#next), true);
    for (let j = 0; j < N; j++) v.setBigUint64(24 + 8 * j, BigInt(this.#state[j]!), true);
    // legacy normal_x (5016) and normal_rho (5032) are dummies; normal_y carries the cached double.
    if (this.#normalDouble !== null) {
      v.setFloat64(5024, this.#normalDouble, true);
      v.setInt32(5040, 1, true);
    }
    if (this.#normalFloat !== null) {
      v.setFloat32(5048, this.#normalFloat, true);
      v.setUint8(5052, 1);
    }
    return new Uint8Array(buf);
  }

  /** Python: `g.set_state(state)`: a state from getState() (or Python's get_state() bytes). */
  setState(state: Uint8Array | ArrayLike<number>): this {
    const bytes = state instanceof Uint8Array ? state : ArrayBuffer.isView(state) || Array.isArray(state) ? Uint8Array.from(state as ArrayLike<number>) : null;
    if (bytes === null || bytes.length !== STATE_BYTES) {
      throw argError("Generator.setState", "state", `the ${STATE_BYTES} bytes of a CPU generator state (getState())`, state);
    }
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const left = v.getInt32(8, true);
    const next = Number(v.getBigUint64(16, true));
    // As CPUGeneratorImpl::set_state: a state whose position is out of the engine is corrupt.
    if (left < 1 || left > N || next > N) throw new TypeError(`Generator.setState: corrupted state (left ${left}, next ${next})`);
    this.#seed = v.getBigUint64(0, true);
    this.#left = left;
    this.#next = next;
    for (let j = 0; j < N; j++) this.#state[j] = Number(v.getBigUint64(24 + 8 * j, true) & 0xffffffffn);
    this.#normalDouble = v.getInt32(5040, true) !== 0 ? v.getFloat64(5024, true) : null;
    this.#normalFloat = v.getUint8(5052) !== 0 ? v.getFloat32(5048, true) : null;
    return this;
  }

  toString(): string {
    return "<torch._C.Generator object>";
  }
}

export function checkGenerator(fn: string, value: unknown): Generator | undefined {
  if (value === undefined || value === null) return undefined;
  if (!(value instanceof Generator)) throw argError(fn, "generator", "a torch.Generator or null", value);
  return value;
}

/** Python: `torch.randperm(n, generator=g).tolist()` (ATen 1.13's randperm_cpu). */
export function randpermWith(n: number, g: Generator): number[] {
  const r = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n - 1; i++) {
    const z = g.random() % (n - i);
    const sav = r[i]!;
    r[i] = r[z + i]!;
    r[z + i] = sav;
  }
  return r;
}

/** Python: `torch.randint(low, high, (count,), generator=g).tolist()` (random_from_to on int64). */
export function randintWith(low: number, high: number, count: number, g: Generator): number[] {
  const range = high - low;
  const out = new Array<number>(count);
  if (range >= 2 ** 32) {
    const r = BigInt(range);
    for (let k = 0; k < count; k++) out[k] = Number(g.random64() % r) + low;
  } else {
    for (let k = 0; k < count; k++) out[k] = (g.random() % range) + low;
  }
  return out;
}

/** Python: `torch.empty((), dtype=torch.int64).random_(generator=g).item()`. */
export function randomInt64With(g: Generator): bigint {
  return g.random64() % (1n << 63n);
}

/**
 * Python: `torch.multinomial(weights, n, replacement, generator=g).tolist()` on a float64
 * vector. ATen 1.13 on the CPU: without replacement the exponential trick topk(p / q) with
 * q ~ Exp(1); with replacement (one sample included) a binary search of the normalised
 * cumulative distribution for each uniform draw.
 */
export function multinomialWith(weights: Float64Array, n: number, replacement: boolean, g: Generator): number[] {
  const k = weights.length;
  if (!replacement) {
    // exponential_ without MKL: -1/lambda * log(1 - u), one draw per category.
    const keyed = Array.from(weights, (p, i) => [p / -Math.log(1 - g.uniform()), i] as [number, number]);
    // topk: largest first; ties by the lower index.
    keyed.sort((a, b) => (b[0] - a[0]) || (a[1] - b[1]));
    return keyed.slice(0, n).map(([, i]) => i);
  }
  const cum = new Float64Array(k);
  let sum = 0;
  for (let j = 0; j < k; j++) {
    sum += weights[j]!;
    cum[j] = sum;
  }
  for (let j = 0; j < k; j++) cum[j] = cum[j]! / sum;
  cum[k - 1] = 1;
  const out = new Array<number>(n);
  for (let s = 0; s < n; s++) {
    const u = g.uniform();
    let left = 0;
    let right = k;
    while (right - left > 0) {
      const mid = left + ((right - left) >> 1);
      if (cum[mid]! < u) left = mid + 1;
      else right = mid;
    }
    out[s] = left;
  }
  return out;
}

/** Validates multinomial's weights as ATen does, naming the caller. */
export function checkWeights(fn: string, weights: Float64Array, n: number, replacement: boolean): void {
  let positive = 0;
  for (const w of weights) {
    if (!Number.isFinite(w) || w < 0) throw new RangeError(`${fn}: weights must be finite and non-negative, but received ${describe(w)}`);
    if (w > 0) positive++;
  }
  if (positive === 0) throw new RangeError(`${fn}: weights must have a positive sum`);
  if (!replacement && n > positive) {
    throw new RangeError(`${fn}: cannot draw ${n} samples without replacement from ${positive} categories of non-zero weight`);
  }
  checkNonNegInt(fn, "numSamples", n);
}
