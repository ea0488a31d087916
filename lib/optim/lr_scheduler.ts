// optim.lr_scheduler: StepLR, MultiStepLR, CosineAnnealingLR, OneCycleLR, computed as
// PyTorch's (chainable) get_lr so learning rates match step for step.
import { argError, checkBool, checkInt, checkNumberIn, checkOptions, checkPositiveInt } from "../validate.js";
import { Optimizer } from "./optimizer.js";

const FINITE = Number.MAX_VALUE;
/** lastEpoch: -1 for a fresh schedule, the epoch reached when resuming. */
const lastEpochOf = (fn: string, o: Record<string, unknown>) => {
  if (o.lastEpoch === undefined) return -1;
  const e = checkInt(fn, "lastEpoch", o.lastEpoch);
  if (e < -1) throw argError(fn, "lastEpoch", "an integer >= -1", e);
  return e;
};

type Group = Record<string, unknown> & { lr: number };
/**
 * Any optimizer (SGD, Adam, …): `AnyOptimizer` would refuse them, as their
 * groups' extra keys are `unknown`, not Hyper. A scheduler reads and writes only `lr` (and the
 * momentum of OneCycleLR).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyOptimizer = Optimizer<any>;

/** Python: `torch.optim.lr_scheduler._LRScheduler`. Call step() once per epoch (or batch for OneCycleLR). */
export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  readonly baseLrs: number[];
  lastEpoch: number;
  protected stepCount = 0;
  #lastLr: number[] = [];

  constructor(optimizer: AnyOptimizer, lastEpoch = -1) {
    if (!(optimizer instanceof Optimizer)) throw argError(new.target.name, "optimizer", "an Optimizer", optimizer);
    this.optimizer = optimizer;
    const groups = optimizer.paramGroups as unknown as Group[];
    if (lastEpoch === -1) {
      for (const g of groups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else if (groups.some((g) => g.initialLr === undefined)) {
      throw new TypeError("param 'initial_lr' is not specified in param_groups when resuming an optimizer");
    }
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** Subclasses call this at the end of their constructor (PyTorch's _initial_step). */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  protected get groups(): Group[] {
    return this.optimizer.paramGroups as unknown as Group[];
  }

  protected abstract getLr(): number[];

  /** Python: `scheduler.step()`. */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    const lrs = this.getLr();
    this.groups.forEach((g, i) => (g.lr = lrs[i]!));
    this.#lastLr = this.groups.map((g) => g.lr);
  }

  /** Python: `get_last_lr()`. */
  getLastLr(): number[] {
    return [...this.#lastLr];
  }

  /** Python: `state_dict()`: the scheduler's fields, PyTorch's names. */
  stateDict(): Map<string, unknown> {
    return new Map<string, unknown>([
      ["base_lrs", [...this.baseLrs]], ["last_epoch", this.lastEpoch], ["_step_count", this.stepCount],
      ["_get_lr_called_within_step", false], ["_last_lr", this.getLastLr()], ...this.extraState(),
    ]);
  }

  /** Python: `load_state_dict(state_dict)`. */
  loadStateDict(sd: Map<string, unknown> | Record<string, unknown>): void {
    if (sd === null || typeof sd !== "object") throw argError(`${this.constructor.name}.loadStateDict`, "stateDict", "a Map or an object", sd);
    const m = sd instanceof Map ? sd : new Map(Object.entries(sd));
    if (typeof m.get("last_epoch") === "number") this.lastEpoch = m.get("last_epoch") as number;
    if (typeof m.get("_step_count") === "number") this.stepCount = m.get("_step_count") as number;
    if (Array.isArray(m.get("_last_lr"))) this.#lastLr = [...(m.get("_last_lr") as number[])];
  }

  protected extraState(): [string, unknown][] {
    return [];
  }
}

/** Python: `StepLR(optimizer, step_size, gamma=0.1)`. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, options: { stepSize: number; gamma?: number; lastEpoch?: number }) {
    const o = checkOptions("StepLR", options, ["stepSize", "gamma", "lastEpoch"]);
    // Checked before super(), which already steps the optimizer's learning rates.
    const stepSize = checkPositiveInt("StepLR", "stepSize", o.stepSize);
    const gamma = o.gamma === undefined ? 0.1 : checkNumberIn("StepLR", "gamma", o.gamma, 0, FINITE);
    super(optimizer, lastEpochOf("StepLR", o));
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }

  protected override extraState(): [string, unknown][] {
    return [["step_size", this.stepSize], ["gamma", this.gamma]];
  }
}

/** Python: `MultiStepLR(optimizer, milestones, gamma=0.1)`. */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, options: { milestones: number[]; gamma?: number; lastEpoch?: number }) {
    const o = checkOptions("MultiStepLR", options, ["milestones", "gamma", "lastEpoch"]);
    if (!Array.isArray(o.milestones) || !o.milestones.every(Number.isSafeInteger)) {
      throw argError("MultiStepLR", "milestones", "an array of integers", o.milestones);
    }
    const gamma = o.gamma === undefined ? 0.1 : checkNumberIn("MultiStepLR", "gamma", o.gamma, 0, FINITE);
    super(optimizer, lastEpochOf("MultiStepLR", o));
    this.milestones = [...(o.milestones as number[])].sort((a, b) => a - b);
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    const count = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (count === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma ** count);
  }
}

