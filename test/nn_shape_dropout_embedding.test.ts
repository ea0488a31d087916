// Padding, upsampling, pixel shuffle, fold/unfold, channel shuffle, unflatten, the dropout
// family and embeddings against PyTorch 1.13 (test/reference/nn_shape_dropout_embedding.py,
// one process). Each case is one module written twice, as a Python expression and by the calling
// rule in TS, built after the same manualSeed: repr, the initial state_dict (bitwise), the
// forward in float32 or float64 (random ones bitwise, after seed + 1), the input and parameter
// gradients and the state after the forward (max_norm renormalises the weight) must be Python's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { expectClose, expectExact, floatSpec, fromEncoded, fromSpec, prng, valuesOf, type Encoded, type Spec } from "./reference/nn_common.js";
import { ReferenceSession } from "./reference/session.js";

const { nn } = torch;
type Module = torch.nn.Module;
const rnd = prng(1713);
const f = (...shape: number[]): Spec => floatSpec(rnd, shape);
const ix = (data: number[], shape = [data.length]): Spec => ({ shape, data, dtype: "int64" });

interface Case {
  py: string;
  ts: (t: Record<string, torch.Tensor>) => Module;
  inputs: Spec[];
  dtype?: "float64";
  /** Module.train(mode) before the forward (default true). */
  train?: boolean;
  /** Backward a cotangent and compare gradients (default true). */
  grad?: boolean;
  /** Random: outputs bitwise Python's. */
  exact?: boolean;
  /** Feed a clone of each float input (in-place forwards on a leaf). */
  clone?: boolean;
  /** The weight's gradient is sparse (compared densified). */
  sparse?: boolean;
  tensors?: Record<string, Spec>;
}

