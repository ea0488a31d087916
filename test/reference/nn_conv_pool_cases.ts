// The configurations test/nn_conv_pool.test.ts builds in torch-ts and, from the same table,
// test/reference/nn_conv_pool.py builds in PyTorch: each option that changes a path, float32
// and float64, positional and options forms of the calling rule.
import { floatSpec, prng, type Spec } from "./nn_common.js";

export type DT = "float32" | "float64";
/** One module configuration: Python's `getattr(nn, cls)(*args, **snake_case(kw))` on input x. */
export interface ModCase {
  cls: string;
  args: unknown[];
  kw: Record<string, unknown>;
  dtype: DT;
  x: Spec;
  seed: number;
  /** FractionalMaxPool's `_random_samples` (randomSamples here). */
  samples?: Spec;
  /** forward's keyword arguments (ConvTranspose's outputSize, MaxUnpool's outputSize). */
  forward_kw?: Record<string, unknown>;
  /** The same forward argument passed positionally on the TS side. */
  forward_positional?: boolean;
  /** MaxUnpool: the args of the MaxPool (returnIndices) whose output it takes. */
  unpool?: unknown[];
}

const rnd = prng(1717);
let seed = 500;
const CASES: Record<string, ModCase> = {};

function add(cls: string, shape: number[], args: unknown[], kw: Record<string, unknown> = {}, more: Partial<ModCase> & { lo?: number } = {}): void {
  const { lo, ...rest } = more;
  for (const dtype of (more.dtype ? [more.dtype] : ["float32"]) as DT[]) {
    const c: ModCase = { cls, args, kw, dtype, x: floatSpec(rnd, shape, lo ?? -1, 1), seed: (seed += 2), ...rest };
    const label = [...args.map((a) => JSON.stringify(a)), ...(Object.keys(kw).length > 0 ? [JSON.stringify(kw)] : [])].join(", ");
    const fwd = more.forward_kw ? ` forward ${JSON.stringify(more.forward_kw)}${more.forward_positional ? " positionally" : ""}` : "";
    let name = `${cls}(${label})${fwd} on [${shape.join(", ")}] ${dtype}`;
    while (CASES[name] !== undefined) name += "'";
    CASES[name] = c;
  }
}
const f64 = { dtype: "float64" as const };

