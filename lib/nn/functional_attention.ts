// torch.nn.functional.multi_head_attention_forward, ported from PyTorch 1.13's Python code
// (torch/nn/functional.py) over ATen ops, the same ops in the same order so results and
// gradients match Python's (the _native_multi_head_attention fast path is not used: Python falls
// back to this very code whenever autograd, masks or training are involved).
import { DTYPES } from "../dtype.js";
import { TorchError } from "../errors.js";
import { tidy } from "../memory.js";
import type { Tensor } from "../tensor/index.js";
import * as ops from "../tensor/ops.generated.js";
import { argError, checkBool, checkNumber, checkPositiveInt, isInt } from "../validate.js";
import { dropout, linear, softmax } from "./functional.js";
import { pad } from "./functional.generated.js";
import { bindArgs, bool, optTensor, tensor, type PyArgs } from "./functional_util.js";

const FN = "nn.functional.multiHeadAttentionForward";

/** The keyword parameters of multi_head_attention_forward after `out_proj_bias`, in Python's order. */
export type MhaForwardP = [training: boolean, keyPaddingMask: Tensor | null, needWeights: boolean, attnMask: Tensor | null,
  useSeparateProjWeight: boolean, qProjWeight: Tensor | null, kProjWeight: Tensor | null, vProjWeight: Tensor | null,
  staticK: Tensor | null, staticV: Tensor | null, averageAttnWeights: boolean];
export interface MhaForwardO {
  training: boolean; keyPaddingMask: Tensor | null; needWeights: boolean; attnMask: Tensor | null; useSeparateProjWeight: boolean;
  qProjWeight: Tensor | null; kProjWeight: Tensor | null; vProjWeight: Tensor | null; staticK: Tensor | null; staticV: Tensor | null;
  averageAttnWeights: boolean;
}
const KEYWORDS = ["training", "keyPaddingMask", "needWeights", "attnMask", "useSeparateProjWeight", "qProjWeight", "kProjWeight",
  "vProjWeight", "staticK", "staticV", "averageAttnWeights"];
const LEAD = ["query", "key", "value", "embedDimToCheck", "numHeads", "inProjWeight", "inProjBias", "biasK", "biasV", "addZeroAttn",
  "dropoutP", "outProjWeight", "outProjBias"];

const size = (s: readonly number[]) => `torch.Size([${s.join(", ")}])`;
const tuple = (s: readonly number[]) => (s.length === 1 ? `(${s[0]},)` : `(${s.join(", ")})`);
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const fail = (message: string): never => {
  throw new TorchError(`${FN}: ${message}`);
};
const isFloat = (t: Tensor) => DTYPES[t.dtype].isFloatingPoint;

/** Python's `_mha_shape_check`: whether the input is batched (3-D) or not (2-D), masks checked against it. */
function shapeCheck(query: Tensor, key: Tensor, value: Tensor, kpm: Tensor | null, attnMask: Tensor | null, numHeads: number): boolean {
  if (query.ndim === 3) {
    if (key.ndim !== 3 || value.ndim !== 3) fail(`For batched (3-D) \`query\`, expected \`key\` and \`value\` to be 3-D but found ${key.ndim}-D and ${value.ndim}-D tensors respectively`);
    if (kpm !== null && kpm.ndim !== 2) fail(`For batched (3-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 2-D but found ${kpm.ndim}-D tensor instead`);
    if (attnMask !== null && attnMask.ndim !== 2 && attnMask.ndim !== 3) fail(`For batched (3-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${attnMask.ndim}-D tensor instead`);
    return true;
  }
  if (query.ndim === 2) {
    if (key.ndim !== 2 || value.ndim !== 2) fail(`For unbatched (2-D) \`query\`, expected \`key\` and \`value\` to be 2-D but found ${key.ndim}-D and ${value.ndim}-D tensors respectively`);
    if (kpm !== null && kpm.ndim !== 1) fail(`For unbatched (2-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 1-D but found ${kpm.ndim}-D tensor instead`);
    if (attnMask !== null) {
      if (attnMask.ndim !== 2 && attnMask.ndim !== 3) fail(`For unbatched (2-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${attnMask.ndim}-D tensor instead`);
      const want = [numHeads, query.shape[0]!, key.shape[0]!];
      if (attnMask.ndim === 3 && !sameShape(attnMask.shape, want)) fail(`Expected \`attn_mask\` shape to be ${tuple(want)} but got ${size(attnMask.shape)}`);
    }
    return false;
  }
  return fail(`query should be unbatched 2D or batched 3D tensor but received ${query.ndim}-D query tensor`);
}

