// The closed-form schedules of torch.optim.lr_scheduler (1.13): LambdaLR, MultiplicativeLR,
// StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR, CosineAnnealingLR,
// each get_lr() in PyTorch's chainable form with Python's float math (libm.ts).
import { bindArgs, type PyArgs } from "../tensor/python_args.js";
import { argError, checkFunction, checkNumberIn, checkPositiveInt } from "../validate.js";
import { cos, pow } from "./libm.js";
import { LRScheduler, lastEpochOf, type AnyOptimizer, type StateField } from "./lr_scheduler_base.js";

const FINITE = Number.MAX_VALUE;
const nonNeg = (fn: string, arg: string, v: unknown, dflt: number) => (v === undefined ? dflt : checkNumberIn(fn, arg, v, 0, FINITE));
const unit = (fn: string, arg: string, v: unknown, dflt: number) => (v === undefined ? dflt : checkNumberIn(fn, arg, v, 0, 1, "a number between 0 and 1"));
const bind = (fn: string, names: string[], args: readonly unknown[]) => bindArgs(fn, names, args, 0, ["optimizer"]);

export type LrLambda = (epoch: number) => number;

/** LambdaLR/MultiplicativeLR's lr_lambda: one function, or one per param group. */
function lambdas(fn: string, optimizer: AnyOptimizer, value: unknown): LrLambda[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(value)) {
    if (value.length !== n) throw new TypeError(`${fn}: Expected ${n} lr_lambdas, but got ${value.length}`);
    return value.map((f, i) => checkFunction(fn, `lrLambda[${i}]`, f) as unknown as LrLambda);
  }
  return new Array<LrLambda>(n).fill(checkFunction(fn, "lrLambda", value) as unknown as LrLambda);
}

/**
 * Python saves a callable object's __dict__ and None for a plain function; here a function's
 * own enumerable fields play the __dict__ (none: null).
 */
function lambdaState(fns: LrLambda[]): StateField {
  return {
    key: "lr_lambdas",
    get: () => fns.map((f) => (Object.keys(f).length > 0 ? new Map(Object.entries(f)) : null)),
    set: (v) => {
      if (!Array.isArray(v)) return;
      v.forEach((s, i) => {
        if (s !== null && s !== undefined && fns[i]) Object.assign(fns[i]!, s instanceof Map ? Object.fromEntries(s) : s);
      });
    },
  };
}

type LambdaO = { lastEpoch: number };
/** Python: `LambdaLR(optimizer, lr_lambda, last_epoch=-1)`: lr = initial lr × lr_lambda(epoch). */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];
  constructor(optimizer: AnyOptimizer, lrLambda: LrLambda | LrLambda[], ...args: PyArgs<[lastEpoch: number], LambdaO>) {
    const a = bind("LambdaLR", ["lastEpoch"], args);
    const fns = lambdas("LambdaLR", optimizer, lrLambda);
    super(optimizer, lastEpochOf("LambdaLR", a.lastEpoch));
    this.lrLambdas = fns;
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i]!(this.lastEpoch));
  }
  protected override laterState(): StateField[] {
    return [lambdaState(this.lrLambdas)];
  }
}

/** Python: `MultiplicativeLR(optimizer, lr_lambda, last_epoch=-1)`: lr ×= lr_lambda(epoch) each step. */
export class MultiplicativeLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];
  constructor(optimizer: AnyOptimizer, lrLambda: LrLambda | LrLambda[], ...args: PyArgs<[lastEpoch: number], LambdaO>) {
    const a = bind("MultiplicativeLR", ["lastEpoch"], args);
    const fns = lambdas("MultiplicativeLR", optimizer, lrLambda);
    super(optimizer, lastEpochOf("MultiplicativeLR", a.lastEpoch));
    this.lrLambdas = fns;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch > 0) return this.groups.map((g, i) => g.lr * this.lrLambdas[i]!(this.lastEpoch));
    return this.groups.map((g) => g.lr);
  }
  protected override laterState(): StateField[] {
    return [lambdaState(this.lrLambdas)];
  }
}