const seq = [1, 2, 4, 5, 4, 3, 2, 9];
const CASES: Record<string, Case> = {
  // ---- padding ----
  "ConstantPad1d(2, 3.5)": { py: "nn.ConstantPad1d(2, 3.5)", ts: () => new nn.ConstantPad1d(2, 3.5), inputs: [f(2, 3, 4)] },
  "ConstantPad1d((3, -1), -0.5): negative padding crops, float64": { py: "nn.ConstantPad1d((3, -1), -0.5)", ts: () => new nn.ConstantPad1d([3, -1], -0.5), inputs: [f(2, 5)], dtype: "float64" },
  "ConstantPad2d((1, 0, 2, 1), 1.25)": { py: "nn.ConstantPad2d((1, 0, 2, 1), 1.25)", ts: () => new nn.ConstantPad2d([1, 0, 2, 1], 1.25), inputs: [f(1, 2, 3, 3)] },
  "ConstantPad3d(1, 0.0)": { py: "nn.ConstantPad3d(1, 0.0)", ts: () => new nn.ConstantPad3d(1, 0), inputs: [f(1, 2, 2, 2, 2)] },
  "ZeroPad2d((1, 2, 0, 1)) on (C, H, W)": { py: "nn.ZeroPad2d((1, 2, 0, 1))", ts: () => new nn.ZeroPad2d([1, 2, 0, 1]), inputs: [f(2, 3, 3)] },
  "ReflectionPad1d(2)": { py: "nn.ReflectionPad1d(2)", ts: () => new nn.ReflectionPad1d(2), inputs: [f(2, 3, 5)] },
  "ReflectionPad1d((1, 3)), float64": { py: "nn.ReflectionPad1d((1, 3))", ts: () => new nn.ReflectionPad1d([1, 3]), inputs: [f(1, 2, 4)], dtype: "float64" },
  "ReflectionPad2d((1, 1, 2, 0))": { py: "nn.ReflectionPad2d((1, 1, 2, 0))", ts: () => new nn.ReflectionPad2d([1, 1, 2, 0]), inputs: [f(1, 2, 4, 4)] },
  "ReflectionPad2d(1) on (C, H, W)": { py: "nn.ReflectionPad2d(1)", ts: () => new nn.ReflectionPad2d(1), inputs: [f(2, 3, 3)] },
  "ReflectionPad3d(1)": { py: "nn.ReflectionPad3d(1)", ts: () => new nn.ReflectionPad3d(1), inputs: [f(1, 1, 3, 3, 3)] },
  "ReplicationPad1d((0, 2))": { py: "nn.ReplicationPad1d((0, 2))", ts: () => new nn.ReplicationPad1d([0, 2]), inputs: [f(1, 2, 3)] },
  "ReplicationPad2d(2), float64": { py: "nn.ReplicationPad2d(2)", ts: () => new nn.ReplicationPad2d(2), inputs: [f(1, 1, 3, 3)], dtype: "float64" },
  "ReplicationPad3d((1, 0, 0, 1, 1, 0))": { py: "nn.ReplicationPad3d((1, 0, 0, 1, 1, 0))", ts: () => new nn.ReplicationPad3d([1, 0, 0, 1, 1, 0]), inputs: [f(1, 2, 2, 2, 2)] },
  // ---- upsampling ----
  "Upsample(scale_factor=2): nearest, 4-D": { py: "nn.Upsample(scale_factor=2)", ts: () => new nn.Upsample({ scaleFactor: 2 }), inputs: [f(1, 2, 2, 3)] },
  "Upsample(size=5): nearest, 3-D": { py: "nn.Upsample(size=5)", ts: () => new nn.Upsample(5), inputs: [f(2, 2, 3)] },
  "Upsample(size=(3, 4, 5), mode='trilinear', align_corners=True)": { py: "nn.Upsample(size=(3, 4, 5), mode='trilinear', align_corners=True)", ts: () => new nn.Upsample([3, 4, 5], null, "trilinear", true), inputs: [f(1, 1, 2, 2, 2)] },
  "Upsample(scale_factor=(1.5, 2.0), mode='bilinear'), float64": { py: "nn.Upsample(scale_factor=(1.5, 2.0), mode='bilinear')", ts: () => new nn.Upsample({ scaleFactor: [1.5, 2], mode: "bilinear" }), inputs: [f(1, 2, 3, 3)], dtype: "float64" },
  "Upsample(scale_factor=1.7, mode='linear', recompute_scale_factor=True)": { py: "nn.Upsample(scale_factor=1.7, mode='linear', recompute_scale_factor=True)", ts: () => new nn.Upsample({ scaleFactor: 1.7, mode: "linear", recomputeScaleFactor: true }), inputs: [f(1, 2, 5)] },
  "Upsample(scale_factor=1.7, mode='linear')": { py: "nn.Upsample(scale_factor=1.7, mode='linear')", ts: () => new nn.Upsample(null, 1.7, "linear"), inputs: [f(1, 2, 5)] },
  "Upsample(size=(4, 6), mode='bicubic', align_corners=False)": { py: "nn.Upsample(size=(4, 6), mode='bicubic', align_corners=False)", ts: () => new nn.Upsample([4, 6], { mode: "bicubic", alignCorners: false }), inputs: [f(1, 1, 3, 3)] },
  "Upsample(scale_factor=2, mode='nearest-exact')": { py: "nn.Upsample(scale_factor=2, mode='nearest-exact')", ts: () => new nn.Upsample({ scaleFactor: 2, mode: "nearest-exact" }), inputs: [f(1, 1, 3, 3)] },
  "Upsample(scale_factor=0.5, mode='area')": { py: "nn.Upsample(scale_factor=0.5, mode='area')", ts: () => new nn.Upsample({ scaleFactor: 0.5, mode: "area" }), inputs: [f(1, 1, 4, 4)] },
  "UpsamplingNearest2d(scale_factor=3)": { py: "nn.UpsamplingNearest2d(scale_factor=3)", ts: () => new nn.UpsamplingNearest2d({ scaleFactor: 3 }), inputs: [f(1, 1, 2, 2)] },
  "UpsamplingNearest2d(size=(3, 5))": { py: "nn.UpsamplingNearest2d(size=(3, 5))", ts: () => new nn.UpsamplingNearest2d([3, 5]), inputs: [f(1, 2, 2, 2)] },
  "UpsamplingBilinear2d(scale_factor=2)": { py: "nn.UpsamplingBilinear2d(scale_factor=2)", ts: () => new nn.UpsamplingBilinear2d(null, 2), inputs: [f(1, 2, 2, 3)] },
  "UpsamplingBilinear2d(size=4), float64": { py: "nn.UpsamplingBilinear2d(size=4)", ts: () => new nn.UpsamplingBilinear2d(4), inputs: [f(1, 1, 3, 2)], dtype: "float64" },
  // ---- pixel shuffle, fold, channel shuffle, unflatten ----
  "PixelShuffle(2)": { py: "nn.PixelShuffle(2)", ts: () => new nn.PixelShuffle(2), inputs: [f(1, 8, 2, 3)] },
  "PixelShuffle(3) on (C, H, W), float64": { py: "nn.PixelShuffle(3)", ts: () => new nn.PixelShuffle(3), inputs: [f(9, 2, 2)], dtype: "float64" },
  "PixelUnshuffle(2)": { py: "nn.PixelUnshuffle(2)", ts: () => new nn.PixelUnshuffle(2), inputs: [f(1, 2, 4, 6)] },
  "Fold(output_size=(4, 5), kernel_size=(2, 2))": { py: "nn.Fold(output_size=(4, 5), kernel_size=(2, 2))", ts: () => new nn.Fold([4, 5], [2, 2]), inputs: [f(1, 4, 12)] },
  "Fold(5, 3, 1, 1, 2): padding and stride": { py: "nn.Fold(5, 3, 1, 1, 2)", ts: () => new nn.Fold(5, 3, 1, 1, 2), inputs: [f(2, 18, 9)] },
  "Fold((6, 6), 2, dilation=2, stride=(1, 2)), float64": { py: "nn.Fold((6, 6), 2, dilation=2, stride=(1, 2))", ts: () => new nn.Fold([6, 6], 2, { dilation: 2, stride: [1, 2] }), inputs: [f(1, 4, 8)], dtype: "float64" },
  "Unfold(kernel_size=(2, 3))": { py: "nn.Unfold(kernel_size=(2, 3))", ts: () => new nn.Unfold([2, 3]), inputs: [f(2, 2, 4, 5)] },
  "Unfold(2, dilation=2, padding=1, stride=2)": { py: "nn.Unfold(2, dilation=2, padding=1, stride=2)", ts: () => new nn.Unfold(2, { dilation: 2, padding: 1, stride: 2 }), inputs: [f(1, 3, 5, 5)] },
  "Unfold(2) on (C, H, W)": { py: "nn.Unfold(2)", ts: () => new nn.Unfold(2), inputs: [f(3, 4, 4)] },
  "ChannelShuffle(2)": { py: "nn.ChannelShuffle(2)", ts: () => new nn.ChannelShuffle(2), inputs: [f(1, 4, 2, 2)], grad: false }, // 1.13 has no derivative for channel_shuffle
  "ChannelShuffle(3) on (N, C, L), float64": { py: "nn.ChannelShuffle(3)", ts: () => new nn.ChannelShuffle(3), inputs: [f(2, 6, 3)], dtype: "float64", grad: false },
  "Unflatten(1, (2, 5))": { py: "nn.Unflatten(1, (2, 5))", ts: () => new nn.Unflatten(1, [2, 5]), inputs: [f(3, 10)] },
  "Unflatten(-1, (2, -1))": { py: "nn.Unflatten(-1, (2, -1))", ts: () => new nn.Unflatten(-1, [2, -1]), inputs: [f(2, 3, 4)] },
  // ---- dropout (training draws bitwise Python's mask) ----
  "Dropout(): training": { py: "nn.Dropout()", ts: () => new nn.Dropout(), inputs: [f(6, 7)], exact: true },
  "Dropout(p=0.2): training, float64": { py: "nn.Dropout(p=0.2)", ts: () => new nn.Dropout({ p: 0.2 }), inputs: [f(5, 6)], dtype: "float64", exact: true },
  "Dropout(0.3, inplace=True): training": { py: "nn.Dropout(0.3, inplace=True)", ts: () => new nn.Dropout(0.3, true), inputs: [f(4, 9)], exact: true, clone: true },
  "Dropout(0.4): eval is the identity": { py: "nn.Dropout(0.4)", ts: () => new nn.Dropout(0.4), inputs: [f(3, 4)], train: false, exact: true },
  "Dropout(1.0): training drops everything": { py: "nn.Dropout(1.0)", ts: () => new nn.Dropout(1), inputs: [f(3, 4)], exact: true },
  "Dropout1d(): (N, C, L)": { py: "nn.Dropout1d()", ts: () => new nn.Dropout1d(), inputs: [f(3, 5, 4)], exact: true },
  "Dropout1d(p=0.25): (C, L)": { py: "nn.Dropout1d(p=0.25)", ts: () => new nn.Dropout1d({ p: 0.25 }), inputs: [f(6, 3)], exact: true },
  "Dropout1d(0.5, True): (C, L) in place": { py: "nn.Dropout1d(0.5, True)", ts: () => new nn.Dropout1d(0.5, true), inputs: [f(6, 3)], exact: true, clone: true },
  "Dropout2d(): (N, C, H, W)": { py: "nn.Dropout2d()", ts: () => new nn.Dropout2d(), inputs: [f(2, 5, 2, 2)], exact: true },
  "Dropout2d(0.3): 3-D input": { py: "nn.Dropout2d(0.3)", ts: () => new nn.Dropout2d(0.3), inputs: [f(4, 3, 2)], exact: true },
  "Dropout2d(0.6, inplace=True), float64": { py: "nn.Dropout2d(0.6, inplace=True)", ts: () => new nn.Dropout2d(0.6, true), inputs: [f(2, 4, 2, 2)], dtype: "float64", exact: true, clone: true },
  "Dropout2d(): a 2-D input (deprecated in Python, same draws)": { py: "nn.Dropout2d()", ts: () => new nn.Dropout2d(), inputs: [f(4, 6)], exact: true },
  "Dropout3d(0.5): a 3-D input is read as (C, D, H) unbatched": { py: "nn.Dropout3d(0.5)", ts: () => new nn.Dropout3d(0.5), inputs: [f(4, 2, 3)], exact: true },
  "Dropout2d(): eval": { py: "nn.Dropout2d()", ts: () => new nn.Dropout2d(), inputs: [f(2, 3, 2, 2)], train: false, exact: true },
  "Dropout3d(): (N, C, D, H, W)": { py: "nn.Dropout3d()", ts: () => new nn.Dropout3d(), inputs: [f(2, 4, 2, 2, 2)], exact: true },
  "Dropout3d(0.3): (C, D, H, W)": { py: "nn.Dropout3d(0.3)", ts: () => new nn.Dropout3d(0.3), inputs: [f(5, 2, 2, 2)], exact: true },
  "AlphaDropout(0.2): training": { py: "nn.AlphaDropout(0.2)", ts: () => new nn.AlphaDropout(0.2), inputs: [f(5, 6)], exact: true },
  "AlphaDropout(0.2): eval": { py: "nn.AlphaDropout(0.2)", ts: () => new nn.AlphaDropout(0.2), inputs: [f(5, 6)], train: false, exact: true },
  "AlphaDropout(0.5, inplace=True): training (the forward is out of place, as PyTorch's)": { py: "nn.AlphaDropout(0.5, inplace=True)", ts: () => new nn.AlphaDropout({ p: 0.5, inplace: true }), inputs: [f(4, 4)], exact: true },
  "FeatureAlphaDropout(0.3): training": { py: "nn.FeatureAlphaDropout(0.3)", ts: () => new nn.FeatureAlphaDropout(0.3), inputs: [f(2, 6, 2, 2)], exact: true },
  "FeatureAlphaDropout(): training, float64": { py: "nn.FeatureAlphaDropout()", ts: () => new nn.FeatureAlphaDropout(), inputs: [f(3, 4, 3)], dtype: "float64", exact: true },
  // ---- Embedding ----
  "Embedding(10, 3)": { py: "nn.Embedding(10, 3)", ts: () => new nn.Embedding(10, 3), inputs: [ix(seq, [2, 4])] },
  "Embedding(10, 3, padding_idx=2): zero row, no gradient there": { py: "nn.Embedding(10, 3, padding_idx=2)", ts: () => new nn.Embedding(10, 3, 2), inputs: [ix(seq, [2, 4])] },
  "Embedding(8, 4, padding_idx=-1)": { py: "nn.Embedding(8, 4, padding_idx=-1)", ts: () => new nn.Embedding(8, 4, { paddingIdx: -1 }), inputs: [ix([7, 0, 7, 3])] },
  "Embedding(10, 3, scale_grad_by_freq=True)": { py: "nn.Embedding(10, 3, scale_grad_by_freq=True)", ts: () => new nn.Embedding(10, 3, { scaleGradByFreq: true }), inputs: [ix([4, 4, 4, 1, 2, 1, 9, 4], [4, 2])] },
  "Embedding(10, 3, padding_idx=4, scale_grad_by_freq=True)": { py: "nn.Embedding(10, 3, padding_idx=4, scale_grad_by_freq=True)", ts: () => new nn.Embedding(10, 3, { paddingIdx: 4, scaleGradByFreq: true }), inputs: [ix([4, 4, 4, 1, 2, 1, 9, 4], [4, 2])] },
  "Embedding(10, 4, max_norm=1.0): renormalised rows": { py: "nn.Embedding(10, 4, max_norm=1.0)", ts: () => new nn.Embedding(10, 4, null, 1.0), inputs: [ix(seq, [2, 4])] },
  "Embedding(10, 4, max_norm=2.5, norm_type=1.0), float64": { py: "nn.Embedding(10, 4, max_norm=2.5, norm_type=1.0)", ts: () => new nn.Embedding(10, 4, { maxNorm: 2.5, normType: 1 }), inputs: [ix(seq)], dtype: "float64" },
  "Embedding(10, 3, sparse=True): a sparse weight gradient": { py: "nn.Embedding(10, 3, sparse=True)", ts: () => new nn.Embedding(10, 3, { sparse: true }), inputs: [ix(seq)], sparse: true },
  "Embedding(6, 2, padding_idx=0), float64": { py: "nn.Embedding(6, 2, padding_idx=0)", ts: () => new nn.Embedding(6, 2, { paddingIdx: 0 }), inputs: [ix([0, 5, 1, 0])], dtype: "float64" },
  "Embedding.from_pretrained(W, freeze=False, padding_idx=1)": {
    py: "nn.Embedding.from_pretrained(W, freeze=False, padding_idx=1)", ts: (t) => nn.Embedding.fromPretrained(t.W!, { freeze: false, paddingIdx: 1 }),
    tensors: { W: f(5, 3) }, inputs: [ix([1, 0, 4, 1, 2])],
  },
  "Embedding.from_pretrained(W): frozen": { py: "nn.Embedding.from_pretrained(W)", ts: (t) => nn.Embedding.fromPretrained(t.W!), tensors: { W: f(4, 2) }, inputs: [ix([3, 0, 3])], grad: false },
  "Embedding(5, 2, dtype=torch.float64): seeded init in float64": { py: "nn.Embedding(5, 2, dtype=torch.float64)", ts: () => new nn.Embedding(5, 2, { dtype: "float64" }), inputs: [ix([4, 0, 2])] },
  "Embedding(4, 3, _weight=W): the given weight, no init": { py: "nn.Embedding(4, 3, _weight=W)", ts: (t) => new nn.Embedding(4, 3, { _weight: t.W! }), tensors: { W: f(4, 3) }, inputs: [ix([3, 1, 1])] },
  // ---- EmbeddingBag ----
  "EmbeddingBag(10, 3): mean of 2-D bags": { py: "nn.EmbeddingBag(10, 3)", ts: () => new nn.EmbeddingBag(10, 3), inputs: [ix(seq, [2, 4])] },
  "EmbeddingBag(10, 3, mode='sum'): offsets, an empty bag": { py: "nn.EmbeddingBag(10, 3, mode='sum')", ts: () => new nn.EmbeddingBag(10, 3, { mode: "sum" }), inputs: [ix(seq), ix([0, 3, 3, 6])] },
  "EmbeddingBag(10, 3, mode='max')": { py: "nn.EmbeddingBag(10, 3, mode='max')", ts: () => new nn.EmbeddingBag(10, 3, { mode: "max" }), inputs: [ix(seq), ix([0, 2, 5])] },
  "EmbeddingBag(10, 3, mode='sum'): per_sample_weights": { py: "nn.EmbeddingBag(10, 3, mode='sum')", ts: () => new nn.EmbeddingBag(10, 3, null, 2, false, "sum"), inputs: [ix(seq), ix([0, 4, 6]), f(8)] },
  "EmbeddingBag(10, 3, include_last_offset=True)": { py: "nn.EmbeddingBag(10, 3, include_last_offset=True)", ts: () => new nn.EmbeddingBag(10, 3, { includeLastOffset: true }), inputs: [ix(seq), ix([0, 2, 5, 8])] },
  "EmbeddingBag(10, 3, mode='sum', padding_idx=2)": { py: "nn.EmbeddingBag(10, 3, mode='sum', padding_idx=2)", ts: () => new nn.EmbeddingBag(10, 3, { mode: "sum", paddingIdx: 2 }), inputs: [ix(seq), ix([0, 3, 5])] },
  "EmbeddingBag(10, 3, padding_idx=-8): mean skips the padding": { py: "nn.EmbeddingBag(10, 3, padding_idx=-8)", ts: () => new nn.EmbeddingBag(10, 3, { paddingIdx: -8 }), inputs: [ix(seq, [4, 2])] },
  "EmbeddingBag(10, 3, max_norm=1.0, scale_grad_by_freq=True)": { py: "nn.EmbeddingBag(10, 3, max_norm=1.0, scale_grad_by_freq=True)", ts: () => new nn.EmbeddingBag(10, 3, { maxNorm: 1, scaleGradByFreq: true }), inputs: [ix([4, 4, 1, 4, 2, 1], [3, 2])] },
  "EmbeddingBag.from_pretrained(W, freeze=False, mode='max')": {
    py: "nn.EmbeddingBag.from_pretrained(W, freeze=False, mode='max')", ts: (t) => nn.EmbeddingBag.fromPretrained(t.W!, { freeze: false, mode: "max" }),
    tensors: { W: f(6, 4) }, inputs: [ix([5, 0, 3, 3, 1, 2]), ix([0, 2, 3])],
  },
  "EmbeddingBag(6, 3, mode='sum', dtype=torch.float64)": { py: "nn.EmbeddingBag(6, 3, mode='sum', dtype=torch.float64)", ts: () => new nn.EmbeddingBag(6, 3, { mode: "sum", dtype: "float64" }), inputs: [ix([5, 0, 2, 2], [2, 2])] },
  "EmbeddingBag(7, 2, mode='sum'): per_sample_weights, float64": { py: "nn.EmbeddingBag(7, 2, mode='sum')", ts: () => new nn.EmbeddingBag(7, 2, { mode: "sum" }), inputs: [ix([6, 1, 1, 0, 3]), ix([0, 1, 3]), f(5)], dtype: "float64" },
};

