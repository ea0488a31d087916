// nn.TransformerEncoderLayer and nn.TransformerDecoderLayer, as PyTorch 1.13's
// torch/nn/modules/transformer.py: the same children under the same names, created in the same
// order (so the same manualSeed gives the same weights), post- or pre-norm residual blocks over
// MultiheadAttention. The fused 1.13 fast path is not used; eval results are the same math.
import type { Device } from "../device.js";
import { DTYPES, type DType } from "../dtype.js";
import type { Tensor } from "../tensor/index.js";
import { argError, checkBool, checkNumber, checkPositiveInt } from "../validate.js";
import { deepCopy } from "./clone.js";
import { Dropout } from "./dropout.js";
import { factoryOptions } from "./factory.js";
import * as F from "./functional.js";
import { bindArgs, optTensor, tensor, type PyArgs } from "./functional_util.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";
import { MultiheadAttention } from "./multihead_attention.js";
import { LayerNorm } from "./normalization.js";

/** What a layer's `activation` may be: Python's "relu" / "gelu", a unary function, or a Module. */
export type Activation = "relu" | "gelu" | ((x: Tensor) => Tensor) | Module;

export type TransformerLayerP = [dimFeedforward: number, dropout: number, activation: Activation, layerNormEps: number,
  batchFirst: boolean, normFirst: boolean, device: Device | null, dtype: DType | null];
export interface TransformerLayerOptions {
  dimFeedforward: number; dropout: number; activation: Activation; layerNormEps: number; batchFirst: boolean; normFirst: boolean;
  device: Device | null; dtype: DType | null;
}
const LAYER_OPTIONS = ["dimFeedforward", "dropout", "activation", "layerNormEps", "batchFirst", "normFirst", "device", "dtype"];

/** A layer's configuration once checked: what newLike() builds its twin from. */
interface LayerConfig {
  dimFeedforward: number; dropout: number; activation: Activation; layerNormEps: number; batchFirst: boolean; normFirst: boolean;
  device?: Device; dtype?: DType;
}

function layerConfig(fn: string, args: readonly unknown[]): LayerConfig {
  const o = bindArgs(fn, LAYER_OPTIONS, args, 0, ["dModel", "nhead"]);
  const dropout = o.dropout === undefined ? 0.1 : checkNumber(fn, "dropout", o.dropout);
  if (!(dropout >= 0 && dropout <= 1)) throw argError(fn, "dropout", "a probability between 0 and 1", dropout);
  const activation = o.activation ?? "relu";
  if (typeof activation === "string" && activation !== "relu" && activation !== "gelu") {
    throw new TypeError(`${fn}: activation should be relu/gelu, not ${activation}`);
  }
  if (typeof activation !== "string" && typeof activation !== "function" && !(activation instanceof Module)) {
    throw argError(fn, "activation", '"relu", "gelu", a function or a Module', activation);
  }
  return {
    dimFeedforward: o.dimFeedforward === undefined ? 2048 : checkPositiveInt(fn, "dimFeedforward", o.dimFeedforward),
    dropout,
    activation: activation as Activation,
    layerNormEps: o.layerNormEps === undefined ? 1e-5 : checkNumber(fn, "layerNormEps", o.layerNormEps),
    batchFirst: o.batchFirst === undefined ? false : checkBool(fn, "batchFirst", o.batchFirst),
    normFirst: o.normFirst === undefined ? false : checkBool(fn, "normFirst", o.normFirst),
    ...factoryOptions(fn, { device: o.device ?? undefined, dtype: o.dtype ?? undefined }),
  };
}

/**
 * Python's activation handling: a string names F.relu / F.gelu; a Module is registered as the
 * child "activation" (Python's __setattr__ does so), after every other child. The code is
 * Python's `activation_relu_or_gelu` (1 relu, 2 gelu, 0 other), which decides its fast paths.
 */
function setActivation(m: Module, a: Activation): { activation: Activation; apply: (x: Tensor) => Tensor; code: 0 | 1 | 2 } {
  if (a instanceof Module) {
    m.registerModule("activation", a);
    const name = a.constructor.name;
    return { activation: a, apply: (x) => (a.call as (x: Tensor) => Tensor)(x), code: name === "ReLU" ? 1 : name === "GELU" ? 2 : 0 };
  }
  const f = a === "relu" ? F.relu : a === "gelu" ? F.gelu : a;
  return { activation: f as (x: Tensor) => Tensor, apply: (x) => f(x), code: f === F.relu ? 1 : f === F.gelu ? 2 : 0 };
}

/** A Module activation for a layer's twin: a copy (Python deep-copies it), or the same one when it holds no state. */
function copyActivation(fn: string, a: Activation): Activation {
  if (!(a instanceof Module)) return a;
  if (typeof (a as { newLike?: unknown }).newLike === "function") return deepCopy(a, fn);
  if (a.parameters().next().done && a.buffers().next().done) return a;
  throw new TypeError(`${fn}: cannot copy the activation ${a.constructor.name}: it holds parameters or buffers and defines no newLike()`);
}

