// torch.utils.data.DistributedSampler (Python: torch/utils/data/distributed.py): each rank's share
// of a dataset, in Python's exact order: the same randperm of torch.Generator().manual_seed(seed +
// epoch) on every rank, padded by repeating indices (or cut, with dropLast) to a multiple of the
// world size, then every numReplicas-th index from rank.
import { getRankAndWorldSize } from "../distributed/state.js";
import { TorchError } from "../errors.js";
import { Generator } from "../generator.js";
import { bindArgs, type PyArgs } from "../tensor/python_args.js";
import { argError, checkBool, checkInt, isInt } from "../validate.js";
import { drawRandperm } from "./draws.js";
import { Sampler } from "./samplers.js";

/** Anything with a length: a dataset, an array, `{ length: n }` (Python: `range(n)`). */
interface Sized {
  readonly length: number;
}

const FN = "DistributedSampler";
/** What torch.Generator.manual_seed takes; Python raises "Overflow when unpacking long" past it. */
const SEED_MIN = -(1n << 63n);
const SEED_END = 1n << 64n;

type Args = PyArgs<
  [numReplicas: number | null, rank: number | null, shuffle: boolean, seed: number | bigint, dropLast: boolean],
  { numReplicas: number | null; rank: number | null; shuffle: boolean; seed: number | bigint; dropLast: boolean }
>;

function lengthOf(value: unknown): number {
  let n: unknown;
  try {
    n = (value as Sized | null)?.length;
  } catch {
    n = undefined;
  }
  if (value === null || typeof value !== "object" || !isInt(n) || n < 0) throw argError(FN, "dataset", "a dataset (or array) with a length", value);
  return n;
}

/** Python: `dist.get_world_size()` / `dist.get_rank()` of the default group, which must exist. */
function fromProcessGroup(arg: "numReplicas" | "rank"): number {
  const state = getRankAndWorldSize();
  if (state === null) {
    throw new TorchError(`${FN}: ${arg} was not given and the default process group has not been initialized, ` +
      "please make sure to call initProcessGroup (or pass numReplicas and rank)");
  }
  return arg === "rank" ? state[0] : state[1];
}

/** ⌊a / b⌋ of non-negative safe integers, exactly (no float rounding, which ceil(n / r) could suffer). */
const floorDiv = (a: number, b: number) => (a - (a % b)) / b;

/**
 * Python: `DistributedSampler(dataset, num_replicas=None, rank=None, shuffle=True, seed=0,
 * drop_last=False)`: positionally in that order, or in an options object. numReplicas and rank
 * default to the default process group's world size and rank. Call `setEpoch(epoch)` before each
 * epoch's iteration, as in Python, or every epoch has the same order.
 */
export class DistributedSampler extends Sampler<number> {
  readonly dataset: Sized;
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number | bigint;
  readonly dropLast: boolean;
  /** Python: `num_samples`: this rank's share (its length). */
  readonly numSamples: number;
  /** Python: `total_size`: numSamples × numReplicas, the padded (or cut) index count. */
  readonly totalSize: number;
  /** Python: `epoch`: set by setEpoch; the shuffle seeds from seed + epoch. */
  epoch: number | bigint = 0;

  constructor(dataset: Sized, ...args: Args) {
    super();
    const o = bindArgs(FN, ["numReplicas", "rank", "shuffle", "seed", "dropLast"], args, 0, ["dataset"]);
    // Python's order: world size, rank, their check, then the length.
    const numReplicas = o.numReplicas === undefined || o.numReplicas === null ? fromProcessGroup("numReplicas") : checkInt(FN, "numReplicas", o.numReplicas);
    const rank = o.rank === undefined || o.rank === null ? fromProcessGroup("rank") : checkInt(FN, "rank", o.rank);
    if (rank >= numReplicas || rank < 0) throw new RangeError(`${FN}: Invalid rank ${rank}, rank should be in the interval [0, ${numReplicas - 1}]`);
    const n = lengthOf(dataset);
    this.dataset = dataset;
    this.numReplicas = numReplicas;
    this.rank = rank;
    this.dropLast = o.dropLast === undefined ? false : checkBool(FN, "dropLast", o.dropLast);
    this.shuffle = o.shuffle === undefined ? true : checkBool(FN, "shuffle", o.shuffle);
    this.seed = o.seed === undefined ? 0 : checkSeed("seed", o.seed);
    // Python: ceil((n - r) / r) with dropLast when r does not divide n, which is floor(n / r);
    // otherwise ceil(n / r).
    const whole = floorDiv(n, numReplicas);
    this.numSamples = this.dropLast || n % numReplicas === 0 ? whole : whole + 1;
    this.totalSize = this.numSamples * numReplicas;
    if (!Number.isSafeInteger(this.totalSize)) throw new RangeError(`${FN}: ${this.numSamples} samples × ${numReplicas} replicas is too many indices`);
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = lengthOf(this.dataset);
    // Python assumes a constant size; a length its asserts would refuse gets a clear error.
    const fits = this.dropLast ? n >= this.totalSize : n <= this.totalSize && (n > 0 || this.totalSize === 0);
    if (!fits) throw new TorchError(`${FN}: the dataset's length is now ${n}, which does not fit the ${this.totalSize} indices (${this.numSamples} per replica) it was made for; datasets must keep a constant size`);
    let indices: number[];
    if (this.shuffle) {
      const s = BigInt(this.seed) + BigInt(this.epoch);
      if (s < SEED_MIN || s >= SEED_END) throw new TorchError(`${FN}: seed + epoch = ${s} is outside a generator seed's range [-2^63, 2^64)`);
      indices = drawRandperm(n, new Generator().manualSeed(s));
    } else {
      indices = Array.from({ length: n }, (_, i) => i);
    }
    // Without dropLast Python pads with indices[:padding] or, when that is too few, with
    // (indices * k)[:padding]: both are indices repeated cyclically. With it, the tail is cut.
    for (let j = this.rank; j < this.totalSize; j += this.numReplicas) yield indices[j % n]!;
  }

  get length(): number {
    return this.numSamples;
  }

  /** Python: `set_epoch(epoch)`: the next iteration's shuffle seeds from seed + epoch. */
  setEpoch(epoch: number | bigint): void {
    this.epoch = checkSeed("epoch", epoch);
  }
}

function checkSeed(arg: string, value: unknown): number | bigint {
  if (typeof value === "bigint" || isInt(value)) return value;
  throw argError(`${FN}${arg === "epoch" ? ".setEpoch" : ""}`, arg, "an integer (a number or a bigint)", value);
}