type StepO = { stepSize: number; gamma: number; lastEpoch: number };
/** Python: `StepLR(optimizer, step_size, gamma=0.1, last_epoch=-1)`. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;
  constructor(optimizer: AnyOptimizer, ...args: PyArgs<[stepSize: number, gamma: number, lastEpoch: number], StepO>) {
    const fn = "StepLR";
    const a = bind(fn, ["stepSize", "gamma", "lastEpoch"], args);
    // Checked before super(), which already steps the optimizer's learning rates.
    const stepSize = checkPositiveInt(fn, "stepSize", a.stepSize);
    const gamma = nonNeg(fn, "gamma", a.gamma, 0.1);
    super(optimizer, lastEpochOf(fn, a.lastEpoch));
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * pow(this.gamma, Math.floor(this.lastEpoch / this.stepSize)));
  }
  protected override ownState(): StateField[] {
    return [this.field("step_size", "stepSize"), this.field("gamma", "gamma")];
  }
}

type MultiStepO = { milestones: number[]; gamma: number; lastEpoch: number };
/** Python: `MultiStepLR(optimizer, milestones, gamma=0.1, last_epoch=-1)`; milestones is a Counter there (a Map here). */
export class MultiStepLR extends LRScheduler {
  /** Python's Counter: milestone -> how many times it was given. */
  milestones: Map<number, number>;
  gamma: number;
  constructor(optimizer: AnyOptimizer, ...args: PyArgs<[milestones: number[], gamma: number, lastEpoch: number], MultiStepO>) {
    const fn = "MultiStepLR";
    const a = bind(fn, ["milestones", "gamma", "lastEpoch"], args);
    if (!Array.isArray(a.milestones) || !a.milestones.every(Number.isSafeInteger)) throw argError(fn, "milestones", "an array of integers", a.milestones);
    const gamma = nonNeg(fn, "gamma", a.gamma, 0.1);
    super(optimizer, lastEpochOf(fn, a.lastEpoch));
    this.milestones = counter(a.milestones as number[]);
    this.gamma = gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    const count = this.milestones.get(this.lastEpoch);
    if (count === undefined) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * pow(this.gamma, count));
  }
  protected override closedFormLr(): number[] {
    let passed = 0;
    for (const [m, c] of this.milestones) if (m <= this.lastEpoch) passed += c;
    return this.baseLrs.map((b) => b * pow(this.gamma, passed));
  }
  protected override ownState(): StateField[] {
    return [
      { key: "milestones", get: () => new Map(this.milestones), set: (v) => (this.milestones = counterOf(v)) },
      this.field("gamma", "gamma"),
    ];
  }
}

function counter(ms: number[]): Map<number, number> {
  const c = new Map<number, number>();
  for (const m of ms) c.set(m, (c.get(m) ?? 0) + 1);
  return c;
}
/** A saved Counter (a dict from torch.load, or a Map) back as milestone -> count. */
function counterOf(v: unknown): Map<number, number> {
  const e = v instanceof Map ? [...v] : v !== null && typeof v === "object" ? Object.entries(v) : [];
  return new Map(e.map(([k, c]) => [Number(k), Number(c)]));
}

type ConstantO = { factor: number; totalIters: number; lastEpoch: number };
/** Python: `ConstantLR(optimizer, factor=1/3, total_iters=5, last_epoch=-1)`. */
export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;
  constructor(optimizer: AnyOptimizer, ...args: PyArgs<[factor: number, totalIters: number, lastEpoch: number], ConstantO>) {
    const fn = "ConstantLR";
    const a = bind(fn, ["factor", "totalIters", "lastEpoch"], args);
    const factor = unit(fn, "factor", a.factor, 1 / 3);
    const totalIters = a.totalIters === undefined ? 5 : checkPositiveInt(fn, "totalIters", a.totalIters);
    super(optimizer, lastEpochOf(fn, a.lastEpoch));
    this.factor = factor;
    this.totalIters = totalIters;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 / this.factor));
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.factor + (this.lastEpoch >= this.totalIters ? 1 : 0) * (1 - this.factor)));
  }
  protected override ownState(): StateField[] {
    return [this.field("factor", "factor"), this.field("total_iters", "totalIters")];
  }
}

type LinearO = { startFactor: number; endFactor: number; totalIters: number; lastEpoch: number };
/** Python: `LinearLR(optimizer, start_factor=1/3, end_factor=1.0, total_iters=5, last_epoch=-1)`. */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;
  constructor(optimizer: AnyOptimizer, ...args: PyArgs<[startFactor: number, endFactor: number, totalIters: number, lastEpoch: number], LinearO>) {
    const fn = "LinearLR";
    const a = bind(fn, ["startFactor", "endFactor", "totalIters", "lastEpoch"], args);
    // start_factor 0 divides by zero in the chainable form (PyTorch: ZeroDivisionError at step 1).
    const startFactor = a.startFactor === undefined ? 1 / 3 : checkNumberIn(fn, "startFactor", a.startFactor, Number.MIN_VALUE, 1, "a number in (0, 1]");
    const endFactor = unit(fn, "endFactor", a.endFactor, 1);
    const totalIters = a.totalIters === undefined ? 5 : checkPositiveInt(fn, "totalIters", a.totalIters);
    super(optimizer, lastEpochOf(fn, a.lastEpoch));
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }
  protected getLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: T, lastEpoch } = this;
    if (lastEpoch === 0) return this.groups.map((g) => g.lr * s);
    if (lastEpoch > T) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 + (e - s) / (T * s + (lastEpoch - 1) * (e - s))));
  }
  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: T } = this;
    return this.baseLrs.map((b) => b * (s + ((e - s) * Math.min(T, this.lastEpoch)) / T));
  }
  protected override ownState(): StateField[] {
    return [this.field("start_factor", "startFactor"), this.field("end_factor", "endFactor"), this.field("total_iters", "totalIters")];
  }
}