/** Python: the key padding mask check of the encoder and its layers. */
export function checkKeyPaddingMask(fn: string, arg: string, mask: Tensor | null): void {
  if (mask !== null && mask.dtype !== "bool" && !DTYPES[mask.dtype].isFloatingPoint) {
    throw argError(fn, arg, "a bool or floating-point tensor (only bool and floating types of key_padding_mask are supported)", mask);
  }
}

/** What both layers share: configuration, the feed-forward block and the accessors to the children. */
abstract class TransformerLayer extends Module {
  readonly dModel: number;
  readonly nhead: number;
  readonly normFirst: boolean;
  /** Python: `activation_relu_or_gelu`. */
  readonly activationReluOrGelu: 0 | 1 | 2;
  protected readonly config: LayerConfig;
  // Children whose field name is Python's attribute name (so a field write registers nothing new).
  readonly linear1: Linear;
  readonly dropout: Dropout;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly dropout1: Dropout;
  readonly dropout2: Dropout;
  /** Python: `activation`: a function, or a Module registered as the child "activation". */
  readonly activation: Activation;
  readonly #activation: (x: Tensor) => Tensor;

  protected constructor(fn: string, dModel: number, nhead: number, args: readonly unknown[], crossAttention: boolean) {
    super();
    this.config = layerConfig(fn, args);
    this.dModel = checkPositiveInt(fn, "dModel", dModel);
    this.nhead = checkPositiveInt(fn, "nhead", nhead);
    const c = this.config;
    const factory = { device: c.device, dtype: c.dtype };
    // Python's order of creation, which is the order of the random draws and of the state dict.
    this.registerModule("self_attn", new MultiheadAttention(dModel, nhead, { dropout: c.dropout, batchFirst: c.batchFirst, ...factory }));
    if (crossAttention) this.registerModule("multihead_attn", new MultiheadAttention(dModel, nhead, { dropout: c.dropout, batchFirst: c.batchFirst, ...factory }));
    this.linear1 = this.registerModule("linear1", new Linear(dModel, c.dimFeedforward, factory));
    this.dropout = this.registerModule("dropout", new Dropout(c.dropout));
    this.linear2 = this.registerModule("linear2", new Linear(c.dimFeedforward, dModel, factory));
    this.normFirst = c.normFirst;
    const norm = (name: string) => this.registerModule(name, new LayerNorm(dModel, { eps: c.layerNormEps, ...factory }));
    this.norm1 = norm("norm1");
    this.norm2 = norm("norm2");
    // The decoder's third norm and dropout, in Python's order (its fields are declared on the subclass).
    const decoder = this as unknown as { norm3: LayerNorm; dropout3: Dropout };
    if (crossAttention) decoder.norm3 = norm("norm3");
    this.dropout1 = this.registerModule("dropout1", new Dropout(c.dropout));
    this.dropout2 = this.registerModule("dropout2", new Dropout(c.dropout));
    if (crossAttention) decoder.dropout3 = this.registerModule("dropout3", new Dropout(c.dropout));
    const act = setActivation(this, c.activation);
    this.activation = act.activation;
    this.#activation = act.apply;
    this.activationReluOrGelu = act.code;
  }

  /** Python: `self_attn` (an accessor: the registered name is Python's, the field would be a second one). */
  get selfAttn(): MultiheadAttention {
    return this.getAttr("self_attn") as MultiheadAttention;
  }

  /** The options that rebuild this configuration, a Module activation copied (deepCopy's newLike()). */
  protected twinOptions(fn: string): Partial<TransformerLayerOptions> {
    return { ...this.config, activation: copyActivation(fn, this.config.activation) };
  }

  /** Python: `_sa_block`. */
  protected saBlock(x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null): Tensor {
    const [y] = this.selfAttn.call(x, x, x, { attnMask, keyPaddingMask, needWeights: false });
    return this.dropout1.call(y);
  }