// ---- convolutions ----
add("Conv1d", [2, 3, 10], [3, 4, 3]);
add("Conv1d", [2, 3, 10], [3, 4, 3], {}, f64);
add("Conv1d", [2, 3, 11], [3, 4, 3, 2, 1]);
add("Conv1d", [2, 4, 10], [4, 6, 3], { padding: "same", dilation: 2, groups: 2 });
add("Conv1d", [2, 3, 10], [3, 2, 4], { padding: "same", paddingMode: "reflect" });
add("Conv1d", [2, 3, 10], [3, 2, 3], { padding: 2, paddingMode: "circular", bias: false });
add("Conv1d", [3, 9], [3, 2, 3], { padding: "valid", paddingMode: "replicate" });
add("Conv2d", [2, 2, 7, 6], [2, 4, 3]);
add("Conv2d", [2, 2, 7, 6], [2, 4, 3], {}, f64);
add("Conv2d", [2, 2, 7, 6], [2, 4, 3, 1]);
add("Conv2d", [2, 2, 7, 6], [2, 4, 3, 2, 1, 1, 2, false]);
add("Conv2d", [2, 2, 9, 8], [2, 3, [3, 2]], { stride: [2, 1], padding: [1, 0], dilation: [1, 2] });
add("Conv2d", [1, 2, 7, 6], [2, 4, 4], { padding: "same" });
add("Conv2d", [1, 2, 7, 6], [2, 4, 3], { padding: "valid", bias: false });
add("Conv2d", [1, 2, 7, 6], [2, 2, [2, 3]], { padding: "same", paddingMode: "circular" });
add("Conv2d", [1, 2, 7, 6], [2, 2, 3], { padding: [1, 2], paddingMode: "reflect" }, f64);
add("Conv2d", [2, 6, 6], [2, 3, 3], { stride: 2, padding: 1, paddingMode: "replicate" });
add("Conv3d", [2, 2, 5, 6, 4], [2, 3, 3]);
add("Conv3d", [2, 2, 5, 6, 4], [2, 3, 3], {}, f64);
add("Conv3d", [1, 4, 5, 6, 5], [4, 2, [3, 2, 3], [2, 1, 1], [1, 0, 1], 1, 2]);
add("Conv3d", [1, 2, 5, 4, 4], [2, 2, 2], { padding: "same", paddingMode: "replicate" });
add("ConvTranspose1d", [2, 3, 6], [3, 4, 3]);
add("ConvTranspose1d", [2, 3, 6], [3, 4, 3], {}, f64);
add("ConvTranspose1d", [2, 4, 6], [4, 2, 3, 2, 1, 1, 2, false, 2]);
add("ConvTranspose1d", [2, 3, 6], [3, 2, 3], { stride: 3 }, { forward_kw: { outputSize: [19] } });
add("ConvTranspose2d", [2, 2, 4, 5], [2, 3, 3]);
add("ConvTranspose2d", [2, 2, 4, 5], [2, 3, 3], {}, f64);
add("ConvTranspose2d", [2, 2, 4, 5], [2, 4, [3, 2]], { stride: [2, 1], padding: [1, 0], outputPadding: [1, 0], groups: 2, dilation: [1, 2] });
add("ConvTranspose2d", [2, 2, 4, 4], [2, 3, 3, 2, 1], {}, { forward_kw: { outputSize: [2, 3, 8, 8] } });
add("ConvTranspose2d", [2, 4, 4], [2, 3, 3, 2], {}, { forward_kw: { outputSize: [10, 9] }, forward_positional: true });
add("ConvTranspose3d", [1, 2, 3, 4, 3], [2, 3, 3]);
add("ConvTranspose3d", [1, 2, 3, 4, 3], [2, 3, 3], {}, f64);
add("ConvTranspose3d", [1, 2, 3, 3, 3], [2, 2, 2], { stride: 2, bias: false }, { forward_kw: { outputSize: [7, 6, 7] } });

