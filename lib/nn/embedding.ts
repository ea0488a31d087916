// nn.Embedding and nn.EmbeddingBag (torch/nn/modules/sparse.py): a (num_embeddings,
// embedding_dim) weight looked up by F.embedding / F.embedding_bag, initialised N(0, 1) with the
// padding row zeroed, as PyTorch's reset_parameters.
//
// sparse=true is passed to ATen as in PyTorch: the weight's gradient is then a sparse COO tensor.
// torch-ts carries it (backward accumulates it, `grad.toDense()` reads it), but cannot print it
// or read its values directly (tolist() and printing refuse it with a TorchError).
import { noGrad } from "../autograd.js";
import type { Device } from "../device.js";
import type { DType } from "../dtype.js";
import { tidy } from "../memory.js";
import { empty } from "../tensor/creation.js";
import { Tensor } from "../tensor/index.js";
import { argError, checkBool, checkNonNegInt, checkNumber, isInt } from "../validate.js";
import { embedding, embeddingBag } from "./functional_python.js";
import { factoryOptions } from "./factory.js";
import { bindArgs, choice, type PyArgs } from "./functional_util.js";
import { normal_ } from "./init.js";
import { Module } from "./module.js";
import { initEnabled } from "./skip_init.js";
import { py, pyFloat } from "./repr.js";

type Opt<T> = T | null;
type EmbeddingP = [paddingIdx: Opt<number>, maxNorm: Opt<number>, normType: number, scaleGradByFreq: boolean, sparse: boolean, _weight: Opt<Tensor>, device: Device, dtype: DType];
type EmbeddingO = { paddingIdx: Opt<number>; maxNorm: Opt<number>; normType: number; scaleGradByFreq: boolean; sparse: boolean; _weight: Opt<Tensor>; device: Device; dtype: DType };
type BagMode = "sum" | "mean" | "max";
type BagP = [maxNorm: Opt<number>, normType: number, scaleGradByFreq: boolean, mode: BagMode, sparse: boolean, _weight: Opt<Tensor>, includeLastOffset: boolean, paddingIdx: Opt<number>, device: Device, dtype: DType];
type BagO = { maxNorm: Opt<number>; normType: number; scaleGradByFreq: boolean; mode: BagMode; sparse: boolean; _weight: Opt<Tensor>; includeLastOffset: boolean; paddingIdx: Opt<number>; device: Device; dtype: DType };

/** Python's padding_idx check: within [-num_embeddings, num_embeddings), negatives counted from the end. */
function paddingIdxArg(fn: string, value: unknown, rows: number): number | null {
  if (value === undefined || value === null) return null;
  if (!isInt(value) || value >= rows || value < -rows) throw argError(fn, "paddingIdx", `an integer within numEmbeddings (${-rows} to ${rows - 1}) or null`, value);
  return value < 0 ? rows + value : value;
}

const optNumber = (fn: string, arg: string, v: unknown): number | null => (v === undefined || v === null ? null : checkNumber(fn, arg, v));
const flag = (fn: string, arg: string, v: unknown): boolean => (v === undefined ? false : checkBool(fn, arg, v));

/** The weight: `_weight` itself when given (its shape checked), else an empty tensor to initialise. */
function makeWeight(fn: string, o: Record<string, unknown>, rows: number, cols: number): { weight: Tensor; given: boolean } {
  if (o._weight !== undefined && o._weight !== null) {
    const w = o._weight;
    if (!(w instanceof Tensor)) throw argError(fn, "_weight", "a Tensor or null", w);
    if (w.ndim !== 2 || w.shape[0] !== rows || w.shape[1] !== cols) throw argError(fn, "_weight", `a tensor of shape [${rows}, ${cols}] (numEmbeddings, embeddingDim)`, w);
    return { weight: w, given: true };
  }
  const factory = factoryOptions(fn, o);
  return { weight: tidy(() => empty([rows, cols], factory)), given: false };
}