  /** Python: `_ff_block`; `last` is the dropout after linear2 (dropout2, or the decoder's dropout3). */
  protected ffBlock(x: Tensor, last: Dropout): Tensor {
    return last.call(this.linear2.call(this.dropout.call(this.#activation(this.linear1.call(x)))));
  }
}

type EncoderLayerForwardP = [srcMask: Tensor | null, srcKeyPaddingMask: Tensor | null];
type EncoderLayerForwardO = { srcMask: Tensor | null; srcKeyPaddingMask: Tensor | null };

/**
 * Python: `nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=2048, dropout=0.1,
 * activation=F.relu, layer_norm_eps=1e-5, batch_first=False, norm_first=False, device=None,
 * dtype=None)`; `forward(src, src_mask=None, src_key_padding_mask=None)`.
 */
export class TransformerEncoderLayer extends TransformerLayer {
  constructor(dModel: number, nhead: number, ...args: PyArgs<TransformerLayerP, TransformerLayerOptions>) {
    super("nn.TransformerEncoderLayer", dModel, nhead, args, false);
  }

  newLike(): TransformerEncoderLayer {
    return new TransformerEncoderLayer(this.dModel, this.nhead, this.twinOptions("nn.TransformerEncoderLayer"));
  }

  forward(src: Tensor, ...args: PyArgs<EncoderLayerForwardP, EncoderLayerForwardO>): Tensor {
    const fn = "nn.TransformerEncoderLayer.forward";
    const o = bindArgs(fn, ["srcMask", "srcKeyPaddingMask"], args, 0, ["src"]);
    let x = tensor(fn, src, "src");
    const mask = optTensor(fn, o.srcMask, "srcMask");
    const kpm = optTensor(fn, o.srcKeyPaddingMask, "srcKeyPaddingMask");
    checkKeyPaddingMask(fn, "srcKeyPaddingMask", kpm);
    if (this.normFirst) {
      x = x.add(this.saBlock(this.norm1.call(x), mask, kpm));
      return x.add(this.ffBlock(this.norm2.call(x), this.dropout2));
    }
    x = this.norm1.call(x.add(this.saBlock(x, mask, kpm)));
    return this.norm2.call(x.add(this.ffBlock(x, this.dropout2)));
  }
}

type DecoderLayerForwardP = [tgtMask: Tensor | null, memoryMask: Tensor | null, tgtKeyPaddingMask: Tensor | null, memoryKeyPaddingMask: Tensor | null];
type DecoderLayerForwardO = { tgtMask: Tensor | null; memoryMask: Tensor | null; tgtKeyPaddingMask: Tensor | null; memoryKeyPaddingMask: Tensor | null };
export const DECODER_MASKS = ["tgtMask", "memoryMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask"] as const;

/**
 * Python: `nn.TransformerDecoderLayer(d_model, nhead, dim_feedforward=2048, dropout=0.1,
 * activation=F.relu, layer_norm_eps=1e-5, batch_first=False, norm_first=False, device=None,
 * dtype=None)`; `forward(tgt, memory, tgt_mask=None, memory_mask=None,
 * tgt_key_padding_mask=None, memory_key_padding_mask=None)`.
 */
export class TransformerDecoderLayer extends TransformerLayer {
  constructor(dModel: number, nhead: number, ...args: PyArgs<TransformerLayerP, TransformerLayerOptions>) {
    super("nn.TransformerDecoderLayer", dModel, nhead, args, true);
  }

  newLike(): TransformerDecoderLayer {
    return new TransformerDecoderLayer(this.dModel, this.nhead, this.twinOptions("nn.TransformerDecoderLayer"));
  }

  /** Python: `multihead_attn`, the attention over the encoder's memory. */
  get multiheadAttn(): MultiheadAttention {
    return this.getAttr("multihead_attn") as MultiheadAttention;
  }
  declare readonly norm3: LayerNorm;
  declare readonly dropout3: Dropout;

  /** Python: `_mha_block`. */
  #mhaBlock(x: Tensor, mem: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null): Tensor {
    const [y] = this.multiheadAttn.call(x, mem, mem, { attnMask, keyPaddingMask, needWeights: false });
    return this.dropout2.call(y);
  }

  forward(tgt: Tensor, memory: Tensor, ...args: PyArgs<DecoderLayerForwardP, DecoderLayerForwardO>): Tensor {
    const fn = "nn.TransformerDecoderLayer.forward";
    const o = bindArgs(fn, DECODER_MASKS, args, 0, ["tgt", "memory"]);
    let x = tensor(fn, tgt, "tgt");
    const mem = tensor(fn, memory, "memory");
    const [tgtMask, memoryMask, tgtKpm, memoryKpm] = DECODER_MASKS.map((k) => optTensor(fn, o[k], k)) as (Tensor | null)[];
    if (this.normFirst) {
      x = x.add(this.saBlock(this.norm1.call(x), tgtMask!, tgtKpm!));
      x = x.add(this.#mhaBlock(this.norm2.call(x), mem, memoryMask!, memoryKpm!));
      return x.add(this.ffBlock(this.norm3.call(x), this.dropout3));
    }
    x = this.norm1.call(x.add(this.saBlock(x, tgtMask!, tgtKpm!)));
    x = this.norm2.call(x.add(this.#mhaBlock(x, mem, memoryMask!, memoryKpm!)));
    return this.norm3.call(x.add(this.ffBlock(x, this.dropout3)));
  }
}
