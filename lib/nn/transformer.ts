// nn.TransformerEncoder, nn.TransformerDecoder and nn.Transformer, as PyTorch 1.13's
// torch/nn/modules/transformer.py. The layers (transformer_layers.ts) are deep copies of a
// template (Python's _get_clones) under "layers.0", "layers.1", …, so state dicts are Python's.
import { isAutocastEnabled } from "../amp.js";
import { isGradEnabled } from "../autograd.js";
import type { Device } from "../device.js";
import type { DType } from "../dtype.js";
import { TorchError } from "../errors.js";
import type { Tensor } from "../tensor/index.js";
import * as ops from "../tensor/ops.generated.js";
import { parseDevice } from "../device.js";
import { argError, checkBool, checkNonNegInt, checkPositiveInt } from "../validate.js";
import { deepCopy } from "./clone.js";
import { ModuleList } from "./container.js";
import { bindArgs, optTensor, tensor, type PyArgs } from "./functional_util.js";
import { xavierUniform_ } from "./init.js";
import { Module } from "./module.js";
import { LayerNorm } from "./normalization.js";
import { type Activation, checkKeyPaddingMask, DECODER_MASKS, TransformerDecoderLayer, TransformerEncoderLayer } from "./transformer_layers.js";

export { TransformerEncoderLayer, TransformerDecoderLayer, type Activation, type TransformerLayerOptions } from "./transformer_layers.js";

/** Python's `_get_clones(module, N)`: a ModuleList of N deep copies (the template itself is not used). */
function clones(fn: string, arg: string, layer: unknown, n: number): ModuleList {
  if (!(layer instanceof Module)) throw argError(fn, arg, "a Module", layer);
  const list = new ModuleList();
  for (let i = 0; i < n; i++) list.append(deepCopy(layer, fn));
  return list;
}

/** Whether each row of `valid` is true…true false…false (Python's _nested_tensor_from_mask_left_aligned). */
function leftAligned(valid: Tensor): boolean {
  const [rows, cols] = valid.shape as [number, number];
  const v = valid.toTypedArray() as Uint8Array;
  for (let r = 0; r < rows; r++) for (let c = 1; c < cols; c++) if (v[r * cols + c] && !v[r * cols + c - 1]) return false;
  return true;
}

type EncoderP = [norm: Module | null, enableNestedTensor: boolean, maskCheck: boolean];
type EncoderO = { norm: Module | null; enableNestedTensor: boolean; maskCheck: boolean };
type EncoderForwardP = [mask: Tensor | null, srcKeyPaddingMask: Tensor | null];
type EncoderForwardO = { mask: Tensor | null; srcKeyPaddingMask: Tensor | null };

/**
 * Python: `nn.TransformerEncoder(encoder_layer, num_layers, norm=None, enable_nested_tensor=True,
 * mask_check=True)`; `forward(src, mask=None, src_key_padding_mask=None)`.
 */
export class TransformerEncoder extends Module {
  readonly layers: ModuleList;
  readonly numLayers: number;
  readonly norm: Module | null;
  readonly enableNestedTensor: boolean;
  readonly maskCheck: boolean;

  constructor(encoderLayer: Module, numLayers: number, ...args: PyArgs<EncoderP, EncoderO>) {
    super();
    const fn = "nn.TransformerEncoder";
    const o = bindArgs(fn, ["norm", "enableNestedTensor", "maskCheck"], args, 0, ["encoderLayer", "numLayers"]);
    this.numLayers = checkNonNegInt(fn, "numLayers", numLayers);
    const norm = o.norm ?? null;
    if (norm !== null && !(norm instanceof Module)) throw argError(fn, "norm", "a Module or null", norm);
    this.layers = this.registerModule("layers", clones(fn, "encoderLayer", encoderLayer, numLayers));
    // Python's `self.norm = None` is a plain attribute: only a Module is registered.
    this.norm = norm === null ? null : this.registerModule("norm", norm);
    this.enableNestedTensor = o.enableNestedTensor === undefined ? true : checkBool(fn, "enableNestedTensor", o.enableNestedTensor);
    this.maskCheck = o.maskCheck === undefined ? true : checkBool(fn, "maskCheck", o.maskCheck);
  }

