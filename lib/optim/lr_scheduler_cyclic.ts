// The cyclic schedules of torch.optim.lr_scheduler (1.13): CyclicLR, OneCycleLR (both cycle
// the momentum, or Adam's beta1, inversely to the lr) and CosineAnnealingWarmRestarts (whose
// step(epoch) takes fractional epochs).
import { bindArgs, type PyArgs } from "../tensor/python_args.js";
import { argError, checkBool, checkFunction, checkNumberIn, checkPositiveInt } from "../validate.js";
import { cos, log, pow } from "./libm.js";
import { LRScheduler, lastEpochOf, num, perGroup, checkOptimizer, type AnyOptimizer, type StateField } from "./lr_scheduler_base.js";

const FINITE = Number.MAX_VALUE;
const number = (fn: string, arg: string) => (v: unknown) => checkNumberIn(fn, arg, v, 0, FINITE);
const useBeta1 = (o: AnyOptimizer) => "betas" in o.defaults;

function setMomentum(group: Record<string, unknown>, beta1: boolean, m: number): void {
  if (beta1) group.betas = [m, ...(group.betas as number[]).slice(1)];
  else group.momentum = m;
}

export type CyclicMode = "triangular" | "triangular2" | "exp_range";
type CyclicP = [baseLr: number | number[], maxLr: number | number[], stepSizeUp: number, stepSizeDown: number | null, mode: CyclicMode,
  gamma: number, scaleFn: ((x: number) => number) | null, scaleMode: "cycle" | "iterations", cycleMomentum: boolean,
  baseMomentum: number | number[], maxMomentum: number | number[], lastEpoch: number];
type CyclicO = { baseLr: number | number[]; maxLr: number | number[]; stepSizeUp: number; stepSizeDown: number | null; mode: CyclicMode; gamma: number;
  scaleFn: ((x: number) => number) | null; scaleMode: "cycle" | "iterations"; cycleMomentum: boolean; baseMomentum: number | number[];
  maxMomentum: number | number[]; lastEpoch: number };
const CYCLIC_NAMES = ["baseLr", "maxLr", "stepSizeUp", "stepSizeDown", "mode", "gamma", "scaleFn", "scaleMode", "cycleMomentum", "baseMomentum", "maxMomentum", "lastEpoch"];

/**
 * Python: `CyclicLR(optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None,
 * mode='triangular', gamma=1.0, scale_fn=None, scale_mode='cycle', cycle_momentum=True,
 * base_momentum=0.8, max_momentum=0.9, last_epoch=-1)`; step() per batch. With Adam-like
 * optimizers the momentum cycled is beta1 (as PyTorch 2.x; 1.13 refused them).
 */
export class CyclicLR extends LRScheduler {
  maxLrs: number[];
  totalSize: number;
  stepRatio: number;
  mode: CyclicMode;
  gamma: number;
  scaleMode: "cycle" | "iterations";
  cycleMomentum: boolean;
  baseMomentums: number[] = [];
  maxMomentums: number[] = [];
  readonly #scaleFn: (x: number) => number;
  readonly #beta1: boolean;

