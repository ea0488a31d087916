// torch.nn.utils.parameters_to_vector / vector_to_parameters (torch/nn/utils/
// convert_parameters.py): all parameters as one flat vector, and back.
import { native } from "../binding.js";
import { tidy } from "../memory.js";
import { cat } from "../tensor/functions.js";
import { handleOf, Tensor } from "../tensor/index.js";
import { argError } from "../validate.js";
import { tensorList } from "./utils_clip_grad.js";

/** Python's `_check_param_device`: every parameter on one device. */
function checkDevices(fn: string, params: Tensor[]): void {
  const first = params[0]?.device;
  if (params.some((p) => p.device !== first)) throw new TypeError(`${fn}: Found two parameters on different devices, this is currently not supported.`);
}

/**
 * Python: `nn.utils.parameters_to_vector(parameters)`: the parameters flattened and
 * concatenated in order (differentiable: a new tensor, the caller owns it).
 */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  const fn = "nn.utils.parametersToVector";
  const params = tensorList(fn, parameters);
  checkDevices(fn, params);
  if (params.length === 0) throw new TypeError(`${fn}: expected a non-empty list of Tensors (torch.cat of none)`);
  return tidy(() => cat(params.map((p) => p.view(-1))));
}

/**
 * Python: `nn.utils.vector_to_parameters(vec, parameters)`: each parameter's data becomes the
 * next slice of `vec` (as Python's `param.data = …`, the parameters then view vec's storage).
 */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  const fn = "nn.utils.vectorToParameters";
  if (!(vec instanceof Tensor)) throw argError(fn, "vec", "a Tensor", vec);
  const params = tensorList(fn, parameters);
  checkDevices(fn, params);
  let pointer = 0;
  tidy(() => {
    for (const p of params) {
      const n = p.numel();
      const slice = vec.detach().narrow(0, pointer, n).view(p.shape);
      native.setData(handleOf(p), handleOf(slice));
      pointer += n;
    }
  });
}