/** Python: `ExponentialLR(optimizer, gamma, last_epoch=-1)`. */
export class ExponentialLR extends LRScheduler {
  gamma: number;
  constructor(optimizer: AnyOptimizer, ...args: PyArgs<[gamma: number, lastEpoch: number], { gamma: number; lastEpoch: number }>) {
    const fn = "ExponentialLR";
    const a = bind(fn, ["gamma", "lastEpoch"], args);
    if (a.gamma === undefined) throw argError(fn, "gamma", "a finite number >= 0", a.gamma);
    const gamma = nonNeg(fn, "gamma", a.gamma, 0);
    super(optimizer, lastEpochOf(fn, a.lastEpoch));
    this.gamma = gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * pow(this.gamma, this.lastEpoch));
  }
  protected override ownState(): StateField[] {
    return [this.field("gamma", "gamma")];
  }
}

type PolyO = { totalIters: number; power: number; lastEpoch: number };
/** Python: `PolynomialLR(optimizer, total_iters=5, power=1.0, last_epoch=-1)` (new in 1.13). */
export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;
  constructor(optimizer: AnyOptimizer, ...args: PyArgs<[totalIters: number, power: number, lastEpoch: number], PolyO>) {
    const fn = "PolynomialLR";
    const a = bind(fn, ["totalIters", "power", "lastEpoch"], args);
    const totalIters = a.totalIters === undefined ? 5 : checkPositiveInt(fn, "totalIters", a.totalIters);
    const power = nonNeg(fn, "power", a.power, 1);
    super(optimizer, lastEpochOf(fn, a.lastEpoch));
    this.totalIters = totalIters;
    this.power = power;
    this.initialStep();
  }
  protected getLr(): number[] {
    const { lastEpoch: e, totalIters: T } = this;
    if (e === 0 || e > T) return this.groups.map((g) => g.lr);
    const decay = pow((1 - e / T) / (1 - (e - 1) / T), this.power);
    return this.groups.map((g) => g.lr * decay);
  }
  protected override closedFormLr(): number[] {
    const T = this.totalIters;
    return this.baseLrs.map((b) => b * pow(1 - Math.min(T, this.lastEpoch) / T, this.power));
  }
  protected override ownState(): StateField[] {
    return [this.field("total_iters", "totalIters"), this.field("power", "power")];
  }
}

type CosO = { tMax: number; etaMin: number; lastEpoch: number };
/** Python: `CosineAnnealingLR(optimizer, T_max, eta_min=0, last_epoch=-1)`. */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;
  constructor(optimizer: AnyOptimizer, ...args: PyArgs<[tMax: number, etaMin: number, lastEpoch: number], CosO>) {
    const fn = "CosineAnnealingLR";
    const a = bind(fn, ["tMax", "etaMin", "lastEpoch"], args);
    // tMax 0 divides by zero: PyTorch raises ZeroDivisionError at the second step, here every lr would be NaN.
    const tMax = checkPositiveInt(fn, "tMax", a.tMax);
    const etaMin = nonNeg(fn, "etaMin", a.etaMin, 0);
    super(optimizer, lastEpochOf(fn, a.lastEpoch));
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }
  protected getLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    if (e === 0) return this.groups.map((g) => g.lr);
    if (this.stepCount === 1 && e > 0) return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + cos((e * Math.PI) / T))) / 2);
    if ((e - 1 - T) % (2 * T) === 0) return this.groups.map((g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - cos(Math.PI / T))) / 2);
    return this.groups.map((g) => ((1 + cos((Math.PI * e) / T)) / (1 + cos((Math.PI * (e - 1)) / T))) * (g.lr - etaMin) + etaMin);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
  protected override ownState(): StateField[] {
    return [this.field("T_max", "tMax"), this.field("eta_min", "etaMin")];
  }
}