/** Python's `_in_projection_packed`: one packed weight; self- and encoder-decoder attention project together. */
function inProjectionPacked(q: Tensor, k: Tensor, v: Tensor, w: Tensor, b: Tensor | null): Tensor[] {
  const E = q.shape[q.ndim - 1]!;
  if (k === v) {
    if (q === k) return linear(q, w, b).chunk(3, -1);
    const [wQ, wKV] = w.split([E, E * 2]) as [Tensor, Tensor];
    const [bQ, bKV] = b === null ? [null, null] : (b.split([E, E * 2]) as [Tensor, Tensor]);
    return [linear(q, wQ, bQ), ...linear(k, wKV, bKV).chunk(2, -1)];
  }
  const [wQ, wK, wV] = w.chunk(3) as [Tensor, Tensor, Tensor];
  const [bQ, bK, bV] = b === null ? [null, null, null] : (b.chunk(3) as [Tensor, Tensor, Tensor]);
  return [linear(q, wQ, bQ), linear(k, wK, bK), linear(v, wV, bV)];
}

/** Python's `_in_projection`: separate q/k/v weights (kdim/vdim may differ from embed_dim). */
function inProjection(q: Tensor, k: Tensor, v: Tensor, wQ: Tensor, wK: Tensor, wV: Tensor, bQ: Tensor | null, bK: Tensor | null, bV: Tensor | null): Tensor[] {
  const [Eq, Ek, Ev] = [q, k, v].map((t) => t.shape[t.ndim - 1]!) as [number, number, number];
  const expect = (t: Tensor | null, shape: number[], what: string) => {
    if (t !== null && !sameShape(t.shape, shape)) fail(`expecting ${what} shape of ${tuple(shape)}, but got ${size(t.shape)}`);
  };
  expect(wQ, [Eq, Eq], "query weights");
  expect(wK, [Eq, Ek], "key weights");
  expect(wV, [Eq, Ev], "value weights");
  expect(bQ, [Eq], "query bias");
  expect(bK, [Eq], "key bias");
  expect(bV, [Eq], "value bias");
  return [linear(q, wQ, bQ), linear(k, wK, bK), linear(v, wV, bV)];
}

/**
 * Python: `F.multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
 * in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight,
 * out_proj_bias, training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
 * use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None, v_proj_weight=None,
 * static_k=None, static_v=None, average_attn_weights=True)`: [attnOutput, attnWeights | null].
 * Inputs are (L, N, E) (or unbatched (L, E)); masks are bool (true = masked out) or float (added).
 */