/** The 2-D tensor from_pretrained takes: rows are the embeddings. */
function pretrained(fn: string, embeddings: unknown): Tensor {
  if (!(embeddings instanceof Tensor) || embeddings.ndim !== 2) throw argError(`${fn}.fromPretrained`, "embeddings", "a 2-dimensional Tensor", embeddings);
  return embeddings;
}

/** Python's reset_parameters of both modules: N(0, 1), then the padding row zeroed. */
function resetWeight(weight: Tensor, paddingIdx: number | null): void {
  normal_(weight);
  if (paddingIdx !== null) tidy(() => noGrad(() => weight.select(0, paddingIdx).fill_(0)));
}

/**
 * Python: `nn.Embedding(num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
 * norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None, device=None, dtype=None)`.
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly sparse: boolean;
  readonly weight: Tensor;

  constructor(numEmbeddings: number, embeddingDim: number, ...args: PyArgs<EmbeddingP, EmbeddingO>) {
    super();
    const fn = "nn.Embedding";
    const o = bindArgs(fn, ["paddingIdx", "maxNorm", "normType", "scaleGradByFreq", "sparse", "_weight", "device", "dtype"], args, 0, ["numEmbeddings", "embeddingDim"]);
    this.numEmbeddings = checkNonNegInt(fn, "numEmbeddings", numEmbeddings);
    this.embeddingDim = checkNonNegInt(fn, "embeddingDim", embeddingDim);
    this.paddingIdx = paddingIdxArg(fn, o.paddingIdx, numEmbeddings);
    this.maxNorm = optNumber(fn, "maxNorm", o.maxNorm);
    this.normType = o.normType === undefined ? 2 : checkNumber(fn, "normType", o.normType);
    this.scaleGradByFreq = flag(fn, "scaleGradByFreq", o.scaleGradByFreq);
    this.sparse = flag(fn, "sparse", o.sparse);
    const { weight, given } = makeWeight(fn, o, numEmbeddings, embeddingDim);
    this.weight = this.registerParameter("weight", weight);
    if (!given && initEnabled()) this.resetParameters();
  }

  /**
   * Python: `nn.Embedding.from_pretrained(embeddings, freeze=True, padding_idx=None,
   * max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False)`: the weight is
   * `embeddings` itself (shared, as PyTorch's), trainable only when freeze is false.
   */
  static fromPretrained(embeddings: Tensor, ...args: PyArgs<[freeze: boolean, paddingIdx: Opt<number>, maxNorm: Opt<number>, normType: number, scaleGradByFreq: boolean, sparse: boolean],
    { freeze: boolean; paddingIdx: Opt<number>; maxNorm: Opt<number>; normType: number; scaleGradByFreq: boolean; sparse: boolean }>): Embedding {
    const fn = "nn.Embedding.fromPretrained";
    const { freeze, ...o } = bindArgs(fn, ["freeze", "paddingIdx", "maxNorm", "normType", "scaleGradByFreq", "sparse"], args, 0, ["embeddings"]);
    const w = pretrained("nn.Embedding", embeddings);
    const frozen = freeze === undefined ? true : checkBool(fn, "freeze", freeze);
    const m = new Embedding(w.shape[0]!, w.shape[1]!, { ...(o as Partial<EmbeddingO>), _weight: w });
    m.weight.requiresGrad_(!frozen);
    return m;
  }

  resetParameters(): void {
    resetWeight(this.weight, this.paddingIdx);
  }

  forward(x: Tensor): Tensor {
    return embedding(x, this.weight, this.paddingIdx, this.maxNorm, this.normType, this.scaleGradByFreq, this.sparse);
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += `, scale_grad_by_freq=${py(true)}`;
    if (this.sparse) s += ", sparse=True";
    return s;
  }
}

/**
 * Python: `nn.EmbeddingBag(num_embeddings, embedding_dim, max_norm=None, norm_type=2.0,
 * scale_grad_by_freq=False, mode='mean', sparse=False, _weight=None, include_last_offset=False,
 * padding_idx=None, device=None, dtype=None)`: sums, averages or maxes bags of embeddings.
 */
