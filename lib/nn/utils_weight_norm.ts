// torch.nn.utils.weight_norm / remove_weight_norm (Salimans & Kingma, arXiv:1602.07868), as
// torch/nn/utils/weight_norm.py: the parameter `name` is replaced by `name_g` (its norm over
// every dim but `dim`) and `name_v` (its direction), and a forward pre-hook recomputes
// `module[name] = g * v / ||v||` before every call(), so the weight is differentiable in g and v.
import { keep, tidy } from "../memory.js";
import { normExceptDim } from "../tensor/ops.generated.js";
import { Tensor } from "../tensor/index.js";
import { argError, checkInt } from "../validate.js";
import { aten } from "./functional_util.js";
import { isParameter, Module, Parameter } from "./module.js";
import type { RemovableHandle } from "./module_hooks.js";

const weightNormOp = aten<(v: Tensor, g: Tensor, dim: number) => Tensor>(
  "weightNorm", "_weight_norm", "_weight_norm(Tensor v, Tensor g, int dim=0) -> Tensor");

interface Applied {
  readonly dim: number;
  readonly handle: RemovableHandle;
}

// The weight norms applied to each module, by parameter name (Python finds them among the
// module's forward pre-hooks by class).
const applied = new WeakMap<Module, Map<string, Applied>>();

const fields = (m: Module) => m as unknown as Record<string, unknown>;
// A plain boolean test (isParameter's type guard would narrow `old` to never when false).
const PARAMETER = (t: Tensor): boolean => isParameter(t);

function computeWeight(module: Module, name: string, dim: number): Tensor {
  const g = module.getAttr(`${name}_g`);
  const v = module.getAttr(`${name}_v`);
  if (!(g instanceof Tensor) || !(v instanceof Tensor)) {
    throw new TypeError(`nn.utils.weightNorm: ${module.constructor.name} has no parameters "${name}_g" and "${name}_v" any more`);
  }
  return weightNormOp(v, g, dim);
}

/** Sets the recomputed weight as a plain attribute, freeing the previous one (autograd keeps what it needs). */
function setWeight(module: Module, name: string, weight: Tensor): void {
  const old = fields(module)[name];
  fields(module)[name] = keep(weight);
  if (old instanceof Tensor && old !== weight && !PARAMETER(old) && !old.isDisposed) old.dispose();
}

/**
 * Python: `torch.nn.utils.weight_norm(module, name="weight", dim=0)`; `dim: null` normalizes
 * over the whole tensor. Returns the module.
 */
export function weightNorm<M extends Module>(module: M, ...args: [name?: string, dim?: number | null] | [options: { name?: string; dim?: number | null }]): M {
  const fn = "nn.utils.weightNorm";
  if (!(module instanceof Module)) throw argError(fn, "module", "an nn.Module", module);
  const o = (args.length === 1 && typeof args[0] === "object" && args[0] !== null ? args[0] : { name: args[0], dim: args[1] }) as { name?: unknown; dim?: unknown };
  const name = o.name === undefined ? "weight" : o.name;
  if (typeof name !== "string" || name === "") throw argError(fn, "name", "a parameter name", name);
  const dim = o.dim === undefined ? 0 : o.dim === null ? -1 : checkInt(fn, "dim", o.dim);
  const table = applied.get(module) ?? new Map<string, Applied>();
  if (table.has(name)) throw new TypeError(`${fn}: Cannot register two weight_norm hooks on the same parameter ${name}`);
  const weight = module.getAttr(name);
  if (!isParameter(weight)) throw argError(fn, "name", `the name of a parameter of ${module.constructor.name}`, name);
  // Python: del module._parameters[name]; the attribute goes with it here. The weight tensor
  // itself lives on as weight_v (Python: Parameter(weight.data) shares its storage).
  const [g, v] = tidy(() => [normExceptDim(weight.detach(), 2, dim), weight.detach()] as const);
  delete fields(module)[name];
  module.registerParameter(`${name}_g`, g);
  module.registerParameter(`${name}_v`, v);
  tidy(() => setWeight(module, name, computeWeight(module, name, dim)));
  const handle = module.registerForwardPreHook((m) => setWeight(m, name, computeWeight(m, name, dim)));
  table.set(name, { dim, handle });
  applied.set(module, table);
  return module;
}

/** Python: `torch.nn.utils.remove_weight_norm(module, name="weight")`: `name` is one parameter again. */
export function removeWeightNorm<M extends Module>(module: M, name = "weight"): M {
  const fn = "nn.utils.removeWeightNorm";
  if (!(module instanceof Module)) throw argError(fn, "module", "an nn.Module", module);
  const entry = applied.get(module)?.get(name);
  if (entry === undefined) throw new TypeError(`${fn}: weight_norm of '${name}' not found in ${module.constructor.name}`);
  const weight = tidy(() => computeWeight(module, name, entry.dim).detach());
  const old = fields(module)[name];
  delete fields(module)[name];
  if (old instanceof Tensor && !old.isDisposed) old.dispose();
  delete fields(module)[`${name}_g`];
  delete fields(module)[`${name}_v`];
  fields(module)[name] = Parameter(weight);
  entry.handle.remove();
  applied.get(module)!.delete(name);
  return module;
}