export function multiHeadAttentionForward(query: Tensor, key: Tensor, value: Tensor, embedDimToCheck: number, numHeads: number,
  inProjWeight: Tensor | null, inProjBias: Tensor | null, biasK: Tensor | null, biasV: Tensor | null, addZeroAttn: boolean, dropoutP: number,
  outProjWeight: Tensor, outProjBias: Tensor | null, ...args: PyArgs<MhaForwardP, MhaForwardO>): [attnOutput: Tensor, attnWeights: Tensor | null] {
  const o = bindArgs(FN, KEYWORDS, args, 0, LEAD);
  tensor(FN, query, "query");
  tensor(FN, key, "key");
  tensor(FN, value, "value");
  if (!isInt(embedDimToCheck)) throw argError(FN, "embedDimToCheck", "an integer", embedDimToCheck);
  checkPositiveInt(FN, "numHeads", numHeads);
  const inW = optTensor(FN, inProjWeight, "inProjWeight");
  const inB = optTensor(FN, inProjBias, "inProjBias");
  const bK = optTensor(FN, biasK, "biasK");
  const bV = optTensor(FN, biasV, "biasV");
  const zeroAttn = checkBool(FN, "addZeroAttn", addZeroAttn);
  let p = checkNumber(FN, "dropoutP", dropoutP);
  if (!(p >= 0 && p <= 1)) throw argError(FN, "dropoutP", "a probability between 0 and 1", p);
  const outW = tensor(FN, outProjWeight, "outProjWeight");
  const outB = optTensor(FN, outProjBias, "outProjBias");
  const training = bool(FN, "training", o.training, true);
  let kpm = optTensor(FN, o.keyPaddingMask, "keyPaddingMask");
  const needWeights = bool(FN, "needWeights", o.needWeights, true);
  let attnMask = optTensor(FN, o.attnMask, "attnMask");
  const separate = bool(FN, "useSeparateProjWeight", o.useSeparateProjWeight, false);
  const qW = optTensor(FN, o.qProjWeight, "qProjWeight");
  const kW = optTensor(FN, o.kProjWeight, "kProjWeight");
  const vW = optTensor(FN, o.vProjWeight, "vProjWeight");
  const staticK = optTensor(FN, o.staticK, "staticK");
  const staticV = optTensor(FN, o.staticV, "staticV");
  const average = bool(FN, "averageAttnWeights", o.averageAttnWeights, true);
  if (kpm !== null && kpm.dtype !== "bool" && !isFloat(kpm)) throw argError(FN, "keyPaddingMask", "a bool or floating-point tensor (only bool and floating types of key_padding_mask are supported)", kpm);
  if (attnMask !== null && attnMask.dtype !== "bool" && attnMask.dtype !== "uint8" && !isFloat(attnMask)) {
    throw argError(FN, "attnMask", `a float, byte or bool tensor (Only float, byte, and bool types are supported for attn_mask, not torch.${attnMask.dtype})`, attnMask);
  }

  // One scope: everything but the two results is freed when this returns, called directly or in a forward.
  return tidy((): [Tensor, Tensor | null] => {
    let [q0, k0, v0] = [query, key, value];
    const isBatched = shapeCheck(q0, k0, v0, kpm, attnMask, numHeads);
    if (!isBatched) {
      // Pretend to be batched (batch dim 1), and squeeze it off the results at the end. Three
      // unsqueezes, as Python: the views are distinct, so the in-projection takes its q/k/v path.
      q0 = q0.unsqueeze(1);
      k0 = k0.unsqueeze(1);
      v0 = v0.unsqueeze(1);
      if (kpm !== null) kpm = kpm.unsqueeze(0);
    }
    const [tgtLen, bsz, embedDim] = q0.shape as [number, number, number];
    let srcLen = k0.shape[0]!;
    if (embedDim !== embedDimToCheck) fail(`was expecting embedding dimension of ${embedDimToCheck}, but got ${embedDim}`);
    const headDim = Math.floor(embedDim / numHeads);
    if (headDim * numHeads !== embedDim) fail(`embed_dim ${embedDim} not divisible by num_heads ${numHeads}`);
    if (separate) {
      if (!sameShape(k0.shape.slice(0, 2), v0.shape.slice(0, 2))) fail(`key's sequence and batch dims ${size(k0.shape.slice(0, 2))} do not match value's ${size(v0.shape.slice(0, 2))}`);
    } else if (!sameShape(k0.shape, v0.shape)) {
      fail(`key shape ${size(k0.shape)} does not match value shape ${size(v0.shape)}`);
    }

    let q: Tensor, k: Tensor, v: Tensor;
    if (!separate) {
      if (inW === null) return fail("use_separate_proj_weight is False but in_proj_weight is None");
      [q, k, v] = inProjectionPacked(q0, k0, v0, inW, inB) as [Tensor, Tensor, Tensor];
    } else {
      if (qW === null) return fail("use_separate_proj_weight is True but q_proj_weight is None");
      if (kW === null) return fail("use_separate_proj_weight is True but k_proj_weight is None");
      if (vW === null) return fail("use_separate_proj_weight is True but v_proj_weight is None");
      const [bQ, bK_, bV_] = inB === null ? [null, null, null] : (inB.chunk(3) as [Tensor, Tensor, Tensor]);
      [q, k, v] = inProjection(q0, k0, v0, qW, kW, vW, bQ, bK_, bV_) as [Tensor, Tensor, Tensor];
    }

    if (attnMask !== null) {
      // A byte mask is Python's deprecated form of a bool one.
      if (attnMask.dtype === "uint8") attnMask = attnMask.to({ dtype: "bool" });
      if (attnMask.ndim === 2) {
        if (!sameShape(attnMask.shape, [tgtLen, srcLen])) fail(`The shape of the 2D attn_mask is ${size(attnMask.shape)}, but should be ${tuple([tgtLen, srcLen])}.`);
        attnMask = attnMask.unsqueeze(0);
      } else if (attnMask.ndim === 3) {
        const want = [bsz * numHeads, tgtLen, srcLen];
        if (!sameShape(attnMask.shape, want)) fail(`The shape of the 3D attn_mask is ${size(attnMask.shape)}, but should be ${tuple(want)}.`);
      } else {
        fail(`attn_mask's dimension ${attnMask.ndim} is not supported`);
      }
    }

    if (bK !== null && bV !== null) {
      if (staticK !== null) fail("bias cannot be added to static key.");
      if (staticV !== null) fail("bias cannot be added to static value.");
      k = ops.cat([k, bK.repeat(1, bsz, 1)]);
      v = ops.cat([v, bV.repeat(1, bsz, 1)]);
      if (attnMask !== null) attnMask = pad(attnMask, [0, 1]);
      if (kpm !== null) kpm = pad(kpm, [0, 1]);
    } else if (bK !== null || bV !== null) {
      fail(`biasK and biasV must both be given or both be null, got ${bK === null ? "only biasV" : "only biasK"}`);
    }

    // (L, N, E) -> (N * heads, L, head_dim): batch first for bmm.
    q = q.contiguous().view(tgtLen, bsz * numHeads, headDim).transpose(0, 1);
    if (staticK === null) {
      k = k.contiguous().view(k.shape[0]!, bsz * numHeads, headDim).transpose(0, 1);
    } else {
      if (staticK.shape[0] !== bsz * numHeads) fail(`expecting static_k.size(0) of ${bsz * numHeads}, but got ${staticK.shape[0]}`);
      if (staticK.shape[2] !== headDim) fail(`expecting static_k.size(2) of ${headDim}, but got ${staticK.shape[2]}`);
      k = staticK;
    }
    if (staticV === null) {
      v = v.contiguous().view(v.shape[0]!, bsz * numHeads, headDim).transpose(0, 1);
    } else {
      if (staticV.shape[0] !== bsz * numHeads) fail(`expecting static_v.size(0) of ${bsz * numHeads}, but got ${staticV.shape[0]}`);
      if (staticV.shape[2] !== headDim) fail(`expecting static_v.size(2) of ${headDim}, but got ${staticV.shape[2]}`);
      v = staticV;
    }

    if (zeroAttn) {
      const zeroShape = [bsz * numHeads, 1, headDim];
      k = ops.cat([k, ops.zeros(zeroShape, { dtype: k.dtype, device: k.device })], 1);
      v = ops.cat([v, ops.zeros(zeroShape, { dtype: v.dtype, device: v.device })], 1);
      if (attnMask !== null) attnMask = pad(attnMask, [0, 1]);
      if (kpm !== null) kpm = pad(kpm, [0, 1]);
    }
    srcLen = k.shape[1]!;

    if (kpm !== null) {
      if (!sameShape(kpm.shape, [bsz, srcLen])) fail(`expecting key_padding_mask shape of ${tuple([bsz, srcLen])}, but got ${size(kpm.shape)}`);
      kpm = kpm.view(bsz, 1, 1, srcLen).expand(-1, numHeads, -1, -1).reshape(bsz * numHeads, 1, srcLen);
      if (attnMask === null) attnMask = kpm;
      else if (attnMask.dtype === "bool") attnMask = attnMask.logicalOr(kpm);
      else attnMask = attnMask.maskedFill(kpm, -Infinity);
    }
    if (attnMask !== null && attnMask.dtype === "bool") {
      const additive = ops.zerosLike(attnMask, { dtype: q.dtype });
      additive.maskedFill_(attnMask, -Infinity);
      attnMask = additive;
    }
    if (!training) p = 0;

    const E = q.shape[2]!;
    const qScaled = q.div(Math.sqrt(E));
    let weights = attnMask !== null ? ops.baddbmm(attnMask, qScaled, k.transpose(-2, -1)) : ops.bmm(qScaled, k.transpose(-2, -1));
    weights = softmax(weights, -1);
    if (p > 0) weights = dropout(weights, { p });
    let out = ops.bmm(weights, v);
    out = out.transpose(0, 1).contiguous().view(tgtLen * bsz, embedDim);
    out = linear(out, outW, outB);
    out = out.view(tgtLen, bsz, out.shape[1]!);
    if (!needWeights) return [isBatched ? out : out.squeeze(1), null];
    weights = weights.view(bsz, numHeads, tgtLen, srcLen);
    if (average) weights = weights.sum(1).div(numHeads);
    return isBatched ? [out, weights] : [out.squeeze(1), weights.squeeze(0)];
  });
}
