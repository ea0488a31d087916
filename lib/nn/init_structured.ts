// torch.nn.init's structured initialisers: eye_, dirac_, orthogonal_, sparse_ (re-exported by
// init.ts). orthogonal_ and sparse_ draw what Python draws in the same order (one normal_, then
// a QR; one normal_, then a randperm per column), so seeded results are Python's.
import { native } from "../binding.js";
import { noGrad } from "../autograd.js";
import { tidy } from "../memory.js";
import { empty } from "../tensor/creation.js";
import { handleOf, type Tensor } from "../tensor/index.js";
import { eye, linalg, randperm } from "../tensor/ops.generated.js";
import { TorchError } from "../errors.js";
import { checkInt, checkNumber } from "../validate.js";
import { bindArgs, type PyArgs } from "../tensor/python_args.js";
import { tensorArg } from "./init.js";

/** Python: `nn.init.eye_(tensor)`: the identity on a 2-D tensor. */
export function eye_(tensor: Tensor): Tensor {
  const fn = "nn.init.eye_";
  if (tensorArg(fn, tensor).ndim !== 2) throw new TorchError(`${fn}: Only tensors with 2 dimensions are supported`);
  tidy(() => noGrad(() => tensor.copy_(eye(tensor.shape[0]!, tensor.shape[1]!, { dtype: tensor.dtype, device: tensor.device }))));
  return tensor;
}

/**
 * Python: `nn.init.dirac_(tensor, groups=1)`: a 3/4/5-D convolution weight that passes its
 * input channels through (per group), a 1 at each kernel's centre.
 */
export function dirac_(tensor: Tensor, ...args: PyArgs<[groups: number], { groups: number }>): Tensor {
  const fn = "nn.init.dirac_";
  const o = bindArgs(fn, ["groups"], args, 0, ["tensor"]);
  const groups = o.groups === undefined ? 1 : checkInt(fn, "groups", o.groups);
  const dims = tensorArg(fn, tensor).ndim;
  if (dims < 3 || dims > 5) throw new TorchError(`${fn}: Only tensors with 3, 4, or 5 dimensions are supported`);
  const sizes = tensor.shape;
  if (groups <= 0 || sizes[0]! % groups !== 0) throw new TorchError(`${fn}: dim 0 must be divisible by groups`);
  const perGroup = sizes[0]! / groups;
  const centre = sizes.slice(2).map((s) => Math.floor(s / 2));
  tidy(() => noGrad(() => {
    tensor.zero_();
    for (let g = 0; g < groups; g++) {
      for (let d = 0; d < Math.min(perGroup, sizes[1]!); d++) {
        let at = tensor.select(0, g * perGroup + d).select(0, d);
        for (const c of centre) at = at.select(0, c);
        at.fill_(1);
      }
    }
  }));
  return tensor;
}

/**
 * Python: `nn.init.orthogonal_(tensor, gain=1)`: a (semi-)orthogonal matrix from the QR of a
 * normal draw, signs fixed by R's diagonal; trailing dimensions are flattened.
 */
export function orthogonal_(tensor: Tensor, ...args: PyArgs<[gain: number], { gain: number }>): Tensor {
  const fn = "nn.init.orthogonal_";
  const o = bindArgs(fn, ["gain"], args, 0, ["tensor"]);
  const gain = o.gain === undefined ? 1 : checkNumber(fn, "gain", o.gain);
  if (tensorArg(fn, tensor).ndim < 2) throw new TorchError(`${fn}: Only tensors with 2 or more dimensions are supported`);
  if (tensor.numel() === 0) return tensor;
  const rows = tensor.shape[0]!;
  const cols = tensor.numel() / rows;
  tidy(() => noGrad(() => {
    let flat = empty([rows, cols], { dtype: tensor.dtype, device: tensor.device });
    native.normal_(handleOf(flat), 0, 1);
    if (rows < cols) flat = flat.t();
    const [q0, r] = linalg.qr(flat);
    let q = q0.mul(r.diag(0).sign());
    if (rows < cols) q = q.t();
    tensor.view(q.shape).copy_(q);
    tensor.mul_(gain);
  }));
  return tensor;
}

/**
 * Python: `nn.init.sparse_(tensor, sparsity, std=0.01)`: a normal draw with
 * ⌈sparsity·rows⌉ entries of each column zeroed, rows picked by one randperm per column.
 */
export function sparse_(tensor: Tensor, ...args: PyArgs<[sparsity: number, std: number], { sparsity: number; std: number }>): Tensor {
  const fn = "nn.init.sparse_";
  const o = bindArgs(fn, ["sparsity", "std"], args, 1, ["tensor"]);
  const sparsity = checkNumber(fn, "sparsity", o.sparsity);
  const std = o.std === undefined ? 0.01 : checkNumber(fn, "std", o.std);
  if (tensorArg(fn, tensor).ndim !== 2) throw new TorchError(`${fn}: Only tensors with 2 dimensions are supported`);
  const [rows, cols] = tensor.shape as [number, number];
  const numZeros = Math.ceil(sparsity * rows);
  // Python's row_indices[:num_zeros], a negative count included.
  const keep = numZeros < 0 ? Math.max(0, rows + numZeros) : Math.min(numZeros, rows);
  tidy(() => noGrad(() => {
    native.normal_(handleOf(tensor), 0, std);
    for (let c = 0; c < cols; c++) {
      const zeroRows = randperm(rows).narrow(0, 0, keep);
      tensor.select(1, c).indexFill_(0, zeroRows, 0);
    }
  }));
  return tensor;
}
