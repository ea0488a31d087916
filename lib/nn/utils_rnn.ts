// torch.nn.utils.rnn (PyTorch 1.13 torch/nn/utils/rnn.py): PackedSequence and the functions
// that pack, pad and unpad variable-length batches for nn.RNN / nn.LSTM / nn.GRU.
import type { Device } from "../device.js";
import type { DType } from "../dtype.js";
import { TorchError } from "../errors.js";
import { tidy } from "../memory.js";
import { arange, emptyLike, tensor as makeTensor } from "../tensor/creation.js";
import { Tensor } from "../tensor/index.js";
import { fn as opFn } from "../tensor/ops.js";
import * as ops from "../tensor/ops.generated.js";
import { argError, isInt } from "../validate.js";
import { padSequence as atenPadSequence } from "./functional.generated.js";
import { bindArgs, bool, num, type PyArgs } from "./functional_util.js";
import { named } from "./rnn_named.js";

const NS = "nn.utils.rnn";

// Private ATen ops (leading underscore), which the generated surface leaves out.
const packPadded = opFn<(input: Tensor, lengths: Tensor, batchFirst: boolean) => [Tensor, Tensor]>(
  `${NS}.packPaddedSequence`, "_pack_padded_sequence", ["_pack_padded_sequence(Tensor input, Tensor lengths, bool batch_first) -> (Tensor, Tensor)"]);
const padPacked = opFn<(data: Tensor, batchSizes: Tensor, batchFirst: boolean, paddingValue: number, totalLength: number) => [Tensor, Tensor]>(
  `${NS}.padPackedSequence`, "_pad_packed_sequence", ["_pad_packed_sequence(Tensor data, Tensor batch_sizes, bool batch_first, Scalar padding_value, int total_length) -> (Tensor, Tensor)"]);

/**
 * Python: `torch.nn.utils.rnn.PackedSequence(data, batch_sizes, sorted_indices, unsorted_indices)`.
 * Python's is a namedtuple; this is a frozen 4-element array with the same field names, so
 * `const [data, batchSizes] = packed` unpacks it as Python does, and torch.tidy() keeps (or
 * torch.dispose() frees) the tensors it holds. Made by packPaddedSequence / packSequence and
 * returned by the recurrent layers, not usually by hand. `batchSizes` is an int64 CPU tensor.
 */
export class PackedSequence extends Array<Tensor | null> {
  declare readonly 0: Tensor;
  declare readonly 1: Tensor;
  declare readonly 2: Tensor | null;
  declare readonly 3: Tensor | null;
  // map/filter/slice give plain arrays: a PackedSequence is always the 4 fields.
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  /** Also `new PackedSequence([data, batchSizes], null, sortedIndices)`, as Python. */
  constructor(data: Tensor | readonly [Tensor, Tensor], batchSizes?: Tensor | null, sortedIndices?: Tensor | null, unsortedIndices?: Tensor | null) {
    super();
    const fn = `${NS}.PackedSequence`;
    let d: unknown = data;
    let b: unknown = batchSizes;
    if (b === undefined || b === null) {
      if (!Array.isArray(data) || data.length !== 2) throw argError(fn, "data", "a Tensor with batchSizes, or an array [data, batchSizes]", data);
      [d, b] = data;
    }
    if (!(d instanceof Tensor)) throw argError(fn, "data", "a Tensor", d);
    if (!(b instanceof Tensor)) throw argError(fn, "batchSizes", "a Tensor", b);
    if (b.device !== "cpu") {
      throw new TypeError(`${fn}: batch_sizes should always be on CPU. Instances of PackedSequence should never be created manually. ` +
        "They should be instantiated by functions like packSequence and packPaddedSequence in nn.utils.rnn.");
    }
    checkBatchSizes(fn, d, b);
    const sorted = sortedIndices === undefined || sortedIndices === null ? null : checkTensor(fn, "sortedIndices", sortedIndices);
    const unsorted = unsortedIndices === undefined || unsortedIndices === null ? invertPermutation(sorted) : checkTensor(fn, "unsortedIndices", unsortedIndices);
    this.push(d, b, sorted, unsorted);
    Object.freeze(this);
  }