export class EmbeddingBag extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly mode: BagMode;
  readonly sparse: boolean;
  readonly includeLastOffset: boolean;
  readonly paddingIdx: number | null;
  readonly weight: Tensor;

  constructor(numEmbeddings: number, embeddingDim: number, ...args: PyArgs<BagP, BagO>) {
    super();
    const fn = "nn.EmbeddingBag";
    const o = bindArgs(fn, ["maxNorm", "normType", "scaleGradByFreq", "mode", "sparse", "_weight", "includeLastOffset", "paddingIdx", "device", "dtype"], args, 0, ["numEmbeddings", "embeddingDim"]);
    this.numEmbeddings = checkNonNegInt(fn, "numEmbeddings", numEmbeddings);
    this.embeddingDim = checkNonNegInt(fn, "embeddingDim", embeddingDim);
    this.maxNorm = optNumber(fn, "maxNorm", o.maxNorm);
    this.normType = o.normType === undefined ? 2 : checkNumber(fn, "normType", o.normType);
    this.scaleGradByFreq = flag(fn, "scaleGradByFreq", o.scaleGradByFreq);
    this.paddingIdx = paddingIdxArg(fn, o.paddingIdx, numEmbeddings);
    this.mode = choice(fn, "mode", o.mode, ["sum", "mean", "max"], "mean");
    this.sparse = flag(fn, "sparse", o.sparse);
    this.includeLastOffset = flag(fn, "includeLastOffset", o.includeLastOffset);
    const { weight, given } = makeWeight(fn, o, numEmbeddings, embeddingDim);
    this.weight = this.registerParameter("weight", weight);
    if (!given && initEnabled()) this.resetParameters();
  }

  /**
   * Python: `nn.EmbeddingBag.from_pretrained(embeddings, freeze=True, max_norm=None,
   * norm_type=2.0, scale_grad_by_freq=False, mode='mean', sparse=False,
   * include_last_offset=False, padding_idx=None)`.
   */
  static fromPretrained(embeddings: Tensor, ...args: PyArgs<[freeze: boolean, maxNorm: Opt<number>, normType: number, scaleGradByFreq: boolean, mode: BagMode, sparse: boolean, includeLastOffset: boolean, paddingIdx: Opt<number>],
    { freeze: boolean; maxNorm: Opt<number>; normType: number; scaleGradByFreq: boolean; mode: BagMode; sparse: boolean; includeLastOffset: boolean; paddingIdx: Opt<number> }>): EmbeddingBag {
    const fn = "nn.EmbeddingBag.fromPretrained";
    const { freeze, ...o } = bindArgs(fn, ["freeze", "maxNorm", "normType", "scaleGradByFreq", "mode", "sparse", "includeLastOffset", "paddingIdx"], args, 0, ["embeddings"]);
    const w = pretrained("nn.EmbeddingBag", embeddings);
    const frozen = freeze === undefined ? true : checkBool(fn, "freeze", freeze);
    const m = new EmbeddingBag(w.shape[0]!, w.shape[1]!, { ...(o as Partial<BagO>), _weight: w });
    m.weight.requiresGrad_(!frozen);
    return m;
  }

  resetParameters(): void {
    resetWeight(this.weight, this.paddingIdx);
  }

  /** Python: `forward(input, offsets=None, per_sample_weights=None)`. */
  forward(x: Tensor, ...args: PyArgs<[offsets: Opt<Tensor>, perSampleWeights: Opt<Tensor>], { offsets: Opt<Tensor>; perSampleWeights: Opt<Tensor> }>): Tensor {
    const o = bindArgs("nn.EmbeddingBag.forward", ["offsets", "perSampleWeights"], args);
    return embeddingBag(x, this.weight, (o.offsets ?? null) as Opt<Tensor>, this.maxNorm, this.normType, this.scaleGradByFreq, this.mode, this.sparse,
      (o.perSampleWeights ?? null) as Opt<Tensor>, this.includeLastOffset, this.paddingIdx);
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += `, scale_grad_by_freq=${py(true)}`;
    s += `, mode=${this.mode}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    return s;
  }
}