/** Python: `CosineAnnealingLR(optimizer, T_max, eta_min=0)`. */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: AnyOptimizer, options: { tMax: number; etaMin?: number; lastEpoch?: number }) {
    const o = checkOptions("CosineAnnealingLR", options, ["tMax", "etaMin", "lastEpoch"]);
    // tMax 0 divides by zero: PyTorch raises ZeroDivisionError at the second step, here every lr would be NaN.
    const tMax = checkPositiveInt("CosineAnnealingLR", "tMax", o.tMax);
    const etaMin = o.etaMin === undefined ? 0 : checkNumberIn("CosineAnnealingLR", "etaMin", o.etaMin, 0, FINITE);
    super(optimizer, lastEpochOf("CosineAnnealingLR", o));
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    if (e === 0) return this.groups.map((g) => g.lr);
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    }
    if ((e - 1 - T) % (2 * T) === 0) {
      return this.groups.map((g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return this.groups.map((g) =>
      ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - etaMin) + etaMin);
  }
}

export interface OneCycleOptions {
  maxLr: number;
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: "cos" | "linear";
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

/** Python: `OneCycleLR(optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, …)`; step() per batch. */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly cycleMomentum: boolean;
  readonly #phases: { end: number; startLr: string; endLr: string; startM: string; endM: string }[];
  readonly #anneal: (start: number, end: number, pct: number) => number;
  readonly #useBeta1: boolean;

