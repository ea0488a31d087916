// torch.optim.swa_utils (1.13): AveragedModel (a running average of a model's weights, under
// the `module.` prefix with an `n_averaged` buffer, as Python's state dict), SWALR (anneals
// each group's lr to its swa_lr) and updateBn (recomputes BatchNorm statistics).
import { noGrad } from "../autograd.js";
import { tidy } from "../memory.js";
import { full } from "../tensor/creation.js";
import { Tensor } from "../tensor/index.js";
import { bindArgs, type PyArgs } from "../tensor/python_args.js";
import { Module } from "../nn/module.js";
import { deepCopy } from "../nn/clone.js";
import { BatchNorm1d, BatchNorm2d, BatchNorm3d } from "../nn/batchnorm.js";
import { argError, checkBool, checkFunction, checkNonNegInt } from "../validate.js";
import { cos } from "./libm.js";
import { LRScheduler, lastEpochOf, perGroup, type AnyOptimizer, type StateField } from "./lr_scheduler_base.js";
import { checkNumberIn } from "../validate.js";

/** `avg_fn(averaged_param, model_param, num_averaged)` -> the new average. */
export type AvgFn = (averaged: Tensor, current: Tensor, numAveraged: Tensor) => Tensor;
type AveragedP = [device: string | null, avgFn: AvgFn | null, useBuffers: boolean];
type AveragedO = {
  device: string | null; avgFn: AvgFn | null; useBuffers: boolean;
  /**
   * The module that holds the average, used instead of a deep copy of `model`: a model of the
   * same architecture (its weights are overwritten at the first updateParameters). Needed for
   * models that cannot be deep-copied (see nn/clone.ts: a module defines newLike()).
   */
  copy: Module;
};

/** Python's default avg_fn: the running mean, avg + (p - avg) / (n + 1). */
const meanAvg: AvgFn = (avg, p, n) => avg.add(p.sub(avg).div(n.add(1)));

/** Python: `torch.optim.swa_utils.AveragedModel(model, device=None, avg_fn=None, use_buffers=False)`. */
export class AveragedModel<M extends Module = Module> extends Module {
  readonly module: M;
  readonly nAveraged: Tensor;
  readonly avgFn: AvgFn;
  readonly useBuffers: boolean;

  constructor(model: M, ...args: PyArgs<AveragedP, AveragedO>) {
    super();
    const fn = "AveragedModel";
    const a = bindArgs(fn, ["device", "avgFn", "useBuffers", "copy"], args, 0, ["model"]);
    if (!(model instanceof Module)) throw argError(fn, "model", "a Module", model);
    let copy: Module;
    if (a.copy !== undefined) {
      if (!(a.copy instanceof Module) || a.copy.constructor !== model.constructor) throw argError(fn, "copy", `a ${model.constructor.name} of the same architecture`, a.copy);
      copy = a.copy;
    } else {
      copy = deepCopy(model, fn);
    }
    const device = a.device === undefined || a.device === null ? null : (a.device as string);
    if (device !== null) copy.to(device as never);
    this.module = this.registerModule("module", copy) as M;
    this.nAveraged = this.registerBuffer("n_averaged", full([], 0n, { dtype: "int64", ...(device !== null ? { device: device as never } : {}) }));
    this.avgFn = a.avgFn === undefined || a.avgFn === null ? meanAvg : (checkFunction(fn, "avgFn", a.avgFn) as unknown as AvgFn);
    this.useBuffers = a.useBuffers === undefined ? false : checkBool(fn, "useBuffers", a.useBuffers);
  }

  forward(...args: unknown[]): unknown {
    return (this.module as unknown as { call(...a: unknown[]): unknown }).call(...args);
  }

  /** Python: `update_parameters(model)`: folds the model's current weights into the average. */
  updateParameters(model: Module): void {
    const fn = "AveragedModel.updateParameters";
    if (!(model instanceof Module)) throw argError(fn, "model", "a Module", model);
    const mine = this.useBuffers ? [...this.module.parameters(), ...this.module.buffers()] : [...this.module.parameters()];
    const theirs = this.useBuffers ? [...model.parameters(), ...model.buffers()] : [...model.parameters()];
    if (mine.length !== theirs.length) throw new TypeError(`${fn}: the model has ${theirs.length} tensors to average, the averaged model ${mine.length}`);
    tidy(() => noGrad(() => {
      const first = Number(this.nAveraged.item()) === 0;
      mine.forEach((pSwa, i) => {
        const pModel = theirs[i]!.detach().to({ device: pSwa.device as never });
        if (first) pSwa.detach().copy_(pModel);
        else pSwa.detach().copy_(this.avgFn(pSwa.detach(), pModel, this.nAveraged.to({ device: pSwa.device as never })));
      });
      this.nAveraged.add_(1);
    }));
  }
}

const isBatchNorm = (m: Module): m is BatchNorm1d => m instanceof BatchNorm1d || m instanceof BatchNorm2d || m instanceof BatchNorm3d;

