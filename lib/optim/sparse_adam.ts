// optim.SparseAdam, as PyTorch 1.13's F.sparse_adam: only the rows a sparse gradient touches
// are updated (nn.Embedding(..., { sparse: true }) makes such gradients). Dense gradients are
// refused as PyTorch refuses them.
import { keep, tidy } from "../memory.js";
import { zerosLike } from "../tensor/creation.js";
import { sparseCooTensor } from "../tensor/ops.generated.js";
import type { Tensor } from "../tensor/index.js";
import { TorchError } from "../errors.js";
import type { PyArgs } from "../tensor/python_args.js";
import { pow } from "./libm.js";
import { advanceIntStep, bindHyper, groupKeys, stateTensor } from "./options.js";
import { checkHyperParams, hyper, Optimizer, type HyperSpec, type ParamGroup, type ParamState, type ParamsArg, type ParamUpdate } from "./optimizer.js";

type SparseAdamFields = { lr: number; betas: [number, number]; eps: number; maximize: boolean };
/** The options object of the constructor: any of them, camelCase keys. */
export type SparseAdamOptions = Partial<SparseAdamFields>;
export type SparseAdamHyper = Omit<SparseAdamFields, "betas"> & { betas: number[] };
type SparseAdamP = [lr: number, betas: [number, number], eps: number, maximize: boolean];

const FALLBACK: SparseAdamHyper = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, maximize: false };
const positive = (v: unknown) => typeof v === "number" && v > 0 && v <= Number.MAX_VALUE;
const SPEC: HyperSpec = {
  lr: { ok: positive, expected: "a finite learning rate > 0" }, betas: hyper.betas,
  eps: { ok: positive, expected: "a finite number > 0" }, maximize: hyper.bool,
};

/** Whether a tensor has a sparse layout (ATen's sparse_dim exists only for sparse tensors). */
export function isSparse(t: Tensor): boolean {
  try {
    t.sparseDim();
    return true;
  } catch {
    return false;
  }
}

/** Python: `torch.optim.SparseAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False)`. */
export class SparseAdam extends Optimizer<SparseAdamHyper> {
  protected readonly pytorchGroupKeys = groupKeys(FALLBACK);

  constructor(params: ParamsArg<SparseAdamHyper>, ...args: PyArgs<SparseAdamP, SparseAdamFields>) {
    const h = bindHyper("optim.SparseAdam", args, ["lr", "betas", "eps", "maximize"], FALLBACK, SPEC);
    super(params, h);
    const sparse: string[] = [];
    this.paramGroups.forEach((g, gi) => g.params.forEach((p, pi) => {
      if (isSparse(p)) sparse.push(this.paramGroups.length > 1 ? `[${gi}, ${pi}]` : String(pi));
    }));
    if (sparse.length > 0) throw new TypeError(`optim.SparseAdam: Sparse params at indices [${sparse.join(", ")}]: SparseAdam requires dense parameter tensors`);
  }

  protected override checkGroup(fn: string, group: Record<string, unknown>, where?: string): void {
    checkHyperParams(fn, group, SPEC, where);
  }

  protected initState(p: Tensor): ParamState {
    return new Map<string, Tensor | number>([["step", 0], ["exp_avg", keep(zerosLike(p))], ["exp_avg_sq", keep(zerosLike(p))]]);
  }

  protected updateGroup(ready: readonly ParamUpdate[], group: ParamGroup<SparseAdamHyper>): void {
    const { lr, eps, maximize } = group;
    const [beta1, beta2] = group.betas as [number, number];
    for (const [, g] of ready) {
      if (!isSparse(g)) throw new TorchError("SparseAdam does not support dense gradients, please consider Adam instead");
    }
    for (const [param, g, state] of ready) {
      const expAvg = stateTensor("SparseAdam", state, "exp_avg");
      const expAvgSq = stateTensor("SparseAdam", state, "exp_avg_sq");
      const step = advanceIntStep(state);
      tidy(() => {
        const grad = (maximize ? g.neg() : g).coalesce();
        const indices = grad.indices();
        const values = grad.values();
        const size = grad.shape;
        const makeSparse = (v: Tensor) => sparseCooTensor(indices, v, size, { dtype: grad.dtype, device: grad.device });
        const oldExpAvg = expAvg.sparseMask(grad).coalesce().values();
        const expAvgUpdate = values.sub(oldExpAvg).mul_(1 - beta1);
        expAvg.add_(makeSparse(expAvgUpdate));
        const oldExpAvgSq = expAvgSq.sparseMask(grad).coalesce().values();
        const expAvgSqUpdate = values.pow(2).sub_(oldExpAvgSq).mul_(1 - beta2);
        expAvgSq.add_(makeSparse(expAvgSqUpdate));
        const numer = expAvgUpdate.add_(oldExpAvg);
        expAvgSqUpdate.add_(oldExpAvgSq);
        const denom = expAvgSqUpdate.sqrt_().add_(eps);
        const stepSize = (lr * Math.sqrt(1 - pow(beta2, step))) / (1 - pow(beta1, step));
        param.add_(makeSparse(numer.div_(denom).mul(-stepSize)));
      });
    }
  }
}
