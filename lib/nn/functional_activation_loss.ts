// torch.nn.functional entries behind the activation and loss modules that functional.ts did
// not have yet: glu (Python code: it refuses 0-d input itself), and the deprecated F.sigmoid /
// F.tanh that Python still exports.
import { TorchError } from "../errors.js";
import type { Tensor } from "../tensor/index.js";
import * as nn from "./functional.generated.js";
import { bindArgs, int, tensor, type PyArgs } from "./functional_util.js";

/** Python: `F.glu(input, dim=-1)`. */
export function glu(input: Tensor, ...args: PyArgs<[dim: number], { dim: number }>): Tensor {
  const fn = "nn.functional.glu";
  const a = bindArgs(fn, ["dim"], args);
  const x = tensor(fn, input);
  if (x.ndim === 0) throw new TorchError("glu does not support scalars because halving size must be even");
  return nn.glu(x, int(fn, "dim", a.dim, -1));
}

/** Python: `F.sigmoid(input)` (deprecated there in favour of torch.sigmoid). */
export function sigmoid(input: Tensor): Tensor {
  return tensor("nn.functional.sigmoid", input).sigmoid();
}

/** Python: `F.tanh(input)` (deprecated there in favour of torch.tanh). */
export function tanh(input: Tensor): Tensor {
  return tensor("nn.functional.tanh", input).tanh();
}