// ---- pooling ----
add("MaxPool1d", [2, 3, 10], [3]);
add("MaxPool1d", [2, 3, 11], [3, 2, 1, 2, false, true], {}, f64);
add("MaxPool1d", [2, 3, 10], [2], { returnIndices: true });
add("MaxPool2d", [2, 2, 7, 6], [2]);
add("MaxPool2d", [2, 2, 9, 8], [[3, 2]], { stride: [2, 1], padding: [1, 0], dilation: 2, ceilMode: true });
add("MaxPool2d", [2, 7, 6], [2, null, 0, 1, true], {}, f64);
add("MaxPool3d", [1, 2, 5, 6, 4], [2]);
add("MaxPool3d", [1, 2, 7, 6, 5], [3, 2, 1], { ceilMode: true, returnIndices: true }, f64);
add("MaxUnpool1d", [2, 3, 10], [2], {}, { unpool: [2] });
add("MaxUnpool1d", [2, 3, 11], [3, 2, 1], {}, { unpool: [3, 2, 1], forward_kw: { outputSize: [12] }, ...f64 });
add("MaxUnpool2d", [2, 2, 6, 6], [2], {}, { unpool: [2] });
add("MaxUnpool2d", [2, 2, 7, 6], [[3, 2], [2, 1], [1, 0]], {}, { unpool: [[3, 2], [2, 1], [1, 0]], forward_kw: { outputSize: [2, 2, 8, 6] }, forward_positional: true });
add("MaxUnpool3d", [1, 2, 4, 4, 6], [2], {}, { unpool: [2], ...f64 });
add("MaxUnpool3d", [1, 2, 5, 5, 5], [3, 2, 1], {}, { unpool: [3, 2, 1] });
add("AvgPool1d", [2, 3, 10], [3]);
add("AvgPool1d", [2, 3, 11], [3, 2, 1, true, false], {}, f64);
add("AvgPool2d", [2, 2, 7, 6], [2]);
add("AvgPool2d", [2, 2, 9, 8], [[3, 2]], { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }, f64);
add("AvgPool2d", [2, 7, 6], [3, 2, 1, false, true, 5]);
add("AvgPool3d", [1, 2, 5, 6, 4], [2]);
add("AvgPool3d", [1, 2, 7, 6, 5], [3], { stride: [2, 1, 2], padding: 1, ceilMode: true, divisorOverride: 4 }, f64);
add("AvgPool3d", [1, 2, 7, 6, 5], [3, 2, 1, false, false]);
add("FractionalMaxPool2d", [2, 3, 9, 8], [2], { outputSize: [4, 3] }, { samples: floatSpec(rnd, [2, 3, 2], 0, 1) });
add("FractionalMaxPool2d", [2, 3, 9, 8], [[3, 2]], { outputRatio: 0.5 });
add("FractionalMaxPool2d", [3, 9, 8], [2, null, [0.5, 0.7], true], {}, f64);
add("FractionalMaxPool3d", [1, 2, 7, 6, 8], [2], { outputSize: [3, 4, 2] }, { samples: floatSpec(rnd, [1, 2, 3], 0, 1) });
add("FractionalMaxPool3d", [1, 2, 7, 6, 8], [2], { outputRatio: [0.5, 0.6, 0.7], returnIndices: true }, f64);
add("LPPool1d", [2, 3, 10], [2, 3], {}, { lo: 0.1 });
add("LPPool1d", [2, 3, 11], [1.5, 2, 3, true], {}, { lo: 0.1, ...f64 });
add("LPPool2d", [2, 2, 7, 6], [2, 2], {}, { lo: 0.1 });
add("LPPool2d", [2, 2, 9, 8], [3, [2, 3]], { stride: [1, 2], ceilMode: true }, { lo: 0.1, ...f64 });
add("AdaptiveMaxPool1d", [2, 3, 10], [3]);
add("AdaptiveMaxPool1d", [2, 3, 10], [4, true], {}, f64);
add("AdaptiveMaxPool2d", [2, 2, 7, 6], [[3, null]]);
add("AdaptiveMaxPool2d", [2, 7, 6], [2], { returnIndices: true }, f64);
add("AdaptiveMaxPool3d", [1, 2, 5, 6, 4], [[2, null, 3], true]);
add("AdaptiveAvgPool1d", [2, 3, 10], [4]);
add("AdaptiveAvgPool2d", [2, 2, 7, 6], [[3, null]]);
add("AdaptiveAvgPool2d", [2, 2, 7, 6], [1], {}, f64);
add("AdaptiveAvgPool3d", [1, 2, 5, 6, 4], [[2, null, 3]], {}, f64);

export const MODULE_CASES = CASES;

/** Configurations PyTorch refuses too: the torch-ts message is `nn.<cls>: ` + Python's. */
export const SAME_ERRORS: Record<string, ModCase> = {
  'Conv2d padding "same" with stride 2': { cls: "Conv2d", args: [2, 2, 3], kw: { padding: "same", stride: 2 }, dtype: "float32", x: floatSpec(rnd, [1, 2, 5, 5]), seed: 1 },
  'ConvTranspose2d paddingMode "reflect"': { cls: "ConvTranspose2d", args: [2, 2, 3], kw: { paddingMode: "reflect" }, dtype: "float32", x: floatSpec(rnd, [1, 2, 5, 5]), seed: 1 },
  "ConvTranspose2d outputSize out of range": {
    cls: "ConvTranspose2d", args: [2, 2, 3, 2], kw: {}, dtype: "float32", x: floatSpec(rnd, [1, 2, 4, 4]), seed: 1, forward_kw: { outputSize: [12, 9] },
  },
  "ConvTranspose1d outputSize of the wrong length": {
    cls: "ConvTranspose1d", args: [2, 2, 3], kw: {}, dtype: "float32", x: floatSpec(rnd, [1, 2, 4]), seed: 1, forward_kw: { outputSize: [1, 6] },
  },
  "FractionalMaxPool2d with neither outputSize nor outputRatio": { cls: "FractionalMaxPool2d", args: [2], kw: {}, dtype: "float32", x: floatSpec(rnd, [1, 2, 5, 5]), seed: 1 },
  "FractionalMaxPool3d with both": { cls: "FractionalMaxPool3d", args: [2, 2, 0.5], kw: {}, dtype: "float32", x: floatSpec(rnd, [1, 2, 5, 5, 5]), seed: 1 },
};