/** Bad arguments: the TS call must throw a TypeError/TorchError naming the function and argument; Python must refuse too. */
const REJECTS: [string, () => unknown, RegExp, string | null][] = [
  ["Dropout p above 1", () => new nn.Dropout(1.5), /nn\.Dropout: expected p to be a probability/, "nn.Dropout(1.5)"],
  ["Dropout2d negative p", () => new nn.Dropout2d({ p: -0.1 }), /nn\.Dropout2d: expected p/, "nn.Dropout2d(p=-0.1)"],
  ["AlphaDropout p NaN", () => new nn.AlphaDropout(NaN), /nn\.AlphaDropout: expected p/, "nn.AlphaDropout(float('nan'))(torch.zeros(2))"],
  ["Dropout inplace not a boolean", () => new nn.Dropout(0.5, "yes" as never), /nn\.Dropout: expected inplace to be a boolean/, null],
  ["Dropout: too many positional arguments", () => new (nn.Dropout as unknown as new (...a: unknown[]) => Module)(0.5, false, true), /nn\.Dropout: expected at most 2 positional/, "nn.Dropout(0.5, False, True)"],
  ["Dropout: unknown option", () => new nn.Dropout({ prob: 0.5 } as never), /nn\.Dropout.*prob/, "nn.Dropout(prob=0.5)"],
  ["ConstantPad2d with 3 sides", () => new nn.ConstantPad2d([1, 2, 3] as never, 0), /nn\.ConstantPad2d: expected padding to be an integer or an array of 4/, "nn.ConstantPad2d((1, 2, 3), 0.)(torch.zeros(1, 2, 2))"],
  ["ReflectionPad1d fractional padding", () => new nn.ReflectionPad1d(1.5 as never), /nn\.ReflectionPad1d: expected padding/, "nn.ReflectionPad1d(1.5)(torch.zeros(1, 2, 3))"],
  ["ConstantPad1d value not a number", () => new nn.ConstantPad1d(1, "0" as never), /nn\.ConstantPad1d: expected value to be a number/, "nn.ConstantPad1d(1, '0')(torch.zeros(1, 2, 3))"],
  ["ReflectionPad1d padding wider than the input (forward)", () => new nn.ReflectionPad1d(3).call(torch.zeros([1, 2, 3])), /padding/i, "nn.ReflectionPad1d(3)(torch.zeros(1, 2, 3))"],
  ["Upsample unknown mode", () => new nn.Upsample({ scaleFactor: 2, mode: "cubic" as never }), /nn\.Upsample: expected mode to be/, "nn.Upsample(scale_factor=2, mode='cubic')(torch.zeros(1, 1, 2, 2))"],
  ["Upsample size negative", () => new nn.Upsample(-2), /nn\.Upsample: expected size/, "nn.Upsample(-2)(torch.zeros(1, 1, 2))"],
  ["Upsample scaleFactor a string", () => new nn.Upsample({ scaleFactor: "2" as never }), /nn\.Upsample: expected scaleFactor/, null],
  ["UpsamplingNearest2d with neither size nor scale (forward)", () => new nn.UpsamplingNearest2d().call(torch.zeros([1, 1, 2, 2])), /either size or scale_factor/, "nn.UpsamplingNearest2d()(torch.zeros(1, 1, 2, 2))"],
  ["Upsample align_corners with nearest (forward)", () => new nn.Upsample({ scaleFactor: 2, alignCorners: true }).call(torch.zeros([1, 1, 2])), /align_corners/, "nn.Upsample(scale_factor=2, align_corners=True)(torch.zeros(1, 1, 2))"],
  ["PixelShuffle factor 0", () => new nn.PixelShuffle(0), /nn\.PixelShuffle: expected upscaleFactor to be a positive integer/, "nn.PixelShuffle(0)(torch.zeros(1, 4, 2, 2))"],
  ["PixelUnshuffle factor 1.5", () => new nn.PixelUnshuffle(1.5), /nn\.PixelUnshuffle: expected downscaleFactor/, "nn.PixelUnshuffle(1.5)(torch.zeros(1, 1, 4, 4))"],
  ["PixelShuffle channels not divisible (forward)", () => new nn.PixelShuffle(2).call(torch.zeros([1, 3, 2, 2])), /divisible/, "nn.PixelShuffle(2)(torch.zeros(1, 3, 2, 2))"],
  ["Fold kernel 0", () => new nn.Fold([4, 5], 0), /nn\.Fold: expected kernelSize/, "nn.Fold((4, 5), 0)(torch.zeros(1, 4, 12))"],
  ["Unfold stride 0", () => new nn.Unfold(2, { stride: 0 }), /nn\.Unfold: expected stride/, "nn.Unfold(2, stride=0)(torch.zeros(1, 1, 4, 4))"],
  ["Unfold padding negative", () => new nn.Unfold(2, 1, -1), /nn\.Unfold: expected padding/, "nn.Unfold(2, 1, -1)(torch.zeros(1, 1, 4, 4))"],
  ["ChannelShuffle groups 0", () => new nn.ChannelShuffle(0), /nn\.ChannelShuffle: expected groups to be a positive integer/, "nn.ChannelShuffle(0)(torch.zeros(1, 4, 2, 2))"],
  ["Unflatten fractional size", () => new nn.Unflatten(1, [2, 2.5]), /nn\.Unflatten: expected unflattenedSize to be an array of integers/, "nn.Unflatten(1, (2, 2.5))"],
  ["Unflatten named dim", () => new nn.Unflatten("a" as never, [2]), /nn\.Unflatten: a named dim/, "nn.Unflatten('a', (2,))"],
  ["Unflatten sizes that do not multiply out (forward)", () => new nn.Unflatten(1, [3, 3]).call(torch.zeros([2, 10])), /unflatten|size/i, "nn.Unflatten(1, (3, 3))(torch.zeros(2, 10))"],
  ["Embedding padding_idx past the end", () => new nn.Embedding(10, 3, { paddingIdx: 10 }), /nn\.Embedding: expected paddingIdx to be an integer within numEmbeddings/, "nn.Embedding(10, 3, padding_idx=10)"],
  ["Embedding padding_idx before the start", () => new nn.Embedding(10, 3, -11), /nn\.Embedding: expected paddingIdx/, "nn.Embedding(10, 3, padding_idx=-11)"],
  ["Embedding _weight of the wrong shape", () => new nn.Embedding(10, 3, { _weight: torch.zeros([3, 3]) }), /nn\.Embedding: expected _weight to be a tensor of shape \[10, 3\]/, "nn.Embedding(10, 3, _weight=torch.zeros(3, 3))"],
  ["Embedding numEmbeddings negative", () => new nn.Embedding(-1, 3), /nn\.Embedding: expected numEmbeddings/, "nn.Embedding(-1, 3)"],
  ["Embedding unknown option", () => new nn.Embedding(10, 3, { padIdx: 1 } as never), /nn\.Embedding.*padIdx/, "nn.Embedding(10, 3, pad_idx=1)"],
  ["Embedding float indices (forward)", () => new nn.Embedding(10, 3).call(torch.zeros([2])), /Long|Int|index/i, "nn.Embedding(10, 3)(torch.zeros(2))"],
  ["Embedding index out of range (forward)", () => new nn.Embedding(10, 3).call(torch.tensor([10n])), /index out of range/, "nn.Embedding(10, 3)(torch.tensor([10]))"],
  ["Embedding.fromPretrained of a 1-D tensor", () => nn.Embedding.fromPretrained(torch.zeros([3])), /nn\.Embedding\.fromPretrained: expected embeddings to be a 2-dimensional Tensor/, "nn.Embedding.from_pretrained(torch.zeros(3))"],
  ["EmbeddingBag unknown mode", () => new nn.EmbeddingBag(10, 3, { mode: "min" as never }), /nn\.EmbeddingBag: expected mode to be "sum", "mean" or "max"/, "nn.EmbeddingBag(10, 3, mode='min')(torch.tensor([[1, 2]]))"],
  ["EmbeddingBag padding_idx past the end", () => new nn.EmbeddingBag(10, 3, { paddingIdx: 12 }), /nn\.EmbeddingBag: expected paddingIdx/, "nn.EmbeddingBag(10, 3, padding_idx=12)"],
  ["EmbeddingBag max with scale_grad_by_freq (forward)", () => new nn.EmbeddingBag(10, 3, { mode: "max", scaleGradByFreq: true }).call(torch.tensor([[1n, 2n]])), /max mode does not support/, "nn.EmbeddingBag(10, 3, mode='max', scale_grad_by_freq=True)(torch.tensor([[1, 2]]))"],
  ["EmbeddingBag 1-D input without offsets (forward)", () => new nn.EmbeddingBag(10, 3).call(torch.tensor([1n, 2n])), /offsets/, "nn.EmbeddingBag(10, 3)(torch.tensor([1, 2]))"],
  ["EmbeddingBag per_sample_weights with mode mean (forward)", () => new nn.EmbeddingBag(10, 3).call(torch.tensor([[1n, 2n]]), null, torch.ones([1, 2])), /per_sample_weights/, "nn.EmbeddingBag(10, 3)(torch.tensor([[1, 2]]), None, torch.ones(1, 2))"],
];