  get data(): Tensor {
    return this[0];
  }
  get batchSizes(): Tensor {
    return this[1];
  }
  get sortedIndices(): Tensor | null {
    return this[2];
  }
  get unsortedIndices(): Tensor | null {
    return this[3];
  }
  /** Python: `is_cuda`. */
  get isCuda(): boolean {
    return this.data.device.startsWith("cuda");
  }

  /**
   * Python: `PackedSequence.to(*args, **kwargs)`: `data.to(...)`, the indices moved to data's
   * device; batchSizes stays on the CPU. Returns this sequence when data does not change.
   */
  to(dtype: DType, options?: { nonBlocking?: boolean; copy?: boolean }): PackedSequence;
  to(device: Device | "auto", dtype?: DType | null, options?: { nonBlocking?: boolean; copy?: boolean }): PackedSequence;
  to(options: { device?: Device | "auto"; dtype?: DType; nonBlocking?: boolean; copy?: boolean }): PackedSequence;
  to(...args: unknown[]): PackedSequence {
    const data = (this.data.to as (...a: unknown[]) => Tensor).apply(this.data, args);
    if (data === this.data) return this;
    const move = (t: Tensor | null) => (t === null ? null : t.to(data.device));
    return new PackedSequence(data, this.batchSizes, move(this.sortedIndices), move(this.unsortedIndices));
  }
  cpu(): PackedSequence {
    return this.to("cpu");
  }
  cuda(): PackedSequence {
    return this.to("cuda");
  }
  double(): PackedSequence {
    return this.to("float64");
  }
  float(): PackedSequence {
    return this.to("float32");
  }
  half(): PackedSequence {
    return this.to("float16");
  }
  long(): PackedSequence {
    return this.to("int64");
  }
  int(): PackedSequence {
    return this.to("int32");
  }
}

/**
 * ATen's packed kernels index `data` by `batch_sizes` without checking them (1.13 reads out of
 * bounds when they disagree): positive, non-increasing and summing to data's first dimension.
 */
function checkBatchSizes(fn: string, data: Tensor, batchSizes: Tensor): void {
  if (batchSizes.dtype !== "int64" || batchSizes.ndim !== 1) throw argError(fn, "batchSizes", "a 1-D int64 tensor", batchSizes);
  const sizes = Array.from(batchSizes.toTypedArray() as BigInt64Array, Number);
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (data.ndim < 1 || sizes.some((n, i) => n <= 0 || (i > 0 && n > sizes[i - 1]!)) || sum !== data.size(0)) {
    throw new TypeError(`${fn}: batchSizes must be positive, non-increasing and sum to data.size(0) (${data.ndim < 1 ? "a 0-dim data" : data.size(0)}), got [${sizes.join(", ")}]`);
  }
}

function checkTensor(fn: string, arg: string, value: unknown): Tensor {
  if (!(value instanceof Tensor)) throw argError(fn, arg, "a Tensor", value);
  return value;
}

/** Python: `invert_permutation(permutation)`: the inverse permutation (null for null). */
export function invertPermutation(permutation: Tensor | null): Tensor | null {
  if (permutation === null) return null;
  checkTensor(`${NS}.invertPermutation`, "permutation", permutation);
  return tidy(() => emptyLike(permutation).scatter_(0, permutation, arange(0, permutation.numel(), { device: permutation.device })));
}

/** Lengths as Python's `torch.as_tensor(lengths, dtype=torch.int64)`. */
function lengthsTensor(fn: string, lengths: unknown): Tensor {
  if (lengths instanceof Tensor) return lengths.dtype === "int64" ? lengths : lengths.to("int64");
  if (Array.isArray(lengths) && lengths.every((v) => isInt(v) || typeof v === "bigint")) {
    return makeTensor(BigInt64Array.from(lengths as (number | bigint)[], (v) => BigInt(v)));
  }
  throw argError(fn, "lengths", "a Tensor or an array of integers", lengths);
}