/** A torch.nn.functional call: Python's `F.<fn>(*args, **snake_case(kw))`; a tensor argument is {spec}. */
export interface FnCase { fn: string; args: unknown[]; kw: Record<string, unknown> }
const t = (...shape: number[]) => ({ spec: floatSpec(rnd, shape) });
const u = (...shape: number[]) => ({ spec: floatSpec(rnd, shape, 0.1, 1) });
export const FUNCTIONAL_CASES: Record<string, FnCase> = {
  "conv1d, padding 'same', dilation 2": { fn: "conv1d", args: [t(2, 3, 9), t(4, 3, 3), t(4), 1, "same", 2], kw: {} },
  "conv3d, stride 2, padding 1": { fn: "conv3d", args: [t(1, 2, 5, 5, 4), t(3, 2, 3, 3, 3)], kw: { stride: 2, padding: 1 } },
  "conv_transpose1d, positional (stride, padding, output_padding, groups, dilation)": { fn: "conv_transpose1d", args: [t(2, 4, 5), t(4, 1, 3), t(2), 2, 1, 1, 2, 2], kw: {} },
  "conv_transpose2d, options": { fn: "conv_transpose2d", args: [t(1, 2, 4, 5), t(2, 3, 3, 2)], kw: { stride: [2, 1], padding: 1, outputPadding: [1, 0] } },
  "conv_transpose3d": { fn: "conv_transpose3d", args: [t(1, 2, 3, 3, 2), t(2, 2, 2, 2, 2), null, 2], kw: {} },
  "lp_pool1d": { fn: "lp_pool1d", args: [u(2, 3, 10), 2, 3, 2], kw: {} },
  "lp_pool2d, ceil_mode": { fn: "lp_pool2d", args: [u(2, 2, 7, 8), 1.5, [2, 3]], kw: { ceilMode: true } },
  "avg_pool1d, positional": { fn: "avg_pool1d", args: [t(2, 3, 11), 3, 2, 1, true, false], kw: {} },
  "avg_pool3d, divisor_override": { fn: "avg_pool3d", args: [t(1, 2, 6, 5, 4), 3, 2, 1, true, false, 4], kw: {} },
  "max_pool3d, return_indices": { fn: "max_pool3d", args: [t(1, 2, 7, 6, 5), 3, 2, 1, 1, true], kw: { returnIndices: true } },
  "adaptive_max_pool1d, return_indices positional": { fn: "adaptive_max_pool1d", args: [t(2, 3, 10), 3, true], kw: {} },
  "adaptive_max_pool3d, null size": { fn: "adaptive_max_pool3d", args: [t(1, 2, 5, 6, 4), [2, null, 3]], kw: { returnIndices: true } },
  "adaptive_avg_pool3d": { fn: "adaptive_avg_pool3d", args: [t(1, 2, 5, 6, 4), [2, null, 3]], kw: {} },
  "fractional_max_pool2d, samples": { fn: "fractional_max_pool2d", args: [t(2, 3, 9, 8), 2], kw: { outputSize: [4, 3], returnIndices: true, randomSamples: u(2, 3, 2) } },
};