interface CaseRef {
  repr: string; init: [string, Encoded][]; out: Encoded; after: [string, Encoded][];
  cot?: Encoded; x_grads?: (Encoded | null)[]; param_grads?: [string, Encoded | null][];
}

const py = new ReferenceSession("nn_shape_dropout_embedding.py");
afterAll(() => py.close());
const names = Object.keys(CASES);
const seedOf = (i: number) => 1000 + 10 * i;
let refs: CaseRef[];
let rejects: (string | null)[];
beforeAll(async () => {
  refs = await py.request<CaseRef[]>({ cmd: "cases", cases: names.map((n, i) => ({ ...CASES[n], ts: undefined, seed: seedOf(i) })) });
  rejects = await py.request<(string | null)[]>({ cmd: "rejects", exprs: REJECTS.flatMap(([, , , e]) => (e === null ? [] : [e])) });
}, 60_000);

function run(name: string, i: number): void {
  const c = CASES[name]!;
  const want = refs[i]!;
  const f64 = c.dtype === "float64";
  const tensors = Object.fromEntries(Object.entries(c.tensors ?? {}).map(([k, s]) => [k, fromSpec(s)]));
  torch.manualSeed(seedOf(i));
  const m = c.ts(tensors);
  expect(String(m), "repr").toBe(want.repr);
  const sd = [...m.stateDict().entries()];
  expect(sd.map(([k]) => k), "state_dict keys").toEqual(want.init.map(([k]) => k));
  sd.forEach(([k, v], j) => expectExact(v, want.init[j]![1], `initial ${k}`));
  if (f64) m.to("float64");
  m.train(c.train ?? true);
  const grad = c.grad ?? true;
  const xs = c.inputs.map((s) => {
    const t = fromSpec(s);
    return s.dtype === "float32" ? (f64 ? t.to("float64") : t).requiresGrad_(grad) : t;
  });
  const args = xs.map((x, k) => (c.clone && c.inputs[k]!.dtype === "float32" ? x.clone() : x));
  torch.manualSeed(seedOf(i) + 1);
  const out = m.call(...args) as torch.Tensor;
  const tol = f64 ? 1e-12 : 1e-5;
  if (c.exact) expectExact(out, want.out, "output");
  else expectClose(out, want.out, "output", tol);
  if (want.cot !== undefined) {
    out.backward(fromEncoded(want.cot));
    xs.forEach((x, k) => {
      const g = want.x_grads![k];
      if (g === null || g === undefined) return;
      expectClose(x.grad, g, `input ${k} grad`, tol);
    });
    const params = [...m.namedParameters()];
    expect(params.map(([k]) => k)).toEqual(want.param_grads!.map(([k]) => k));
    params.forEach(([k, p], j) => {
      const g = want.param_grads![j]![1];
      if (g === null) expect(p.grad ?? null, `${k}.grad`).toBeNull();
      else expectClose(c.sparse ? p.grad!.toDense() : p.grad, g, `${k}.grad`, tol);
    });
  } else {
    expect(grad && out.requiresGrad, "Python's output needs no backward, so neither does ours").toBe(false);
  }
  const after = [...m.stateDict().entries()];
  after.forEach(([k, v], j) => expectClose(v, want.after[j]![1], `${k} after the forward`, tol));
}