  /**
   * Python's conditions for its nested-tensor path (eval, no gradient wanted, batch first, a
   * left-aligned padding mask, …). That path keeps each row's first n positions, n its count of
   * unpadded ones (a float mask's nonzero entries are padding there), and gives zeros at the
   * others and a sequence cut to the longest row: the padding mask it amounts to, or null.
   */
  #nestedPadding(src: Tensor, mask: Tensor | null, kpm: Tensor | null): Tensor | null {
    const first = this.layers.length > 0 ? this.layers.get(0) : null;
    if (!(first instanceof TransformerEncoderLayer) || first.normFirst || first.training) return null;
    const attn = first.selfAttn;
    if (!attn.batchFirst || !attn.qkvSameEmbedDim || first.activationReluOrGelu === 0 || first.norm1.eps !== first.norm2.eps) return null;
    if (src.ndim !== 3 || !this.enableNestedTensor || kpm === null || kpm.ndim !== 2) return null;
    const valid = kpm.logicalNot();
    if (this.maskCheck && !leftAligned(valid)) return null;
    if (mask !== null || attn.numHeads % 2 === 1 || isAutocastEnabled("cuda")) return null;
    const used = [src, attn.inProjWeight, attn.inProjBias, attn.outProj.weight, attn.outProj.bias, first.norm1.weight, first.norm1.bias,
      first.norm2.weight, first.norm2.bias, first.linear1.weight, first.linear1.bias, first.linear2.weight, first.linear2.bias];
    if (isGradEnabled() && used.some((t) => t !== null && t.requiresGrad)) return null;
    const lengths = valid.sum(1);
    return ops.arange(kpm.shape[1]!, { device: kpm.device }).unsqueeze(0).ge(lengths.unsqueeze(1));
  }

  forward(src: Tensor, ...args: PyArgs<EncoderForwardP, EncoderForwardO>): Tensor {
    const fn = "nn.TransformerEncoder.forward";
    const o = bindArgs(fn, ["mask", "srcKeyPaddingMask"], args, 0, ["src"]);
    tensor(fn, src, "src");
    const mask = optTensor(fn, o.mask, "mask");
    const kpm = optTensor(fn, o.srcKeyPaddingMask, "srcKeyPaddingMask");
    checkKeyPaddingMask(fn, "srcKeyPaddingMask", kpm);
    const padded = this.#nestedPadding(src, mask, kpm);
    let output = src;
    for (const layer of this.layers) output = (layer.call as (...a: unknown[]) => Tensor)(output, { srcMask: mask, srcKeyPaddingMask: padded ?? kpm });
    if (padded !== null) {
      const longest = src.shape[0] === 0 ? 0 : padded.logicalNot().sum(1).max().item();
      output = output.maskedFill(padded.unsqueeze(-1), 0).narrow(1, 0, longest);
    }
    return this.norm === null ? output : (this.norm.call as (x: Tensor) => Tensor)(output);
  }
}

type DecoderForwardP = [tgtMask: Tensor | null, memoryMask: Tensor | null, tgtKeyPaddingMask: Tensor | null, memoryKeyPaddingMask: Tensor | null];
type DecoderForwardO = { tgtMask: Tensor | null; memoryMask: Tensor | null; tgtKeyPaddingMask: Tensor | null; memoryKeyPaddingMask: Tensor | null };

/** Python: `nn.TransformerDecoder(decoder_layer, num_layers, norm=None)`; `forward(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None)`. */
export class TransformerDecoder extends Module {
  readonly layers: ModuleList;
  readonly numLayers: number;
  readonly norm: Module | null;