/**
 * Python: `torch.optim.swa_utils.update_bn(loader, model, device=None)`: one pass over the
 * loader in train mode with every BatchNorm's statistics reset and averaged cumulatively
 * (momentum None). Synchronous for an iterable (an array of batches), a Promise for an async
 * one (a DataLoader).
 */
export function updateBn(loader: Iterable<unknown> | AsyncIterable<unknown>, model: Module, device?: string | null): void | Promise<void> {
  const fn = "swa_utils.updateBn";
  if (!(model instanceof Module)) throw argError(fn, "model", "a Module", model);
  const momenta = new Map<BatchNorm1d, number | null>();
  for (const m of model.modules()) {
    if (!isBatchNorm(m)) continue;
    m.runningMean?.zero_();
    m.runningVar?.fill_(1);
    momenta.set(m, m.momentum);
  }
  if (momenta.size === 0) return;
  const wasTraining = model.training;
  model.train();
  for (const m of momenta.keys()) {
    m.momentum = null;
    m.numBatchesTracked?.mul_(0);
  }
  const feed = (batch: unknown) => tidy(() => noGrad(() => {
    let input = Array.isArray(batch) ? batch[0] : batch;
    if (!(input instanceof Tensor)) throw argError(fn, "loader", "batches that are Tensors or [Tensor, …]", input);
    if (device !== undefined && device !== null) input = input.to({ device: device as never });
    (model as unknown as { call(x: Tensor): unknown }).call(input);
  }));
  const finish = () => {
    for (const [m, momentum] of momenta) m.momentum = momentum;
    model.train(wasTraining);
  };
  if (loader !== null && typeof loader === "object" && Symbol.asyncIterator in loader) {
    return (async () => {
      try {
        for await (const batch of loader as AsyncIterable<unknown>) feed(batch);
      } finally {
        finish();
      }
    })();
  }
  if (loader === null || typeof loader !== "object" || !(Symbol.iterator in loader)) throw argError(fn, "loader", "an iterable of batches", loader);
  try {
    for (const batch of loader as Iterable<unknown>) feed(batch);
  } finally {
    finish();
  }
}

type SWALRP = [swaLr: number | number[], annealEpochs: number, annealStrategy: "cos" | "linear", lastEpoch: number];
type SWALRO = { swaLr: number | number[]; annealEpochs: number; annealStrategy: "cos" | "linear"; lastEpoch: number };

/** Python: `torch.optim.swa_utils.SWALR(optimizer, swa_lr, anneal_epochs=10, anneal_strategy='cos', last_epoch=-1)`. */
export class SWALR extends LRScheduler {
  annealEpochs: number;
  annealStrategy: "cos" | "linear";

  constructor(optimizer: AnyOptimizer, ...args: PyArgs<SWALRP, SWALRO>) {
    const fn = "SWALR";
    const a = bindArgs(fn, ["swaLr", "annealEpochs", "annealStrategy", "lastEpoch"], args, 0, ["optimizer"]);
    if (!(optimizer !== null && typeof optimizer === "object" && Array.isArray((optimizer as AnyOptimizer).paramGroups))) throw argError(fn, "optimizer", "an Optimizer", optimizer);
    const swaLrs = perGroup(fn, "swa_lr", optimizer, a.swaLr, (v) => checkNumberIn(fn, "swaLr", v, 0, Number.MAX_VALUE));
    if (a.annealStrategy !== undefined && a.annealStrategy !== "cos" && a.annealStrategy !== "linear") throw argError(fn, "annealStrategy", '"cos" or "linear"', a.annealStrategy);
    const annealEpochs = a.annealEpochs === undefined ? 10 : checkNonNegInt(fn, "annealEpochs", a.annealEpochs);
    optimizer.paramGroups.forEach((g, i) => ((g as Record<string, unknown>).swaLr = swaLrs[i]));
    super(optimizer, lastEpochOf(fn, a.lastEpoch));
    this.annealStrategy = (a.annealStrategy ?? "cos") as "cos" | "linear";
    this.annealEpochs = annealEpochs;
    this.initialStep();
  }

  #anneal(t: number): number {
    return this.annealStrategy === "linear" ? t : (1 - cos(Math.PI * t)) / 2;
  }

  protected getLr(): number[] {
    let step = this.stepCount - 1;
    if (this.annealEpochs === 0) step = Math.max(1, step);
    const prevT = Math.max(0, Math.min(1, (step - 1) / Math.max(1, this.annealEpochs)));
    const prevAlpha = this.#anneal(prevT);
    const initial = (lr: number, swa: number, alpha: number) => (alpha === 1 ? swa : (lr - alpha * swa) / (1 - alpha));
    const prevLrs = this.groups.map((g) => initial(g.lr, g.swaLr as number, prevAlpha));
    const t = Math.max(0, Math.min(1, step / Math.max(1, this.annealEpochs)));
    const alpha = this.#anneal(t);
    return this.groups.map((g, i) => (g.swaLr as number) * alpha + prevLrs[i]! * (1 - alpha));
  }

  // Python keeps anneal_func (a function); the strategy is kept by name instead.
  protected override ownState(): StateField[] {
    return [this.field("anneal_epochs", "annealEpochs")];
  }
}
