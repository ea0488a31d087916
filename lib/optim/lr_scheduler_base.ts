// optim.lr_scheduler's base: PyTorch 1.13's _LRScheduler (initial_lr, base_lrs, the chainable
// step(), the deprecated step(epoch) through the closed form) and its state dict: the same
// keys in the same order as Python's `scheduler.__dict__` minus the optimizer, so a scheduler
// checkpoint moves between Python and TypeScript.
import { argError, checkInt } from "../validate.js";
import { Optimizer } from "./optimizer.js";

/**
 * Any optimizer. A scheduler reads and writes only group fields (lr, initial_lr, momentum,
 * betas, …); the `any` keeps every Optimizer<H> assignable whatever its H.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOptimizer = Optimizer<any>;
export type Group = Record<string, unknown> & { lr: number };

/** One entry of a scheduler's state dict: its Python key, how to read and restore it. */
export interface StateField {
  readonly key: string;
  readonly get: () => unknown;
  readonly set: (value: unknown) => void;
}

/** A pickled int arrives as a bigint; every number the schedulers keep is a JS number. */
export const num = (v: unknown): unknown => (typeof v === "bigint" ? Number(v) : Array.isArray(v) ? v.map(num) : v);

/** The entries of a Map or plain object (what torch.load returns, or JSON). */
export function entriesOf(fn: string, sd: unknown): Map<string, unknown> {
  if (sd instanceof Map) return sd as Map<string, unknown>;
  if (sd !== null && typeof sd === "object" && !Array.isArray(sd)) return new Map(Object.entries(sd));
  throw argError(fn, "stateDict", "a Map or an object", sd);
}

/** lastEpoch: -1 for a fresh schedule, the epoch reached when resuming. */
export function lastEpochOf(fn: string, value: unknown): number {
  if (value === undefined) return -1;
  const e = checkInt(fn, "lastEpoch", value);
  if (e < -1) throw argError(fn, "lastEpoch", "an integer >= -1", e);
  return e;
}

/** Python's _format_param: one value per param group (a list of that length, or one for all). */
export function perGroup(fn: string, name: string, optimizer: AnyOptimizer, value: unknown, check: (v: unknown) => number): number[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(value)) {
    if (value.length !== n) throw new TypeError(`${fn}: expected ${n} values for ${name}, got ${value.length}`);
    return value.map(check);
  }
  return new Array<number>(n).fill(check(value));
}

export function checkOptimizer(fn: string, optimizer: unknown): AnyOptimizer {
  if (!(optimizer instanceof Optimizer)) throw argError(fn, "optimizer", "an Optimizer", optimizer);
  return optimizer;
}

/** Python: `torch.optim.lr_scheduler._LRScheduler` (LRScheduler in 2.x). */
export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  baseLrs: number[];
  lastEpoch: number;
  verbose = false;
  /** Python's `_step_count`. */
  stepCount = 0;
  protected lastLrs: number[] = [];

  constructor(optimizer: AnyOptimizer, lastEpoch = -1) {
    const fn = new.target.name;
    this.optimizer = checkOptimizer(fn, optimizer);
    const groups = this.groups;
    if (lastEpoch === -1) {
      for (const g of groups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (g.initialLr === undefined) throw new TypeError(`${fn}: param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** Subclasses call this at the end of their constructor (Python's _initial_step). */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  protected get groups(): Group[] {
    return this.optimizer.paramGroups as unknown as Group[];
  }

  /** Python's get_lr(): the chainable form, from the groups' current lr. */
  protected abstract getLr(): number[];
  /** Python's _get_closed_form_lr(), where the class has one (used by step(epoch)). */
  protected closedFormLr?(): number[];

  /** Python: `scheduler.step(epoch=None)`; an explicit epoch is Python's deprecated form. */
  step(epoch?: number): void {
    this.stepCount++;
    let lrs: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      lrs = this.getLr();
    } else {
      this.lastEpoch = checkInt(`${this.constructor.name}.step`, "epoch", epoch);
      lrs = this.closedFormLr ? this.closedFormLr() : this.getLr();
    }
    this.groups.forEach((g, i) => (g.lr = lrs[i]!));
    this.lastLrs = this.groups.map((g) => g.lr);
  }

  /** Python: `get_last_lr()`. */
  getLastLr(): number[] {
    return [...this.lastLrs];
  }

  /** The keys a subclass sets before the base's (Python assigns them before super().__init__). */
  protected ownState(): StateField[] {
    return [];
  }

  /** Keys after the base's (set after super().__init__, or added by state_dict itself). */
  protected laterState(): StateField[] {
    return [];
  }

  /** A field of this object under its Python key. */
  protected field(key: string, name: string, check: (v: unknown) => unknown = num): StateField {
    const self = this as unknown as Record<string, unknown>;
    return { key, get: () => copy(self[name]), set: (v) => (self[name] = check(v)) };
  }

  #fields(): StateField[] {
    return [
      ...this.ownState(),
      this.field("base_lrs", "baseLrs"), this.field("last_epoch", "lastEpoch"), this.field("verbose", "verbose"),
      this.field("_step_count", "stepCount"),
      { key: "_get_lr_called_within_step", get: () => false, set: () => {} },
      this.field("_last_lr", "lastLrs"),
      ...this.laterState(),
    ];
  }

  /** Python: `state_dict()`: the scheduler's fields, PyTorch's names and order. */
  stateDict(): Map<string, unknown> {
    return new Map(this.#fields().map((f) => [f.key, f.get()]));
  }

  /** Python: `load_state_dict(state_dict)`: every key given is restored (others are kept). */
  loadStateDict(stateDict: Map<string, unknown> | Record<string, unknown>): void {
    const sd = entriesOf(`${this.constructor.name}.loadStateDict`, stateDict);
    for (const f of this.#fields()) if (sd.has(f.key)) f.set(sd.get(f.key));
  }
}

function copy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copy);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, copy(x)]));
  return v;
}