  constructor(optimizer: AnyOptimizer, ...args: PyArgs<CyclicP, CyclicO>) {
    const fn = "CyclicLR";
    const a = bindArgs(fn, CYCLIC_NAMES, args, 0, ["optimizer"]);
    checkOptimizer(fn, optimizer);
    const lastEpoch = lastEpochOf(fn, a.lastEpoch);
    const baseLrs = perGroup(fn, "base_lr", optimizer, a.baseLr, number(fn, "baseLr"));
    if (lastEpoch === -1) optimizer.paramGroups.forEach((g, i) => ((g as Record<string, unknown>).lr = baseLrs[i]));
    const maxLrs = perGroup(fn, "max_lr", optimizer, a.maxLr, number(fn, "maxLr"));
    const up = a.stepSizeUp === undefined ? 2000 : checkNumberIn(fn, "stepSizeUp", a.stepSizeUp, Number.MIN_VALUE, FINITE, "a number > 0");
    const down = a.stepSizeDown === undefined || a.stepSizeDown === null ? up : checkNumberIn(fn, "stepSizeDown", a.stepSizeDown, 0, FINITE);
    const scaleFn = a.scaleFn === undefined || a.scaleFn === null ? null : (checkFunction(fn, "scaleFn", a.scaleFn) as (x: number) => number);
    const mode = (a.mode ?? "triangular") as CyclicMode;
    if (!["triangular", "triangular2", "exp_range"].includes(mode) && scaleFn === null) throw argError(fn, "mode", '"triangular", "triangular2" or "exp_range" (or give scaleFn)', a.mode);
    const gamma = a.gamma === undefined ? 1 : checkNumberIn(fn, "gamma", a.gamma, 0, FINITE);
    const cycle = a.cycleMomentum === undefined ? true : checkBool(fn, "cycleMomentum", a.cycleMomentum);
    const beta1 = useBeta1(optimizer);
    let baseMs: number[] = [];
    let maxMs: number[] = [];
    if (cycle) {
      if (!("momentum" in optimizer.defaults) && !beta1) throw new TypeError(`${fn}: optimizer must support momentum with \`cycleMomentum\` option enabled`);
      const bm = perGroup(fn, "base_momentum", optimizer, a.baseMomentum ?? 0.8, number(fn, "baseMomentum"));
      if (lastEpoch === -1) optimizer.paramGroups.forEach((g, i) => setMomentum(g, beta1, bm[i]!));
      baseMs = optimizer.paramGroups.map((g) => (beta1 ? (g.betas as number[])[0]! : (g as Record<string, number>).momentum!));
      maxMs = perGroup(fn, "max_momentum", optimizer, a.maxMomentum ?? 0.9, number(fn, "maxMomentum"));
    }
    super(optimizer, lastEpoch);
    this.maxLrs = maxLrs;
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    this.mode = mode;
    this.gamma = gamma;
    this.scaleMode = scaleFn !== null ? ((a.scaleMode ?? "cycle") as "cycle" | "iterations") : mode === "exp_range" ? "iterations" : "cycle";
    this.#scaleFn = scaleFn ?? (mode === "triangular" ? () => 1 : mode === "triangular2" ? (x) => 1 / pow(2, x - 1) : (x) => pow(this.gamma, x));
    this.cycleMomentum = cycle;
    this.baseMomentums = baseMs;
    this.maxMomentums = maxMs;
    this.#beta1 = beta1;
    this.initialStep();
    this.baseLrs = baseLrs;
  }

