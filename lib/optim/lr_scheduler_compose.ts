// Schedulers made of schedulers (torch.optim.lr_scheduler 1.13): SequentialLR switches from
// one to the next at milestones, ChainedScheduler steps them all each time. Their state dicts
// nest the children's under `_schedulers`, as PyTorch's.
import { bindArgs, type PyArgs } from "../tensor/python_args.js";
import { argError } from "../validate.js";
import { entriesOf, lastEpochOf, LRScheduler, type AnyOptimizer } from "./lr_scheduler_base.js";
import { checkOptimizer } from "./lr_scheduler_base.js";

function checkSchedulers(fn: string, schedulers: unknown): LRScheduler[] {
  if (!Array.isArray(schedulers) || schedulers.length === 0 || !schedulers.every((s) => s instanceof LRScheduler)) {
    throw argError(fn, "schedulers", "a non-empty array of LR schedulers", schedulers);
  }
  return [...schedulers];
}

const bisectRight = (xs: number[], x: number) => {
  let i = 0;
  while (i < xs.length && xs[i]! <= x) i++;
  return i;
};

function nested(own: Map<string, unknown>, schedulers: LRScheduler[]): Map<string, unknown> {
  own.set("_schedulers", schedulers.map((s) => s.stateDict()));
  return own;
}

function loadNested(fn: string, sd: Map<string, unknown>, schedulers: LRScheduler[]): void {
  const saved = sd.get("_schedulers");
  if (saved === undefined) return;
  if (!Array.isArray(saved) || saved.length !== schedulers.length) throw argError(fn, "stateDict._schedulers", `a list of ${schedulers.length} state dicts`, saved);
  saved.forEach((s, i) => schedulers[i]!.loadStateDict(s as Map<string, unknown>));
}

/** Python: `SequentialLR(optimizer, schedulers, milestones, last_epoch=-1)`. */
export class SequentialLR {
  readonly optimizer: AnyOptimizer;
  readonly schedulers: LRScheduler[];
  milestones: number[];
  lastEpoch: number;
  #lastLr: number[];

  constructor(optimizer: AnyOptimizer, schedulers: LRScheduler[], ...args: PyArgs<[milestones: number[], lastEpoch: number], { milestones: number[]; lastEpoch: number }>) {
    const fn = "SequentialLR";
    const a = bindArgs(fn, ["milestones", "lastEpoch"], args, 0, ["optimizer", "schedulers"]);
    this.optimizer = checkOptimizer(fn, optimizer);
    this.schedulers = checkSchedulers(fn, schedulers);
    this.schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer) throw new TypeError(`${fn}: Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index ${i} to be different than the optimizer passed in.`);
    });
    if (!Array.isArray(a.milestones) || !a.milestones.every(Number.isSafeInteger)) throw argError(fn, "milestones", "an array of integers", a.milestones);
    if (a.milestones.length !== this.schedulers.length - 1) {
      throw new TypeError(`${fn}: Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${this.schedulers.length} and the number of milestones to be equal to ${a.milestones.length}`);
    }
    this.milestones = [...(a.milestones as number[])];
    this.lastEpoch = lastEpochOf(fn, a.lastEpoch) + 1;
    for (const g of optimizer.paramGroups as Record<string, unknown>[]) g.lr = g.initialLr;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    (this.schedulers[0] as unknown as { initialStep(): void }).initialStep();
    this.#lastLr = this.schedulers[0]!.getLastLr();
  }

  /** Python: `step()`. */
  step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const s = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.#lastLr = s.getLastLr();
  }

  getLastLr(): number[] {
    return [...this.#lastLr];
  }

  stateDict(): Map<string, unknown> {
    return nested(new Map<string, unknown>([["_milestones", [...this.milestones]], ["last_epoch", this.lastEpoch], ["_last_lr", this.getLastLr()]]), this.schedulers);
  }

  loadStateDict(stateDict: Map<string, unknown> | Record<string, unknown>): void {
    const sd = entriesOf("SequentialLR.loadStateDict", stateDict);
    if (Array.isArray(sd.get("_milestones"))) this.milestones = (sd.get("_milestones") as unknown[]).map(Number);
    if (sd.has("last_epoch")) this.lastEpoch = Number(sd.get("last_epoch"));
    if (Array.isArray(sd.get("_last_lr"))) this.#lastLr = (sd.get("_last_lr") as unknown[]).map(Number);
    loadNested("SequentialLR.loadStateDict", sd, this.schedulers);
  }
}

/** Python: `ChainedScheduler(schedulers)`: every scheduler steps at each step(). */
export class ChainedScheduler {
  readonly optimizer: AnyOptimizer;
  readonly schedulers: LRScheduler[];
  #lastLr: number[];

  constructor(schedulers: LRScheduler[]) {
    const fn = "ChainedScheduler";
    this.schedulers = checkSchedulers(fn, schedulers);
    this.schedulers.forEach((s, i) => {
      if (s.optimizer !== this.schedulers[0]!.optimizer) throw new TypeError(`${fn}: ChainedScheduler expects all schedulers to belong to the same optimizer, but got schedulers at index 0 and ${i} to be different`);
    });
    this.optimizer = this.schedulers[0]!.optimizer;
    this.#lastLr = this.#lrs();
  }

  #lrs(): number[] {
    return this.schedulers[this.schedulers.length - 1]!.optimizer.paramGroups.map((g) => (g as { lr: number }).lr);
  }

  step(): void {
    for (const s of this.schedulers) s.step();
    this.#lastLr = this.#lrs();
  }

  getLastLr(): number[] {
    return [...this.#lastLr];
  }

  stateDict(): Map<string, unknown> {
    return nested(new Map<string, unknown>([["_last_lr", this.getLastLr()]]), this.schedulers);
  }

  loadStateDict(stateDict: Map<string, unknown> | Record<string, unknown>): void {
    const sd = entriesOf("ChainedScheduler.loadStateDict", stateDict);
    if (Array.isArray(sd.get("_last_lr"))) this.#lastLr = (sd.get("_last_lr") as unknown[]).map(Number);
    loadNested("ChainedScheduler.loadStateDict", sd, this.schedulers);
  }
}