  constructor(decoderLayer: Module, numLayers: number, ...args: PyArgs<[norm: Module | null], { norm: Module | null }>) {
    super();
    const fn = "nn.TransformerDecoder";
    const o = bindArgs(fn, ["norm"], args, 0, ["decoderLayer", "numLayers"]);
    this.numLayers = checkNonNegInt(fn, "numLayers", numLayers);
    const norm = o.norm ?? null;
    if (norm !== null && !(norm instanceof Module)) throw argError(fn, "norm", "a Module or null", norm);
    this.layers = this.registerModule("layers", clones(fn, "decoderLayer", decoderLayer, numLayers));
    this.norm = norm === null ? null : this.registerModule("norm", norm);
  }

  forward(tgt: Tensor, memory: Tensor, ...args: PyArgs<DecoderForwardP, DecoderForwardO>): Tensor {
    const fn = "nn.TransformerDecoder.forward";
    const o = bindArgs(fn, DECODER_MASKS, args, 0, ["tgt", "memory"]);
    tensor(fn, tgt, "tgt");
    tensor(fn, memory, "memory");
    const masks = Object.fromEntries(DECODER_MASKS.map((k) => [k, optTensor(fn, o[k], k)]));
    let output = tgt;
    for (const layer of this.layers) output = (layer.call as (...a: unknown[]) => Tensor)(output, memory, masks);
    return this.norm === null ? output : (this.norm.call as (x: Tensor) => Tensor)(output);
  }
}

type TransformerP = [dModel: number, nhead: number, numEncoderLayers: number, numDecoderLayers: number, dimFeedforward: number,
  dropout: number, activation: Activation, customEncoder: Module | null, customDecoder: Module | null, layerNormEps: number,
  batchFirst: boolean, normFirst: boolean, device: Device | null, dtype: DType | null];
export interface TransformerOptions {
  dModel: number; nhead: number; numEncoderLayers: number; numDecoderLayers: number; dimFeedforward: number; dropout: number;
  activation: Activation; customEncoder: Module | null; customDecoder: Module | null; layerNormEps: number; batchFirst: boolean;
  normFirst: boolean; device: Device | null; dtype: DType | null;
}
const TRANSFORMER_OPTIONS = ["dModel", "nhead", "numEncoderLayers", "numDecoderLayers", "dimFeedforward", "dropout", "activation",
  "customEncoder", "customDecoder", "layerNormEps", "batchFirst", "normFirst", "device", "dtype"];
type TransformerForwardP = [srcMask: Tensor | null, tgtMask: Tensor | null, memoryMask: Tensor | null, srcKeyPaddingMask: Tensor | null,
  tgtKeyPaddingMask: Tensor | null, memoryKeyPaddingMask: Tensor | null];
type TransformerForwardO = { srcMask: Tensor | null; tgtMask: Tensor | null; memoryMask: Tensor | null; srcKeyPaddingMask: Tensor | null;
  tgtKeyPaddingMask: Tensor | null; memoryKeyPaddingMask: Tensor | null };
const TRANSFORMER_MASKS = ["srcMask", "tgtMask", "memoryMask", "srcKeyPaddingMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask"];

/**
 * Python: `nn.Transformer(d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6,
 * dim_feedforward=2048, dropout=0.1, activation=F.relu, custom_encoder=None,
 * custom_decoder=None, layer_norm_eps=1e-5, batch_first=False, norm_first=False, device=None,
 * dtype=None)`; `forward(src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
 * src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None)`.
 */
export class Transformer extends Module {
  readonly encoder: Module;
  readonly decoder: Module;
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;

