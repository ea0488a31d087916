// torch.masked's normalizations, cumulative ops and logaddexp (PyTorch 1.13,
// torch/masked/_ops.py), for strided tensors: the output keeps the input's shape, masked-out
// elements enter as the identity of the underlying reduction (-inf for softmax, so they get
// probability 0; 0 for cumsum, 1 for cumprod). Called by the calling rule:
// `masked.softmax(x, 1, { mask })`, `masked.normalize(x, 2, 0, { eps, mask })`.
import type { DType } from "../dtype.js";
import type { Tensor } from "../tensor/index.js";
import * as ops from "../tensor/ops.generated.js";
import type { PyArgs } from "../nn/functional_util.js";
import { checkNumber } from "../validate.js";
import { bindMasked, canonicalDim, combine, dimArg, dtypeArg, input, maskArg, run } from "./common.js";
import { normOf } from "./reductions.js";

export interface NormalizationOptions {
  dim: number;
  dtype: DType | null;
  mask: Tensor | null;
}

/** A public `(input, dim, *, dtype=None, mask=None)`: `apply` runs on the filled input. */
function along(name: string, identity: string, apply: (x: Tensor, dim: number, dtype: DType) => Tensor) {
  const fn = `masked.${name}`;
  return (x: Tensor, ...args: PyArgs<[dim: number], NormalizationOptions>): Tensor => {
    const a = bindMasked(fn, ["dim"], ["dtype", "mask"], args, 1);
    const t = input(fn, x);
    const dim = dimArg(fn, a.dim);
    const dtype = dtypeArg(fn, a.dtype) ?? t.dtype;
    const mask = maskArg(fn, a.mask);
    return run(fn, () => apply(combine(fn, identity, t, mask), canonicalDim(dim, t.ndim)[0]!, dtype));
  };
}

/** Python: `torch.masked.cumsum(input, dim, *, dtype=None, mask=None)`: masked-out elements add 0. */
export const cumsum = along("cumsum", "sum", (x, dim, dtype) => ops.cumsum(x, dim, { dtype }).to(dtype));
/** Python: `torch.masked.cumprod(input, dim, *, dtype=None, mask=None)`: masked-out elements multiply by 1. */
export const cumprod = along("cumprod", "prod", (x, dim, dtype) => ops.cumprod(x, dim, { dtype }).to(dtype));
/** Python: `torch.masked.softmax(input, dim, *, dtype=None, mask=None)`: masked-out elements get 0 (NaN where all are). */
export const softmax = along("softmax", "amax", (x, dim, dtype) => ops.softmax(x, dim, dtype));
/** Python: `torch.masked.log_softmax(input, dim, *, dtype=None, mask=None)`: masked-out elements get -inf. */
export const logSoftmax = along("logSoftmax", "amax", (x, dim, dtype) => ops.logSoftmax(x, dim, dtype));
/** Python: `torch.masked.softmin(input, dim, *, dtype=None, mask=None)`: F.softmin of the input with masked-out elements at +inf. */
export const softmin = along("softmin", "amin", (x, dim, dtype) => ops.softmax(ops.neg(x), dim, dtype));

/**
 * Python: `torch.masked.normalize(input, ord, dim, *, eps=1e-12, dtype=None, mask=None)`: the
 * input over its masked norm along `dim` (at least `eps`); masked-out elements become 0.
 */
export function normalize(x: Tensor, ...args: PyArgs<[ord: number, dim: number], { ord: number; dim: number; eps: number; dtype: DType | null; mask: Tensor | null }>): Tensor {
  const fn = "masked.normalize";
  const a = bindMasked(fn, ["ord", "dim"], ["eps", "dtype", "mask"], args, 2);
  const t = input(fn, x);
  const ord = checkNumber(fn, "ord", a.ord);
  const dim = dimArg(fn, a.dim);
  const eps = a.eps === undefined ? 1e-12 : checkNumber(fn, "eps", a.eps);
  const dtype = dtypeArg(fn, a.dtype) ?? t.dtype;
  const mask = maskArg(fn, a.mask);
  return run(fn, () => {
    canonicalDim(dim, t.ndim); // checks the dim before anything is computed, as Python
    const filled = combine(fn, "sum", t, mask);
    const nrm = normOf(fn, t, ord, dim, true, dtype, mask);
    const denom = ops.maximum(nrm, ops.full([], eps, { dtype: nrm.dtype, device: nrm.device }));
    return ops.divide(filled, denom);
  });
}

/**
 * Python: `torch.masked.logaddexp(input, other, *, dtype=None, input_mask=None, other_mask=None)`:
 * masked-out elements of either operand enter as -inf (so the other operand passes through).
 */
export function logaddexp(x: Tensor, ...args: PyArgs<[other: Tensor], { other: Tensor; dtype: DType | null; inputMask: Tensor | null; otherMask: Tensor | null }>): Tensor {
  const fn = "masked.logaddexp";
  const a = bindMasked(fn, ["other"], ["dtype", "inputMask", "otherMask"], args, 1);
  const t = input(fn, x);
  const other = input(fn, a.other, "other");
  const dtype = dtypeArg(fn, a.dtype) ?? t.dtype;
  const inputMask = maskArg(fn, a.inputMask, "inputMask");
  const otherMask = maskArg(fn, a.otherMask, "otherMask");
  return run(fn, () => ops.logaddexp(combine(fn, "logsumexp", t, inputMask), combine(fn, "logsumexp", other, otherMask)).to(dtype));
}