  constructor(optimizer: AnyOptimizer, options: OneCycleOptions) {
    const fn = "OneCycleLR";
    const o = checkOptions(fn, options, ["maxLr", "totalSteps", "epochs", "stepsPerEpoch", "pctStart", "annealStrategy",
      "cycleMomentum", "baseMomentum", "maxMomentum", "divFactor", "finalDivFactor", "threePhase"]);
    if (!(optimizer instanceof Optimizer)) throw argError(fn, "optimizer", "an Optimizer", optimizer);
    const positive = "a finite number > 0";
    const maxLr = checkNumberIn(fn, "maxLr", o.maxLr, Number.MIN_VALUE, FINITE, positive);
    let total: number;
    if (o.totalSteps !== undefined) total = checkPositiveInt(fn, "totalSteps", o.totalSteps);
    else if (o.epochs !== undefined && o.stepsPerEpoch !== undefined) total = checkPositiveInt(fn, "epochs", o.epochs) * checkPositiveInt(fn, "stepsPerEpoch", o.stepsPerEpoch);
    else throw new TypeError(`${fn}: you must define either totalSteps OR (epochs AND stepsPerEpoch)`);
    const pct = o.pctStart === undefined ? 0.3 : checkNumberIn(fn, "pctStart", o.pctStart, 0, 1);
    const div = o.divFactor === undefined ? 25 : checkNumberIn(fn, "divFactor", o.divFactor, Number.MIN_VALUE, FINITE, positive);
    const finalDiv = o.finalDivFactor === undefined ? 1e4 : checkNumberIn(fn, "finalDivFactor", o.finalDivFactor, Number.MIN_VALUE, FINITE, positive);
    if (o.annealStrategy !== undefined && o.annealStrategy !== "cos" && o.annealStrategy !== "linear") {
      throw argError(fn, "annealStrategy", '"cos" or "linear"', o.annealStrategy);
    }
    const cycle = o.cycleMomentum === undefined ? true : checkBool(fn, "cycleMomentum", o.cycleMomentum);
    const threePhase = o.threePhase === undefined ? false : checkBool(fn, "threePhase", o.threePhase);
    const groups = optimizer.paramGroups as unknown as Group[];
    for (const g of groups) {
      g.initialLr = maxLr / div;
      g.maxLr = maxLr;
      g.minLr = (g.initialLr as number) / finalDiv;
    }
    const useBeta1 = "betas" in optimizer.defaults;
    if (cycle) {
      if (!useBeta1 && !("momentum" in optimizer.defaults)) throw new TypeError("optimizer must support momentum with `cycleMomentum` enabled");
      const maxM = o.maxMomentum === undefined ? 0.95 : checkNumberIn(fn, "maxMomentum", o.maxMomentum, 0, 1);
      const baseM = o.baseMomentum === undefined ? 0.85 : checkNumberIn(fn, "baseMomentum", o.baseMomentum, 0, 1);
      for (const g of groups) {
        if (useBeta1) g.betas = [maxM, ...(g.betas as number[]).slice(1)];
        else g.momentum = maxM;
        g.maxMomentum = maxM;
        g.baseMomentum = baseM;
      }
    }
    super(optimizer, -1);
    this.totalSteps = total;
    this.cycleMomentum = cycle;
    this.#useBeta1 = useBeta1;
    this.#anneal = o.annealStrategy === "linear"
      ? (s, e, p) => (e - s) * p + s
      : (s, e, p) => e + ((s - e) / 2) * (Math.cos(Math.PI * p) + 1);
    this.#phases = threePhase
      ? [
        { end: pct * total - 1, startLr: "initialLr", endLr: "maxLr", startM: "maxMomentum", endM: "baseMomentum" },
        { end: 2 * pct * total - 2, startLr: "maxLr", endLr: "initialLr", startM: "baseMomentum", endM: "maxMomentum" },
        { end: total - 1, startLr: "initialLr", endLr: "minLr", startM: "maxMomentum", endM: "maxMomentum" },
      ]
      : [
        { end: pct * total - 1, startLr: "initialLr", endLr: "maxLr", startM: "maxMomentum", endM: "baseMomentum" },
        { end: total - 1, startLr: "maxLr", endLr: "minLr", startM: "baseMomentum", endM: "maxMomentum" },
      ];
    this.initialStep();
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new RangeError(`Tried to step ${stepNum} times. The specified number of total steps is ${this.totalSteps}`);
    }
    return this.groups.map((g) => {
      let start = 0;
      let lr = g.lr;
      for (let i = 0; i < this.#phases.length; i++) {
        const ph = this.#phases[i]!;
        if (stepNum <= ph.end || i === this.#phases.length - 1) {
          const pct = (stepNum - start) / (ph.end - start);
          lr = this.#anneal(g[ph.startLr] as number, g[ph.endLr] as number, pct);
          if (this.cycleMomentum) {
            const m = this.#anneal(g[ph.startM] as number, g[ph.endM] as number, pct);
            if (this.#useBeta1) g.betas = [m, ...(g.betas as number[]).slice(1)];
            else g.momentum = m;
          }
          break;
        }
        start = ph.end;
      }
      return lr;
    });
  }
}