  constructor(...args: PyArgs<TransformerP, TransformerOptions>) {
    super();
    const fn = "nn.Transformer";
    const o = bindArgs(fn, TRANSFORMER_OPTIONS, args, 0, []);
    const dModel = o.dModel === undefined ? 512 : checkPositiveInt(fn, "dModel", o.dModel);
    const nhead = o.nhead === undefined ? 8 : checkPositiveInt(fn, "nhead", o.nhead);
    const numEnc = o.numEncoderLayers === undefined ? 6 : checkNonNegInt(fn, "numEncoderLayers", o.numEncoderLayers);
    const numDec = o.numDecoderLayers === undefined ? 6 : checkNonNegInt(fn, "numDecoderLayers", o.numDecoderLayers);
    for (const k of ["customEncoder", "customDecoder"]) {
      if (o[k] !== undefined && o[k] !== null && !(o[k] instanceof Module)) throw argError(fn, k, "a Module or null", o[k]);
    }
    const layerArgs = {
      dimFeedforward: o.dimFeedforward, dropout: o.dropout, activation: o.activation, layerNormEps: o.layerNormEps,
      batchFirst: o.batchFirst, normFirst: o.normFirst, device: o.device, dtype: o.dtype,
    } as Partial<TransformerOptions>;
    const factory = { device: (o.device ?? undefined) as Device | undefined, dtype: (o.dtype ?? undefined) as DType | undefined };
    const eps = (o.layerNormEps ?? 1e-5) as number;
    // Python's order: the encoder's template layer, its norm, the copies; then the decoder's.
    this.encoder = this.registerModule("encoder", (o.customEncoder as Module | null | undefined) ??
      (() => {
        const layer = new TransformerEncoderLayer(dModel, nhead, layerArgs);
        return new TransformerEncoder(layer, numEnc, new LayerNorm(dModel, { eps, ...factory }));
      })());
    this.decoder = this.registerModule("decoder", (o.customDecoder as Module | null | undefined) ??
      (() => {
        const layer = new TransformerDecoderLayer(dModel, nhead, layerArgs);
        return new TransformerDecoder(layer, numDec, new LayerNorm(dModel, { eps, ...factory }));
      })());
    this.resetParameters();
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = layerArgs.batchFirst === undefined ? false : checkBool(fn, "batchFirst", layerArgs.batchFirst);
  }

  /** Python: `_reset_parameters()`: xavier_uniform_ on every parameter of more than one dimension. */
  resetParameters(): void {
    for (const p of this.parameters()) if (p.ndim > 1) xavierUniform_(p);
  }

  forward(src: Tensor, tgt: Tensor, ...args: PyArgs<TransformerForwardP, TransformerForwardO>): Tensor {
    const fn = "nn.Transformer.forward";
    const o = bindArgs(fn, TRANSFORMER_MASKS, args, 0, ["src", "tgt"]);
    tensor(fn, src, "src");
    tensor(fn, tgt, "tgt");
    const m = Object.fromEntries(TRANSFORMER_MASKS.map((k) => [k, optTensor(fn, o[k], k)])) as Record<string, Tensor | null>;
    const isBatched = src.ndim === 3;
    const batch = this.batchFirst ? 0 : 1;
    if (isBatched && src.shape[batch] !== tgt.shape[batch]) throw new TorchError(`${fn}: the batch number of src and tgt must be equal`);
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel) {
      throw new TorchError(`${fn}: the feature number of src and tgt must be equal to d_model`);
    }
    const memory = (this.encoder.call as (...a: unknown[]) => Tensor)(src, { mask: m.srcMask, srcKeyPaddingMask: m.srcKeyPaddingMask });
    return (this.decoder.call as (...a: unknown[]) => Tensor)(tgt, memory, {
      tgtMask: m.tgtMask, memoryMask: m.memoryMask, tgtKeyPaddingMask: m.tgtKeyPaddingMask, memoryKeyPaddingMask: m.memoryKeyPaddingMask,
    });
  }

  /** Python: `Transformer.generate_square_subsequent_mask(sz, device='cpu')`: -inf above the diagonal, 0 elsewhere. */
  static generateSquareSubsequentMask(sz: number, device: Device = "cpu"): Tensor {
    const fn = "nn.Transformer.generateSquareSubsequentMask";
    checkNonNegInt(fn, "sz", sz);
    const dev = parseDevice(fn, "device", device);
    const full = ops.full([sz, sz], -Infinity, { device: dev });
    const out = ops.triu(full, 1);
    full.dispose();
    return out;
  }
}