type PackPaddedOptions = { batchFirst: boolean; enforceSorted: boolean };
/**
 * Python: `pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True)`.
 * With enforceSorted false the batch is sorted by decreasing length here and the permutation
 * kept in the result (sortedIndices), so outputs come back in the caller's order.
 */
export function packPaddedSequence(input: Tensor, lengths: Tensor | readonly number[], ...args: PyArgs<[batchFirst: boolean, enforceSorted: boolean], PackPaddedOptions>): PackedSequence {
  const fn = `${NS}.packPaddedSequence`;
  checkTensor(fn, "input", input);
  const a = bindArgs(fn, ["batchFirst", "enforceSorted"], args, 0, ["input", "lengths"]);
  const batchFirst = bool(fn, "batchFirst", a.batchFirst, false);
  const enforceSorted = bool(fn, "enforceSorted", a.enforceSorted, true);
  return tidy(() => {
    let lens = lengthsTensor(fn, lengths);
    let x = input;
    let sortedIndices: Tensor | null = null;
    if (!enforceSorted) {
      const [values, indices] = ops.sort(lens, -1, true);
      lens = values;
      sortedIndices = indices.to(input.device);
      x = input.indexSelect(batchFirst ? 0 : 1, sortedIndices);
    }
    // ATen checks the count and the positivity of lengths, not that they fit the padded input.
    const steps = input.ndim < 2 ? 0 : input.size(batchFirst ? 1 : 0);
    if (lens.device === "cpu" && lens.ndim === 1 && lens.numel() > 0) {
      const longest = Math.max(...Array.from(lens.toTypedArray() as BigInt64Array, Number));
      if (longest > steps) throw new TorchError(`${fn}: lengths must not exceed the padded length of input (${steps}), got a length of ${longest}`);
    }
    const [data, batchSizes] = named(fn, () => packPadded(x, lens, batchFirst));
    return new PackedSequence(data, batchSizes, sortedIndices, null);
  });
}

type PadPackedOptions = { batchFirst: boolean; paddingValue: number; totalLength: number | null };
/**
 * Python: `pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None)`:
 * `[padded, lengths]`, in the order the batch had before packing.
 */
export function padPackedSequence(sequence: PackedSequence, ...args: PyArgs<[batchFirst: boolean, paddingValue: number, totalLength: number | null], PadPackedOptions>): [Tensor, Tensor] {
  const fn = `${NS}.padPackedSequence`;
  if (!(sequence instanceof PackedSequence)) throw argError(fn, "sequence", "a PackedSequence", sequence);
  const a = bindArgs(fn, ["batchFirst", "paddingValue", "totalLength"], args, 0, ["sequence"]);
  const batchFirst = bool(fn, "batchFirst", a.batchFirst, false);
  const paddingValue = num(fn, "paddingValue", a.paddingValue, 0);
  let maxSeqLength = sequence.batchSizes.size(0);
  if (a.totalLength !== undefined && a.totalLength !== null) {
    if (!isInt(a.totalLength)) throw argError(fn, "totalLength", "an integer or null", a.totalLength);
    if (a.totalLength < maxSeqLength) {
      throw new TypeError(`${fn}: Expected total_length to be at least the length of the longest sequence in input, but got total_length=${a.totalLength} and max sequence length being ${maxSeqLength}`);
    }
    maxSeqLength = a.totalLength;
  }
  return tidy(() => {
    const [padded, lengths] = named(fn, () => padPacked(sequence.data, sequence.batchSizes, batchFirst, paddingValue, maxSeqLength));
    const unsorted = sequence.unsortedIndices;
    if (unsorted === null) return [padded, lengths];
    return [padded.indexSelect(batchFirst ? 0 : 1, unsorted), lengths.indexSelect(0, unsorted.to("cpu"))];
  });
}

