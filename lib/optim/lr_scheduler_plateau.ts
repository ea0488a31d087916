// optim.lr_scheduler.ReduceLROnPlateau (1.13): lowers the lr when a metric stops improving.
// Not an LRScheduler (as in PyTorch 1.13, it has no get_lr); its state dict is its fields.
import { Tensor } from "../tensor/index.js";
import { bindArgs, type PyArgs } from "../tensor/python_args.js";
import { argError, checkNonNegInt, checkNumber, checkNumberIn } from "../validate.js";
import { checkOptimizer, entriesOf, num, perGroup, type AnyOptimizer } from "./lr_scheduler_base.js";

type Mode = "min" | "max";
type ThresholdMode = "rel" | "abs";
type PlateauP = [mode: Mode, factor: number, patience: number, threshold: number, thresholdMode: ThresholdMode, cooldown: number, minLr: number | number[], eps: number];
type PlateauO = { mode: Mode; factor: number; patience: number; threshold: number; thresholdMode: ThresholdMode; cooldown: number; minLr: number | number[]; eps: number };

/** Python: `ReduceLROnPlateau(optimizer, mode='min', factor=0.1, patience=10, threshold=1e-4, threshold_mode='rel', cooldown=0, min_lr=0, eps=1e-8)`. */
export class ReduceLROnPlateau {
  readonly optimizer: AnyOptimizer;
  factor: number;
  minLrs: number[];
  patience: number;
  verbose = false;
  cooldown: number;
  cooldownCounter = 0;
  mode: Mode;
  threshold: number;
  thresholdMode: ThresholdMode;
  best: number;
  numBadEpochs = 0;
  modeWorse: number;
  eps: number;
  lastEpoch = 0;
  #lastLr: number[] = [];

  constructor(optimizer: AnyOptimizer, ...args: PyArgs<PlateauP, PlateauO>) {
    const fn = "ReduceLROnPlateau";
    const a = bindArgs(fn, ["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps"], args, 0, ["optimizer"]);
    this.factor = a.factor === undefined ? 0.1 : checkNumberIn(fn, "factor", a.factor, 0, 1 - Number.EPSILON / 2, "a number < 1.0 (Factor should be < 1.0.)");
    this.optimizer = checkOptimizer(fn, optimizer);
    this.minLrs = perGroup(fn, "min_lr", optimizer, a.minLr ?? 0, (v) => checkNumberIn(fn, "minLr", v, 0, Number.MAX_VALUE));
    this.patience = a.patience === undefined ? 10 : checkNonNegInt(fn, "patience", a.patience);
    this.cooldown = a.cooldown === undefined ? 0 : checkNonNegInt(fn, "cooldown", a.cooldown);
    this.eps = a.eps === undefined ? 1e-8 : checkNumberIn(fn, "eps", a.eps, 0, Number.MAX_VALUE);
    this.mode = "min";
    this.threshold = 1e-4;
    this.thresholdMode = "rel";
    this.modeWorse = Infinity;
    this.#initIsBetter(fn, a.mode ?? "min", a.threshold ?? 1e-4, a.thresholdMode ?? "rel");
    this.best = this.modeWorse;
  }

  #initIsBetter(fn: string, mode: unknown, threshold: unknown, thresholdMode: unknown): void {
    if (mode !== "min" && mode !== "max") throw argError(fn, "mode", '"min" or "max"', mode);
    if (thresholdMode !== "rel" && thresholdMode !== "abs") throw argError(fn, "thresholdMode", '"rel" or "abs"', thresholdMode);
    this.mode = mode;
    this.threshold = checkNumber(fn, "threshold", threshold);
    this.thresholdMode = thresholdMode;
    this.modeWorse = mode === "min" ? Infinity : -Infinity;
  }

  isBetter(a: number, best: number): boolean {
    if (this.mode === "min" && this.thresholdMode === "rel") return a < best * (1 - this.threshold);
    if (this.mode === "min") return a < best - this.threshold;
    if (this.thresholdMode === "rel") return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Python: `step(metrics, epoch=None)`: metrics a number or a one-element tensor. */
  step(metrics: number | Tensor, epoch?: number): void {
    const fn = "ReduceLROnPlateau.step";
    const current = metrics instanceof Tensor ? Number(metrics.item()) : checkNumber(fn, "metrics", metrics);
    const e = epoch === undefined ? this.lastEpoch + 1 : checkNumber(fn, "epoch", epoch);
    this.lastEpoch = e;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.#reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.#lastLr = this.optimizer.paramGroups.map((g) => (g as { lr: number }).lr);
  }

  #reduceLr(): void {
    (this.optimizer.paramGroups as { lr: number }[]).forEach((g, i) => {
      const old = Number(g.lr);
      const next = Math.max(old * this.factor, this.minLrs[i]!);
      if (old - next > this.eps) g.lr = next;
    });
  }

  getLastLr(): number[] {
    return [...this.#lastLr];
  }

  #fields(): [string, keyof this & string][] {
    return [["factor", "factor"], ["min_lrs", "minLrs"], ["patience", "patience"], ["verbose", "verbose"], ["cooldown", "cooldown"],
      ["cooldown_counter", "cooldownCounter"], ["mode", "mode"], ["threshold", "threshold"], ["threshold_mode", "thresholdMode"], ["best", "best"],
      ["num_bad_epochs", "numBadEpochs"], ["mode_worse", "modeWorse"], ["eps", "eps"], ["last_epoch", "lastEpoch"]];
  }

  /** Python: `state_dict()`: its fields, PyTorch's names and order (`_last_lr` once stepped). */
  stateDict(): Map<string, unknown> {
    const sd = new Map<string, unknown>(this.#fields().map(([k, f]) => [k, Array.isArray(this[f]) ? [...(this[f] as unknown[])] : this[f]]));
    if (this.#lastLr.length > 0) sd.set("_last_lr", this.getLastLr());
    return sd;
  }

  loadStateDict(stateDict: Map<string, unknown> | Record<string, unknown>): void {
    const fn = "ReduceLROnPlateau.loadStateDict";
    const sd = entriesOf(fn, stateDict);
    for (const [k, f] of this.#fields()) if (sd.has(k)) (this as Record<string, unknown>)[f] = num(sd.get(k));
    if (Array.isArray(sd.get("_last_lr"))) this.#lastLr = (sd.get("_last_lr") as unknown[]).map(Number);
    this.#initIsBetter(fn, this.mode, this.threshold, this.thresholdMode);
  }
}
