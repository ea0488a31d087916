// torch.nn.utils.spectral_norm / remove_spectral_norm (Miyato et al., arXiv:1802.05957), as
// torch/nn/utils/spectral_norm.py: the parameter `name` becomes `name_orig`, buffers `name_u` and
// `name_v` hold the power-iteration vectors, and a forward pre-hook sets `module[name] =
// name_orig / sigma` before every call(), iterating (in place, without grad) only in training.
// Not ported: the state-dict hooks that migrate version-0 checkpoints (written before PyTorch
// 1.1, with `weight` stored and no `weight_v`); such a file loads with a missing-key error.
import { noGrad } from "../autograd.js";
import { keep, tidy } from "../memory.js";
import { empty } from "../tensor/creation.js";
import { dot, mv } from "../tensor/ops.generated.js";
import { Tensor } from "../tensor/index.js";
import { argError, checkInt, checkNumber, checkPositiveInt } from "../validate.js";
import { normalize } from "./functional_python.js";
import { isParameter, Module, Parameter } from "./module.js";
import type { RemovableHandle } from "./module_hooks.js";

interface SpectralNorm {
  readonly name: string;
  readonly dim: number;
  readonly nPowerIterations: number;
  readonly eps: number;
  handle?: RemovableHandle;
}

const applied = new WeakMap<Module, Map<string, SpectralNorm>>();
const fields = (m: Module) => m as unknown as Record<string, unknown>;
const member = (m: Module, name: string): Tensor => {
  const t = m.getAttr(name);
  if (!(t instanceof Tensor)) throw new TypeError(`nn.utils.spectralNorm: ${m.constructor.name} has no tensor "${name}" any more`);
  return t;
};

/** Python's reshape_weight_to_matrix: `dim` first, the rest flattened. */
function weightMatrix(sn: SpectralNorm, weight: Tensor): Tensor {
  let w = weight;
  if (sn.dim !== 0) w = w.permute([sn.dim, ...Array.from({ length: w.ndim }, (_, d) => d).filter((d) => d !== sn.dim)]);
  return w.reshape([w.shape[0]!, -1]);
}

function computeWeight(module: Module, sn: SpectralNorm, powerIteration: boolean): Tensor {
  const weight = member(module, `${sn.name}_orig`);
  let u = member(module, `${sn.name}_u`);
  let v = member(module, `${sn.name}_v`);
  const mat = weightMatrix(sn, weight);
  if (powerIteration) {
    noGrad(() => {
      // Python writes through out= into the buffers; copy_ stores the same values in them.
      for (let i = 0; i < sn.nPowerIterations; i++) {
        v.copy_(normalize(mv(mat.t(), u), { dim: 0, eps: sn.eps }));
        u.copy_(normalize(mv(mat, v), { dim: 0, eps: sn.eps }));
      }
      // Clones (1-D, so contiguous), so that the next in-place update cannot touch what backward saved.
      u = u.clone();
      v = v.clone();
    });
  }
  const sigma = dot(u, mv(mat, v));
  return weight.div(sigma);
}

function setWeight(module: Module, name: string, weight: Tensor): void {
  const old = fields(module)[name];
  fields(module)[name] = keep(weight);
  if (old instanceof Tensor && old !== weight && !isParameter(old as unknown) && !old.isDisposed) old.dispose();
}

/**
 * Python: `torch.nn.utils.spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12,
 * dim=None)`; dim defaults to 1 for ConvTranspose modules, else 0. Returns the module.
 */
export function spectralNorm<M extends Module>(
  module: M,
  ...args: [name?: string, nPowerIterations?: number, eps?: number, dim?: number | null, options?: { name?: string; nPowerIterations?: number; eps?: number; dim?: number | null }]
    | [options: { name?: string; nPowerIterations?: number; eps?: number; dim?: number | null }]
): M {
  const fn = "nn.utils.spectralNorm";
  if (!(module instanceof Module)) throw argError(fn, "module", "an nn.Module", module);
  const last = args[args.length - 1];
  const opts = typeof last === "object" && last !== null ? (last as Record<string, unknown>) : {};
  const pos = typeof last === "object" && last !== null ? args.slice(0, -1) : args;
  const o = { name: pos[0], nPowerIterations: pos[1], eps: pos[2], dim: pos[3], ...opts } as Record<string, unknown>;
  const name = o.name === undefined ? "weight" : o.name;
  if (typeof name !== "string" || name === "") throw argError(fn, "name", "a parameter name", name);
  const nPowerIterations = o.nPowerIterations === undefined ? 1 : checkPositiveInt(fn, "nPowerIterations", o.nPowerIterations);
  const eps = o.eps === undefined ? 1e-12 : checkNumber(fn, "eps", o.eps);
  const transposed = module.constructor.name.startsWith("ConvTranspose");
  const dim = o.dim === undefined || o.dim === null ? (transposed ? 1 : 0) : checkInt(fn, "dim", o.dim);
  const table = applied.get(module) ?? new Map<string, SpectralNorm>();
  if (table.has(name)) throw new TypeError(`${fn}: Cannot register two spectral_norm hooks on the same parameter ${name}`);
  const weight = module.getAttr(name);
  if (weight === null) throw new TypeError(`${fn}: \`SpectralNorm\` cannot be applied as parameter \`${name}\` is None`);
  if (!isParameter(weight)) throw argError(fn, "name", `the name of a parameter of ${module.constructor.name}`, name);
  const sn: SpectralNorm = { name, dim, nPowerIterations, eps };
  const [u, v, data] = tidy(() => noGrad(() => {
    const [h, w] = weightMatrix(sn, weight).shape as [number, number];
    const like = { dtype: weight.dtype, device: weight.device };
    return [
      normalize(empty([h], like).normal_(0, 1), { dim: 0, eps }),
      normalize(empty([w], like).normal_(0, 1), { dim: 0, eps }),
      weight.detach(),
    ] as const;
  }));
  delete fields(module)[name];
  module.registerParameter(`${name}_orig`, weight);
  fields(module)[name] = data;
  module.registerBuffer(`${name}_u`, u);
  module.registerBuffer(`${name}_v`, v);
  sn.handle = module.registerForwardPreHook((m) => setWeight(m, name, computeWeight(m, sn, m.training)));
  table.set(name, sn);
  applied.set(module, table);
  return module;
}

/** Python: `torch.nn.utils.remove_spectral_norm(module, name="weight")`. */
export function removeSpectralNorm<M extends Module>(module: M, name = "weight"): M {
  const fn = "nn.utils.removeSpectralNorm";
  if (!(module instanceof Module)) throw argError(fn, "module", "an nn.Module", module);
  const sn = applied.get(module)?.get(name);
  if (sn === undefined) throw new TypeError(`${fn}: spectral_norm of '${name}' not found in ${module.constructor.name}`);
  const weight = tidy(() => noGrad(() => computeWeight(module, sn, false)).detach());
  const old = fields(module)[name];
  delete fields(module)[name];
  if (old instanceof Tensor && !old.isDisposed) old.dispose();
  for (const suffix of ["_u", "_v", "_orig"]) delete fields(module)[name + suffix];
  module.registerParameter(name, Parameter(weight));
  sn.handle?.remove();
  applied.get(module)!.delete(name);
  return module;
}