describe("modules equal PyTorch's: repr, seeded init, forward, gradients", () => {
  names.forEach((name, i) => it(name, () => run(name, i)));
});

describe("bad arguments are refused, naming the function and the argument", () => {
  let k = 0;
  for (const [name, call, pattern, pyExpr] of REJECTS) {
    const index = pyExpr === null ? -1 : k++;
    it(name, () => {
      let err: unknown;
      try {
        call();
      } catch (e) {
        err = e;
      }
      expect(err, "throws").toBeInstanceOf(Error);
      expect(err instanceof TypeError || err instanceof torch.TorchError, `${String(err)} is a TypeError or TorchError`).toBe(true);
      expect((err as Error).message).toMatch(pattern);
      if (index >= 0) expect(rejects[index], `Python refuses ${pyExpr}`).not.toBeNull();
    });
  }
});

describe("the calling rule: positional in Python's order or one options object", () => {
  const same: [string, () => Module, () => Module][] = [
    ["Dropout", () => new nn.Dropout(0.3, true), () => new nn.Dropout({ p: 0.3, inplace: true })],
    ["FeatureAlphaDropout", () => new nn.FeatureAlphaDropout(0.1), () => new nn.FeatureAlphaDropout({ p: 0.1 })],
    ["Upsample", () => new nn.Upsample(null, 2, "bilinear", true), () => new nn.Upsample({ scaleFactor: 2, mode: "bilinear", alignCorners: true })],
    ["UpsamplingBilinear2d", () => new nn.UpsamplingBilinear2d([3, 4]), () => new nn.UpsamplingBilinear2d({ size: [3, 4] })],
    ["Fold", () => new nn.Fold(4, 2, 1, 0, 2), () => new nn.Fold(4, 2, { stride: 2 })],
    ["Unfold", () => new nn.Unfold(3, 2, 1), () => new nn.Unfold(3, { dilation: 2, padding: 1 })],
    ["Embedding", () => new nn.Embedding(10, 3, 2, 1.5, 1, true), () => new nn.Embedding(10, 3, { paddingIdx: 2, maxNorm: 1.5, normType: 1, scaleGradByFreq: true })],
    ["EmbeddingBag", () => new nn.EmbeddingBag(10, 3, null, 3, false, "max"), () => new nn.EmbeddingBag(10, 3, { normType: 3, mode: "max" })],
  ];
  for (const [name, a, b] of same) it(`${name}: both forms build the same module`, () => expect(String(a())).toBe(String(b())));

  it("EmbeddingBag.forward takes offsets and perSampleWeights positionally or as options", () => {
    const m = new nn.EmbeddingBag(6, 3, { mode: "sum" });
    const [x, offsets, w] = [torch.tensor([1n, 4n, 2n, 5n]), torch.tensor([0n, 1n]), torch.tensor([0.5, 2, -1, 3])];
    expect(valuesOf(m.call(x, { offsets, perSampleWeights: w }))).toEqual(valuesOf(m.call(x, offsets, w)));
    expect(valuesOf(m.call(x, offsets, { perSampleWeights: w }))).toEqual(valuesOf(m.call(x, offsets, w)));
  });

  it("F.channelShuffle is ChannelShuffle's functional twin", () => {
    const x = torch.arange(12, { dtype: "float32" }).reshape([1, 6, 2]);
    expect(valuesOf(torch.nn.functional.channelShuffle(x, 3))).toEqual(valuesOf(new nn.ChannelShuffle(3).call(x)));
    expect(valuesOf(torch.nn.functional.nativeChannelShuffle(x, 3))).toEqual(valuesOf(new nn.ChannelShuffle(3).call(x)));
    expect(() => torch.nn.functional.channelShuffle(x, "3" as never)).toThrow(/nn\.functional\.channelShuffle: expected groups/);
  });

  it("Embedding(sparse=true): SGD with momentum steps on the sparse gradient as PyTorch's", async () => {
    const batches = [ix([1, 2, 2, 7]), ix([7, 0, 1]), ix([3, 3, 3, 9, 1])];
    const want = await py.request<Encoded>({ cmd: "sparse_sgd", seed: 5, batches });
    torch.manualSeed(5);
    const m = new nn.Embedding(10, 3, { sparse: true });
    const opt = new torch.optim.SGD([...m.parameters()], { lr: 0.1, momentum: 0.9 });
    for (const b of batches) {
      opt.zeroGrad();
      m.call(fromSpec(b)).pow(2).sum().backward();
      opt.step();
    }
    expectClose(m.weight, want, "weight after 3 steps");
  });

  it("Embedding.fromPretrained shares the tensor and freezes it by default", () => {
    const w = torch.randn([4, 2]);
    const frozen = nn.Embedding.fromPretrained(w);
    expect(frozen.weight.requiresGrad).toBe(false);
    expect(nn.Embedding.fromPretrained(w, false).weight.requiresGrad).toBe(true);
    torch.noGrad(() => w.fill_(2));
    expect(valuesOf(frozen.weight)).toEqual(Array(8).fill(2));
    expect(nn.EmbeddingBag.fromPretrained(torch.zeros([3, 5])).weight.requiresGrad).toBe(false);
  });

  it("in-place dropout returns its input, written in place", () => {
    const x = torch.ones([4, 4]);
    torch.manualSeed(3);
    const y = new nn.Dropout(0.5, true).call(x);
    expect(y).toBe(x);
    expect(valuesOf(x).every((v) => v === 0 || v === 2)).toBe(true);
  });

  it("eval and train switch every dropout module", () => {
    const x = torch.ones([2, 3, 2, 2]);
    for (const m of [new nn.Dropout(), new nn.Dropout1d(), new nn.Dropout2d(), new nn.Dropout3d(), new nn.AlphaDropout(), new nn.FeatureAlphaDropout()]) {
      const input = m instanceof nn.Dropout1d ? x.flatten(2) : m instanceof nn.Dropout3d ? x.unsqueeze(2) : x;
      m.eval();
      expect(valuesOf(m.call(input)), `${m.constructor.name} in eval`).toEqual(valuesOf(input));
      m.train();
      expect(valuesOf(m.call(input)), `${m.constructor.name} in training`).not.toEqual(valuesOf(input));
    }
  });
});

