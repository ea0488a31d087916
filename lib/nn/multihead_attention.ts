// nn.MultiheadAttention, as PyTorch 1.13's torch/nn/modules/activation.py: the same parameters
// under the same names (so state dicts load both ways), the same seeded initialisation, and a
// forward over F.multi_head_attention_forward (functional_attention.ts).
import type { Device } from "../device.js";
import type { DType } from "../dtype.js";
import { tidy } from "../memory.js";
import { empty } from "../tensor/creation.js";
import type { Tensor } from "../tensor/index.js";
import { argError, checkBool, checkNumber, checkPositiveInt } from "../validate.js";
import { factoryOptions } from "./factory.js";
import { multiHeadAttentionForward } from "./functional_attention.js";
import { bindArgs, optTensor, tensor, type PyArgs } from "./functional_util.js";
import { constant_, xavierNormal_, xavierUniform_ } from "./init.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";
import { initEnabled } from "./skip_init.js";

/**
 * Python: `torch.nn.modules.linear.NonDynamicallyQuantizableLinear`, MultiheadAttention's
 * `out_proj`: a Linear under its own class name, which print(module) shows.
 */
export class NonDynamicallyQuantizableLinear extends Linear {}

export type MultiheadAttentionP = [dropout: number, bias: boolean, addBiasKv: boolean, addZeroAttn: boolean, kdim: number | null,
  vdim: number | null, batchFirst: boolean, device: Device | null, dtype: DType | null];
export interface MultiheadAttentionOptions {
  dropout: number; bias: boolean; addBiasKv: boolean; addZeroAttn: boolean; kdim: number | null; vdim: number | null;
  batchFirst: boolean; device: Device | null; dtype: DType | null;
}
const OPTIONS = ["dropout", "bias", "addBiasKv", "addZeroAttn", "kdim", "vdim", "batchFirst", "device", "dtype"];

export type MhaCallP = [keyPaddingMask: Tensor | null, needWeights: boolean, attnMask: Tensor | null, averageAttnWeights: boolean];
export interface MhaCallOptions { keyPaddingMask: Tensor | null; needWeights: boolean; attnMask: Tensor | null; averageAttnWeights: boolean }

