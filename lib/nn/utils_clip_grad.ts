// torch.nn.utils.clip_grad_norm_ / clip_grad_value_ (torch/nn/utils/clip_grad.py): rescale or
// clamp the gradients of parameters in place, the same tensor ops in the same order as Python.
import { noGrad } from "../autograd.js";
import { TorchError } from "../errors.js";
import { tidy } from "../memory.js";
import { tensor as makeTensor } from "../tensor/creation.js";
import { stack } from "../tensor/functions.js";
import { norm } from "../tensor/linalg_python.js";
import { Tensor } from "../tensor/index.js";
import { argError, checkBool, checkNumber } from "../validate.js";
import { bindArgs, type PyArgs } from "../tensor/python_args.js";

/** Python's `_tensor_or_tensors`: one tensor, or any iterable of them (e.g. model.parameters()). */
export type TensorOrTensors = Tensor | Iterable<Tensor>;

/** Internal: the parameters argument as an array, each checked to be a Tensor. */
export function tensorList(fn: string, parameters: unknown): Tensor[] {
  if (parameters instanceof Tensor) return [parameters];
  if (parameters === null || typeof parameters !== "object" || !(Symbol.iterator in parameters)) {
    throw argError(fn, "parameters", "a Tensor or an iterable of Tensors", parameters);
  }
  const list = [...(parameters as Iterable<unknown>)];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw argError(fn, `parameters[${i}]`, "a Tensor", p);
  });
  return list as Tensor[];
}

/**
 * Python: `nn.utils.clip_grad_norm_(parameters, max_norm, norm_type=2.0,
 * error_if_nonfinite=False)`: scales every gradient by max_norm / (total_norm + 1e-6) when that
 * is below 1, the total norm being over all gradients together (normType may be Infinity).
 * Returns the total norm (a 0-dim tensor; the caller owns it).
 */
export function clipGradNorm_(parameters: TensorOrTensors, ...args: PyArgs<[maxNorm: number, normType: number, errorIfNonfinite: boolean], { maxNorm: number; normType: number; errorIfNonfinite: boolean }>): Tensor {
  const fn = "nn.utils.clipGradNorm_";
  const o = bindArgs(fn, ["maxNorm", "normType", "errorIfNonfinite"], args, 1, ["parameters"]);
  const params = tensorList(fn, parameters);
  const maxNorm = checkNumber(fn, "maxNorm", o.maxNorm);
  const normType = o.normType === undefined ? 2 : checkNumber(fn, "normType", o.normType);
  const errorIfNonfinite = o.errorIfNonfinite === undefined ? false : checkBool(fn, "errorIfNonfinite", o.errorIfNonfinite);
  return tidy(() => {
    const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
    if (grads.length === 0) return makeTensor(0);
    const device = grads[0]!.device;
    let total: Tensor;
    if (normType === Infinity) {
      const norms = grads.map((g) => g.detach().abs().max().to(device));
      total = norms.length === 1 ? norms[0]! : stack(norms).max();
    } else {
      total = norm(stack(grads.map((g) => norm(g.detach(), normType).to(device))), normType);
    }
    if (errorIfNonfinite && !Number.isFinite(Number(total.item()))) {
      throw new TorchError(`${fn}: The total norm of order ${pyNumber(normType)} for gradients from \`parameters\` is non-finite, so it cannot be clipped. ` +
        "To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`");
    }
    const coef = total.add(1e-6).reciprocal().mul(maxNorm).clampMax(1);
    noGrad(() => {
      for (const g of grads) g.detach().mul_(coef.to(g.device));
    });
    return total;
  });
}

/** Python's f-string of a float: 2.0, inf. */
function pyNumber(x: number): string {
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

/** Python: `nn.utils.clip_grad_value_(parameters, clip_value)`: clamps every gradient to [-clipValue, clipValue] in place. */
export function clipGradValue_(parameters: TensorOrTensors, ...args: PyArgs<[clipValue: number], { clipValue: number }>): void {
  const fn = "nn.utils.clipGradValue_";
  const o = bindArgs(fn, ["clipValue"], args, 1, ["parameters"]);
  const params = tensorList(fn, parameters);
  const clip = checkNumber(fn, "clipValue", o.clipValue);
  tidy(() => noGrad(() => {
    for (const p of params) {
      const g = p.grad;
      if (g !== null) g.detach().clamp_(-clip, clip);
    }
  }));
}