it("forwards and backwards free every temporary", () => {
  const mods: [Module, () => torch.Tensor[]][] = [
    [new nn.ReflectionPad2d(1), () => [torch.rand([1, 2, 3, 3], { requiresGrad: true })]],
    [new nn.Upsample({ scaleFactor: 2, mode: "bilinear" }), () => [torch.rand([1, 2, 3, 3], { requiresGrad: true })]],
    [new nn.Dropout2d(0.5), () => [torch.rand([2, 3, 2, 2], { requiresGrad: true })]],
    [new nn.Embedding(10, 3, { maxNorm: 1, paddingIdx: 0 }), () => [torch.tensor([[1n, 0n, 4n]])]],
    [new nn.EmbeddingBag(10, 3, { mode: "sum" }), () => [torch.tensor([1n, 0n, 4n]), torch.tensor([0n, 2n]), torch.rand([3], { requiresGrad: true })]],
    [new nn.Fold(4, 2), () => [torch.rand([1, 4, 9], { requiresGrad: true })]],
  ];
  for (const [m, inputs] of mods) {
    torch.tidy(() => (m.call(...inputs()) as torch.Tensor).sum().backward()); // warm up: parameters get their .grad
    const before = torch.liveTensors();
    for (let k = 0; k < 3; k++) torch.tidy(() => (m.call(...inputs()) as torch.Tensor).sum().backward());
    expect(torch.liveTensors(), m.constructor.name).toBe(before);
  }
});