/**
 * Python: `nn.MultiheadAttention(embed_dim, num_heads, dropout=0., bias=True, add_bias_kv=False,
 * add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None, dtype=None)`.
 * `forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
 * average_attn_weights=True)` returns [attnOutput, attnWeights | null].
 */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly kdim: number;
  readonly vdim: number;
  /** Python: `_qkv_same_embed_dim`: one packed in_proj_weight, else separate q/k/v weights. */
  readonly qkvSameEmbedDim: boolean;
  readonly numHeads: number;
  /** Python: `self.dropout`, the attention weights' dropout probability (a number, not a module). */
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly headDim: number;
  readonly addZeroAttn: boolean;
  readonly #args: unknown[];

  constructor(embedDim: number, numHeads: number, ...args: PyArgs<MultiheadAttentionP, MultiheadAttentionOptions>) {
    super();
    const fn = "nn.MultiheadAttention";
    const o = bindArgs(fn, OPTIONS, args, 0, ["embedDim", "numHeads"]);
    this.#args = [embedDim, numHeads, ...args];
    this.embedDim = checkPositiveInt(fn, "embedDim", embedDim);
    this.numHeads = checkPositiveInt(fn, "numHeads", numHeads);
    const dim = (arg: string, v: unknown) => (v === undefined || v === null ? this.embedDim : checkPositiveInt(fn, arg, v));
    this.kdim = dim("kdim", o.kdim);
    this.vdim = dim("vdim", o.vdim);
    this.qkvSameEmbedDim = this.kdim === embedDim && this.vdim === embedDim;
    const p = o.dropout === undefined ? 0 : checkNumber(fn, "dropout", o.dropout);
    if (!(p >= 0 && p <= 1)) throw argError(fn, "dropout", "a probability between 0 and 1", p);
    this.dropout = p;
    this.batchFirst = o.batchFirst === undefined ? false : checkBool(fn, "batchFirst", o.batchFirst);
    this.headDim = Math.floor(embedDim / numHeads);
    if (this.headDim * numHeads !== embedDim) throw argError(fn, "numHeads", `a divisor of embedDim (${embedDim}): embed_dim must be divisible by num_heads`, numHeads);
    const bias = o.bias === undefined ? true : checkBool(fn, "bias", o.bias);
    const addBiasKv = o.addBiasKv === undefined ? false : checkBool(fn, "addBiasKv", o.addBiasKv);
    this.addZeroAttn = o.addZeroAttn === undefined ? false : checkBool(fn, "addZeroAttn", o.addZeroAttn);
    const factory = factoryOptions(fn, { device: o.device ?? undefined, dtype: o.dtype ?? undefined });
    const E = embedDim;
    // Made in one tidy, so a failed allocation frees the ones made before it.
    const t = tidy(() => ({
      inW: this.qkvSameEmbedDim ? empty([3 * E, E], factory) : null,
      qW: this.qkvSameEmbedDim ? null : empty([E, E], factory),
      kW: this.qkvSameEmbedDim ? null : empty([E, this.kdim], factory),
      vW: this.qkvSameEmbedDim ? null : empty([E, this.vdim], factory),
      inB: bias ? empty([3 * E], factory) : null,
      bK: addBiasKv ? empty([1, 1, E], factory) : null,
      bV: addBiasKv ? empty([1, 1, E], factory) : null,
    }));
    // Python's registration order: the weights it uses first, the unused ones as None. The
    // camelCase accessors below read these registrations (no second field that could register twice).
    if (this.qkvSameEmbedDim) {
      this.registerParameter("in_proj_weight", t.inW);
      for (const name of ["q_proj_weight", "k_proj_weight", "v_proj_weight"]) this.registerParameter(name, null);
    } else {
      this.registerParameter("q_proj_weight", t.qW);
      this.registerParameter("k_proj_weight", t.kW);
      this.registerParameter("v_proj_weight", t.vW);
      this.registerParameter("in_proj_weight", null);
    }
    this.registerParameter("in_proj_bias", t.inB);
    // Its own default init draws from the generator here, before _reset_parameters, as in Python.
    this.registerModule("out_proj", new NonDynamicallyQuantizableLinear(E, E, { bias, ...factory }));
    // Python assigns plain None attributes when there are none: nothing is registered then.
    if (t.bK !== null) this.registerParameter("bias_k", t.bK);
    if (t.bV !== null) this.registerParameter("bias_v", t.bV);
    if (initEnabled()) this.resetParameters();
  }

  #param(name: string): Tensor | null {
    return (this.getAttr(name) as Tensor | null | undefined) ?? null;
  }
  /** Python: `in_proj_weight`, the packed (3 * embedDim, embedDim) q/k/v weight, when kdim = vdim = embedDim. */
  get inProjWeight(): Tensor | null {
    return this.#param("in_proj_weight");
  }
  /** Python: `q_proj_weight` (when kdim or vdim differ from embedDim). */
  get qProjWeight(): Tensor | null {
    return this.#param("q_proj_weight");
  }
  /** Python: `k_proj_weight`. */
  get kProjWeight(): Tensor | null {
    return this.#param("k_proj_weight");
  }
  /** Python: `v_proj_weight`. */
  get vProjWeight(): Tensor | null {
    return this.#param("v_proj_weight");
  }
  /** Python: `in_proj_bias`. */
  get inProjBias(): Tensor | null {
    return this.#param("in_proj_bias");
  }
  /** Python: `bias_k` (with addBiasKv). */
  get biasK(): Tensor | null {
    return this.#param("bias_k");
  }
  /** Python: `bias_v` (with addBiasKv). */
  get biasV(): Tensor | null {
    return this.#param("bias_v");
  }
  /** Python: `out_proj`. */
  get outProj(): NonDynamicallyQuantizableLinear {
    return this.getAttr("out_proj") as NonDynamicallyQuantizableLinear;
  }

  /** Python: `_reset_parameters()`. */
  resetParameters(): void {
    if (this.qkvSameEmbedDim) {
      xavierUniform_(this.inProjWeight!);
    } else {
      xavierUniform_(this.qProjWeight!);
      xavierUniform_(this.kProjWeight!);
      xavierUniform_(this.vProjWeight!);
    }
    if (this.inProjBias !== null) {
      constant_(this.inProjBias, 0);
      constant_(this.outProj.bias!, 0);
    }
    if (this.biasK !== null) xavierNormal_(this.biasK);
    if (this.biasV !== null) xavierNormal_(this.biasV);
  }

  /** A module of the same configuration (what nn/clone.ts deep-copies into). */
  newLike(): MultiheadAttention {
    return new (MultiheadAttention as unknown as new (...a: unknown[]) => MultiheadAttention)(...this.#args);
  }

  forward(query: Tensor, key: Tensor, value: Tensor, ...args: PyArgs<MhaCallP, MhaCallOptions>): [attnOutput: Tensor, attnWeights: Tensor | null] {
    const fn = "nn.MultiheadAttention.forward";
    const o = bindArgs(fn, ["keyPaddingMask", "needWeights", "attnMask", "averageAttnWeights"], args, 0, ["query", "key", "value"]);
    tensor(fn, query, "query");
    tensor(fn, key, "key");
    tensor(fn, value, "value");
    const kpm = optTensor(fn, o.keyPaddingMask, "keyPaddingMask");
    const attnMask = optTensor(fn, o.attnMask, "attnMask");
    const isBatched = query.ndim === 3;
    let [q, k, v] = [query, key, value];
    if (this.batchFirst && isBatched) {
      // One transpose per distinct tensor, so self-attention stays recognisable (query === key === value).
      if (k === v) {
        if (q === k) q = k = v = q.transpose(1, 0);
        else {
          [q, k] = [q.transpose(1, 0), k.transpose(1, 0)];
          v = k;
        }
      } else {
        [q, k, v] = [q.transpose(1, 0), k.transpose(1, 0), v.transpose(1, 0)];
      }
    }
    const common = { training: this.training, keyPaddingMask: kpm, needWeights: o.needWeights as boolean | undefined, attnMask, averageAttnWeights: o.averageAttnWeights as boolean | undefined };
    const [out, weights] = this.qkvSameEmbedDim
      ? multiHeadAttentionForward(q, k, v, this.embedDim, this.numHeads, this.inProjWeight, this.inProjBias, this.biasK, this.biasV,
        this.addZeroAttn, this.dropout, this.outProj.weight, this.outProj.bias, common)
      : multiHeadAttentionForward(q, k, v, this.embedDim, this.numHeads, this.inProjWeight, this.inProjBias, this.biasK, this.biasV,
        this.addZeroAttn, this.dropout, this.outProj.weight, this.outProj.bias,
        { ...common, useSeparateProjWeight: true, qProjWeight: this.qProjWeight, kProjWeight: this.kProjWeight, vProjWeight: this.vProjWeight });
    return [this.batchFirst && isBatched ? out.transpose(1, 0) : out, weights];
  }
}