  protected getLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1 + this.lastEpoch / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const at = this.scaleMode === "cycle" ? cycle : this.lastEpoch;
    const lrs = this.baseLrs.map((base, i) => base + (this.maxLrs[i]! - base) * scaleFactor * this.#scaleFn(at));
    if (this.cycleMomentum) {
      const ms = this.baseMomentums.map((bm, i) => this.maxMomentums[i]! - (this.maxMomentums[i]! - bm) * scaleFactor * this.#scaleFn(at));
      this.groups.forEach((g, i) => setMomentum(g, this.#beta1, ms[i]!));
    }
    return lrs;
  }

  // Python keeps its scale function (_scale_fn_ref, a weakref; _scale_fn_custom) here too,
  // which no checkpoint can hold (1.13 cannot even pickle it): left out, as PyTorch 2.x does.
  protected override ownState(): StateField[] {
    const own = [
      this.field("max_lrs", "maxLrs"), this.field("total_size", "totalSize"), this.field("step_ratio", "stepRatio"),
      this.field("mode", "mode"), this.field("gamma", "gamma"), this.field("scale_mode", "scaleMode"), this.field("cycle_momentum", "cycleMomentum"),
    ];
    return this.cycleMomentum ? [...own, this.field("base_momentums", "baseMomentums"), this.field("max_momentums", "maxMomentums")] : own;
  }
}

export type OneCycleOptions = {
  maxLr: number | number[]; totalSteps: number | null; epochs: number | null; stepsPerEpoch: number | null; pctStart: number;
  annealStrategy: "cos" | "linear"; cycleMomentum: boolean; baseMomentum: number | number[]; maxMomentum: number | number[];
  divFactor: number; finalDivFactor: number; threePhase: boolean; lastEpoch: number;
};
type OneCycleP = [maxLr: number | number[], totalSteps: number | null, epochs: number | null, stepsPerEpoch: number | null, pctStart: number,
  annealStrategy: "cos" | "linear", cycleMomentum: boolean, baseMomentum: number | number[], maxMomentum: number | number[],
  divFactor: number, finalDivFactor: number, threePhase: boolean, lastEpoch: number];
const ONE_CYCLE_NAMES = ["maxLr", "totalSteps", "epochs", "stepsPerEpoch", "pctStart", "annealStrategy", "cycleMomentum", "baseMomentum", "maxMomentum",
  "divFactor", "finalDivFactor", "threePhase", "lastEpoch"];
type Phase = { end_step: number; start_lr: string; end_lr: string; start_momentum: string; end_momentum: string };
const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Python: `OneCycleLR(optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3, anneal_strategy='cos', …)`; step() per batch. */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  schedulePhases: Phase[];
  annealStrategy: "cos" | "linear";
  cycleMomentum: boolean;
  useBeta1: boolean;

  constructor(optimizer: AnyOptimizer, ...args: PyArgs<OneCycleP, OneCycleOptions>) {
    const fn = "OneCycleLR";
    const o = bindArgs(fn, ONE_CYCLE_NAMES, args, 0, ["optimizer"]);
    checkOptimizer(fn, optimizer);
    const positive = "a finite number > 0";
    const maxLrs = perGroup(fn, "max_lr", optimizer, o.maxLr, (v) => checkNumberIn(fn, "maxLr", v, Number.MIN_VALUE, FINITE, positive));
    let total: number;
    const given = (v: unknown) => v !== undefined && v !== null;
    if (given(o.totalSteps)) total = checkPositiveInt(fn, "totalSteps", o.totalSteps);
    else if (given(o.epochs) && given(o.stepsPerEpoch)) total = checkPositiveInt(fn, "epochs", o.epochs) * checkPositiveInt(fn, "stepsPerEpoch", o.stepsPerEpoch);
    else throw new TypeError(`${fn}: you must define either totalSteps OR (epochs AND stepsPerEpoch)`);
    const pct = o.pctStart === undefined ? 0.3 : checkNumberIn(fn, "pctStart", o.pctStart, 0, 1);
    const div = o.divFactor === undefined ? 25 : checkNumberIn(fn, "divFactor", o.divFactor, Number.MIN_VALUE, FINITE, positive);
    const finalDiv = o.finalDivFactor === undefined ? 1e4 : checkNumberIn(fn, "finalDivFactor", o.finalDivFactor, Number.MIN_VALUE, FINITE, positive);
    if (o.annealStrategy !== undefined && o.annealStrategy !== "cos" && o.annealStrategy !== "linear") throw argError(fn, "annealStrategy", '"cos" or "linear"', o.annealStrategy);
    const cycle = o.cycleMomentum === undefined ? true : checkBool(fn, "cycleMomentum", o.cycleMomentum);
    const threePhase = o.threePhase === undefined ? false : checkBool(fn, "threePhase", o.threePhase);
    const lastEpoch = lastEpochOf(fn, o.lastEpoch);
    const groups = optimizer.paramGroups as Record<string, unknown>[];
    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i]! / div;
        g.maxLr = maxLrs[i];
        g.minLr = (g.initialLr as number) / finalDiv;
      });
    }
    const beta1 = useBeta1(optimizer);
    if (cycle) {
      if (!beta1 && !("momentum" in optimizer.defaults)) throw new TypeError(`${fn}: optimizer must support momentum with \`cycleMomentum\` enabled`);
      const maxMs = perGroup(fn, "max_momentum", optimizer, o.maxMomentum ?? 0.95, (v) => checkNumberIn(fn, "maxMomentum", v, 0, 1));
      const baseMs = perGroup(fn, "base_momentum", optimizer, o.baseMomentum ?? 0.85, (v) => checkNumberIn(fn, "baseMomentum", v, 0, 1));
      if (lastEpoch === -1) {
        groups.forEach((g, i) => {
          setMomentum(g, beta1, maxMs[i]!);
          g.maxMomentum = maxMs[i];
          g.baseMomentum = baseMs[i];
        });
      }
    }
    super(optimizer, lastEpoch);
    this.totalSteps = total;
    const phase = (end_step: number, start_lr: string, end_lr: string, start_momentum: string, end_momentum: string): Phase =>
      ({ end_step, start_lr, end_lr, start_momentum, end_momentum });
    this.schedulePhases = threePhase
      ? [phase(pct * total - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
        phase(2 * pct * total - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
        phase(total - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
      : [phase(pct * total - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
        phase(total - 1, "max_lr", "min_lr", "base_momentum", "max_momentum")];
    this.annealStrategy = (o.annealStrategy ?? "cos") as "cos" | "linear";
    this.cycleMomentum = cycle;
    this.useBeta1 = beta1;
    this.initialStep();
  }

  #anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === "linear") return (end - start) * pct + start;
    return end + ((start - end) / 2) * (cos(Math.PI * pct) + 1);
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) throw new RangeError(`OneCycleLR.step: Tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`);
    return this.groups.map((g) => {
      let start = 0;
      let lr = g.lr;
      const phases = this.schedulePhases;
      for (let i = 0; i < phases.length; i++) {
        const ph = phases[i]!;
        if (stepNum <= ph.end_step || i === phases.length - 1) {
          const pct = (stepNum - start) / (ph.end_step - start);
          lr = this.#anneal(g[camel(ph.start_lr)] as number, g[camel(ph.end_lr)] as number, pct);
          if (this.cycleMomentum) setMomentum(g, this.useBeta1, this.#anneal(g[camel(ph.start_momentum)] as number, g[camel(ph.end_momentum)] as number, pct));
          break;
        }
        start = ph.end_step;
      }
      return lr;
    });
  }

  // Python also keeps anneal_func (a bound method, which no checkpoint can hold): the strategy
  // is rebuilt from the constructor's annealStrategy instead.
  protected override ownState(): StateField[] {
    const phases: StateField = {
      key: "_schedule_phases",
      get: () => this.schedulePhases.map((p) => new Map(Object.entries(p))),
      set: (v) => {
        if (!Array.isArray(v)) return;
        this.schedulePhases = v.map((p) => Object.fromEntries([...(p instanceof Map ? p : Object.entries(p as object))].map(([k, x]) => [k, num(x)])) as Phase);
      },
    };
    const own = [this.field("total_steps", "totalSteps"), phases, this.field("cycle_momentum", "cycleMomentum")];
    return this.cycleMomentum ? [...own, this.field("use_beta1", "useBeta1")] : own;
  }
}

type WarmO = { t0: number; tMult: number; etaMin: number; lastEpoch: number };
/** Python: `CosineAnnealingWarmRestarts(optimizer, T_0, T_mult=1, eta_min=0, last_epoch=-1)`. */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  t0: number;
  tI: number;
  tMult: number;
  etaMin: number;
  tCur: number;

  constructor(optimizer: AnyOptimizer, ...args: PyArgs<[t0: number, tMult: number, etaMin: number, lastEpoch: number], WarmO>) {
    const fn = "CosineAnnealingWarmRestarts";
    const a = bindArgs(fn, ["t0", "tMult", "etaMin", "lastEpoch"], args, 0, ["optimizer"]);
    const T0 = checkPositiveInt(fn, "t0", a.t0);
    const tMult = a.tMult === undefined ? 1 : checkPositiveInt(fn, "tMult", a.tMult);
    const etaMin = a.etaMin === undefined ? 0 : checkNumberIn(fn, "etaMin", a.etaMin, 0, FINITE);
    const lastEpoch = lastEpochOf(fn, a.lastEpoch);
    super(optimizer, lastEpoch);
    this.t0 = T0;
    this.tI = T0;
    this.tMult = tMult;
    this.etaMin = etaMin;
    this.tCur = lastEpoch;
    this.initialStep();
  }

  protected override initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + cos((Math.PI * this.tCur) / this.tI))) / 2);
  }

  /** Python: `step(epoch=None)`; epoch may be fractional (e.g. epoch + i / iters within an epoch). */
  override step(epoch?: number): void {
    const fn = "CosineAnnealingWarmRestarts.step";
    let e = epoch;
    if (e === undefined && this.lastEpoch < 0) e = 0;
    if (e === undefined) {
      e = this.lastEpoch + 1;
      this.tCur = this.tCur + 1;
      if (this.tCur >= this.tI) {
        this.tCur = this.tCur - this.tI;
        this.tI = this.tI * this.tMult;
      }
    } else {
      e = checkNumberIn(fn, "epoch", e, 0, FINITE, "a non-negative number");
      if (e >= this.t0) {
        if (this.tMult === 1) {
          this.tCur = e % this.t0;
        } else {
          const n = Math.trunc(log((e / this.t0) * (this.tMult - 1) + 1) / log(this.tMult));
          this.tCur = e - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = e;
      }
    }
    this.lastEpoch = Math.floor(e);
    const lrs = this.getLr();
    this.groups.forEach((g, i) => (g.lr = lrs[i]!));
    this.lastLrs = this.groups.map((g) => g.lr);
  }

  protected override ownState(): StateField[] {
    return [this.field("T_0", "t0"), this.field("T_i", "tI"), this.field("T_mult", "tMult"), this.field("eta_min", "etaMin"), this.field("T_cur", "tCur")];
  }
}