function sequenceList(fn: string, arg: string, sequences: unknown): Tensor[] {
  // Python takes any iterable: a Tensor iterates over its first dimension.
  if (sequences instanceof Tensor) return sequences.unbind(0);
  if (!Array.isArray(sequences) || !sequences.every((s) => s instanceof Tensor)) throw argError(fn, arg, "an array of Tensors", sequences);
  return sequences as Tensor[];
}

type PadSequenceOptions = { batchFirst: boolean; paddingValue: number };
/** Python: `pad_sequence(sequences, batch_first=False, padding_value=0.0)`. */
export function padSequence(sequences: readonly Tensor[] | Tensor, ...args: PyArgs<[batchFirst: boolean, paddingValue: number], PadSequenceOptions>): Tensor {
  const fn = `${NS}.padSequence`;
  const a = bindArgs(fn, ["batchFirst", "paddingValue"], args, 0, ["sequences"]);
  const batchFirst = bool(fn, "batchFirst", a.batchFirst, false);
  const paddingValue = num(fn, "paddingValue", a.paddingValue, 0);
  return tidy(() => named(fn, () => atenPadSequence(sequenceList(fn, "sequences", sequences), batchFirst, paddingValue)));
}

/**
 * Python: `unpad_sequence(padded_sequences, lengths, batch_first=False)`: the sequences,
 * each cut to its length. Unlike Python 1.13, which transposes the caller's tensor in place
 * when batch_first is False, this leaves `paddedSequences` as it was.
 */
export function unpadSequence(paddedSequences: Tensor, lengths: Tensor | readonly number[], ...args: PyArgs<[batchFirst: boolean], { batchFirst: boolean }>): Tensor[] {
  const fn = `${NS}.unpadSequence`;
  checkTensor(fn, "paddedSequences", paddedSequences);
  const a = bindArgs(fn, ["batchFirst"], args, 0, ["paddedSequences", "lengths"]);
  const batchFirst = bool(fn, "batchFirst", a.batchFirst, false);
  return tidy(() => {
    const lens = lengthsTensor(fn, lengths);
    const padded = batchFirst ? paddedSequences : paddedSequences.transpose(0, 1);
    const lengthList = Array.from(lens.toTypedArray() as ArrayLike<number | bigint>, Number);
    // Python zips the batch with the lengths: the shorter of the two decides how many come back.
    const n = Math.min(padded.size(0), lengthList.length);
    return Array.from({ length: n }, (_, i) => {
      const seq = padded.select(0, i);
      return seq.narrow(0, 0, Math.max(0, Math.min(lengthList[i]!, seq.size(0)))).clone();
    });
  });
}

/** Python: `pack_sequence(sequences, enforce_sorted=True)`. */
export function packSequence(sequences: readonly Tensor[], ...args: PyArgs<[enforceSorted: boolean], { enforceSorted: boolean }>): PackedSequence {
  const fn = `${NS}.packSequence`;
  const a = bindArgs(fn, ["enforceSorted"], args, 0, ["sequences"]);
  const enforceSorted = bool(fn, "enforceSorted", a.enforceSorted, true);
  const list = sequenceList(fn, "sequences", sequences);
  return tidy(() => packPaddedSequence(padSequence(list), list.map((v) => v.size(0)), { enforceSorted }));
}

/** Python: `unpack_sequence(packed_sequences)`: the list of sequences, in the original order. */
export function unpackSequence(packedSequences: PackedSequence): Tensor[] {
  const fn = `${NS}.unpackSequence`;
  if (!(packedSequences instanceof PackedSequence)) throw argError(fn, "packedSequences", "a PackedSequence", packedSequences);
  return tidy(() => {
    const [padded, lengths] = padPackedSequence(packedSequences, { batchFirst: true });
    return unpadSequence(padded, lengths, { batchFirst: true });
  });
}
