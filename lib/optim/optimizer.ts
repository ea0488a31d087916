// optim.Optimizer: parameter groups, per-parameter state, zeroGrad, and state dicts in
// PyTorch's layout ({state: {index: {...}}, param_groups: [{..., params: [indices]}]}) so an
// optimizer checkpoint moves between Python and TypeScript.
import { noGrad } from "../autograd.js";
import { tidy } from "../memory.js";
import { zeroGradOf } from "../nn/module.js";
import { Tensor } from "../tensor/index.js";
import { TorchError } from "../errors.js";
import { argError, checkBool, checkFunction, checkOptions, closestName, describe } from "../validate.js";

/** A hyper-parameter value as PyTorch stores it (betas is a pair). */
export type Hyper = number | boolean | null | string | number[];
export type ParamGroup<H> = H & { params: Tensor[] } & Record<string, unknown>;
export type ParamsArg<H> = Iterable<Tensor> | Array<{ params: Iterable<Tensor> } & Partial<H>>;
/** One parameter's state: PyTorch's keys (exp_avg, momentum_buffer, step, …). */
export type ParamState = Map<string, ParamStateValue>;
/** A state value: a tensor, a number, or (LBFGS's history) a list of them. */
export type ParamStateValue = Tensor | number | null | (Tensor | number | null)[];
/** A parameter that has a gradient, with its state: what one step updates. */
export type ParamUpdate = readonly [param: Tensor, grad: Tensor, state: ParamState];

/** The state dict of an optimizer, PyTorch's layout and key names. */
export interface OptimizerStateDict {
  state: Map<number, Map<string, unknown>>;
  param_groups: Map<string, unknown>[];
}

/**
 * How one hyper-parameter is checked: `ok` accepts a value, `expected` words what is accepted
 * in the message. One table per optimizer, read by checkHyperParams at construction,
 * addParamGroup, loadStateDict and every step(), so all four refuse a value in the same words.
 */
export interface HyperCheck {
  readonly ok: (value: unknown) => boolean;
  readonly expected: string;
}
export type HyperSpec = Readonly<Record<string, HyperCheck>>;

const FINITE = Number.MAX_VALUE;
/** The checks optimizers' tables are made of (NaN and infinities are never finite numbers). */
export const hyper = {
  /** A finite number >= min (no min: any finite number). `expected` rewords the message. */
  number(min?: number, expected?: string): HyperCheck {
    const lo = min ?? -FINITE;
    return {
      ok: (v) => typeof v === "number" && v >= lo && v <= FINITE,
      expected: expected ?? (min === undefined ? "a finite number" : `a finite number >= ${min}`),
    };
  },
  bool: { ok: (v: unknown) => typeof v === "boolean", expected: "a boolean" } as HyperCheck,
  boolOrNull: { ok: (v: unknown) => v === null || typeof v === "boolean", expected: "a boolean or null" } as HyperCheck,
  /** A pair of finite numbers, each accepted by `each` (Rprop's etas and step_sizes). */
  pair(each: (v: number) => boolean, expected: string): HyperCheck {
    return { ok: (v) => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "number" && Math.abs(x) <= FINITE && each(x)), expected };
  },
  /** One of a few values (LBFGS's line_search_fn). */
  oneOf(values: readonly unknown[], expected: string): HyperCheck {
    return { ok: (v) => values.includes(v), expected };
  },
  /** Adam's betas: two numbers in [0, 1). */
  betas: {
    ok: (v: unknown) => Array.isArray(v) && v.length === 2 && v.every((b) => typeof b === "number" && b >= 0 && b < 1),
    expected: "a pair of numbers in [0, 1)",
  } as HyperCheck,
};

/**
 * The one hyper-parameter checker: every key of `spec` in `group` (defaults already filled
 * in), in the table's order. `where` prefixes the name in the message (step() passes
 * "paramGroups[i].", so the message says which group was changed).
 */
export function checkHyperParams(fn: string, group: Record<string, unknown>, spec: HyperSpec, where = ""): void {
  for (const [key, check] of Object.entries(spec)) {
    if (!check.ok(group[key])) throw argError(fn, `${where}${key}`, check.expected, group[key]);
  }
}

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function entries(value: unknown): [unknown, unknown][] {
  if (value instanceof Map) return [...value.entries()];
  if (value !== null && typeof value === "object") return Object.entries(value);
  throw new TypeError(`optimizer state dict: expected a Map or an object, but received ${typeof value}`);
}

/** Python: `torch.optim.Optimizer`. */
export abstract class Optimizer<H extends Record<string, Hyper>> {
  readonly defaults: H;
  readonly paramGroups: ParamGroup<H>[] = [];
  /** Per-parameter state, keyed by the parameter tensor (Python: `optimizer.state`). */
  readonly state = new Map<Tensor, ParamState>();
  /**
   * The param_group keys PyTorch writes, in its order, each with the value used when the
   * group has no such field (keys only PyTorch has, like foreach, are written as given).
   */
  protected abstract readonly pytorchGroupKeys: [key: string, fallback: Hyper][];

  constructor(params: ParamsArg<H>, defaults: H) {
    const fn = `optim.${new.target.name}`;
    this.defaults = defaults;
    // A lone Tensor is iterable in Python too, and PyTorch refuses it the same way: optimizing
    // its rows is never what was meant.
    if (params === null || typeof params !== "object" || params instanceof Tensor || !(Symbol.iterator in params)) {
      throw new TypeError(`${fn}: params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${describe(params)}`);
    }
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new TypeError(`${fn}: optimizer got an empty parameter list`);
    const isGroup = (x: unknown) => x !== null && typeof x === "object" && !(x instanceof Tensor) && !Array.isArray(x);
    if (!list.every(isGroup)) {
      const odd = list.find((x) => !(x instanceof Tensor));
      if (odd !== undefined) throw new TypeError(`${fn}: optimizer can only optimize Tensors, but one of the params is ${describe(odd)}`);
    }
    const groups = (list.every(isGroup) ? list : [{ params: list as Tensor[] }]) as Array<{ params: Iterable<Tensor> } & Partial<H>>;
    for (const g of groups) this.addParamGroup(g);
  }

  /**
   * Checks a group's hyper-parameters (the defaults filled in) with checkHyperParams and the
   * optimizer's table, as its constructor checks its options (a subclass without checks
   * accepts any). `where` goes before each name in messages. Runs inside the base
   * constructor: it must not use instance fields.
   */
  protected checkGroup(_fn: string, _group: Record<string, unknown>, _where?: string): void {}

  /**
   * Every group as step() will read it: hyper-parameters are plain fields that anything may
   * have reassigned since construction (a scheduler, user code), so all groups are checked
   * before any parameter is touched; a refused step leaves every weight as it was.
   */
  protected checkGroupsForStep(fn: string): void {
    this.paramGroups.forEach((group, i) => {
      const where = `paramGroups[${i}].`;
      const params = (group as { params?: unknown }).params;
      if (!Array.isArray(params)) throw argError(fn, `${where}params`, "an array of Tensors", params);
      params.forEach((p, j) => {
        if (!(p instanceof Tensor)) throw argError(fn, `${where}params[${j}]`, "a Tensor", p);
      });
      this.checkGroup(fn, group, where);
    });
  }

  /** Python: `add_param_group(param_group)`. */
  addParamGroup(group: { params: Iterable<Tensor> } & Partial<H>): void {
    const fn = `${this.constructor.name}.addParamGroup`;
    if (group === null || typeof group !== "object" || Array.isArray(group)) throw argError(fn, "group", "an object with params", group);
    const given = (group as { params?: unknown }).params;
    if (!(given instanceof Tensor) && (given === null || typeof given !== "object" || !(Symbol.iterator in given))) {
      throw argError(fn, "params", "a Tensor or an iterable of Tensors", given);
    }
    const params = given instanceof Tensor ? [given] : [...(given as Iterable<unknown>)];
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new TypeError(`${fn}: optimizer can only optimize Tensors, but one of the params is ${describe(p)}`);
      if (!p.isLeaf) throw new TorchError("can't optimize a non-leaf Tensor");
    }
    // Other keys are kept, as PyTorch keeps them (a group's "name", a scheduler's fields); one
    // that looks like a misspelt hyper-parameter (Python's weight_decay) would silently do nothing.
    const names = Object.keys(this.defaults);
    for (const k of Object.keys(group)) {
      if (k === "params" || names.includes(k)) continue;
      const hint = closestName(k, names);
      if (hint !== undefined) throw new TypeError(`${fn}: unknown hyper-parameter ${JSON.stringify(k)} (did you mean ${JSON.stringify(hint)}?)`);
    }
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => seen.has(p as Tensor))) throw new TorchError("some parameters appear in more than one parameter group");
    const full = { ...group, params } as Record<string, unknown>;
    for (const [k, v] of Object.entries(this.defaults)) if (full[k] === undefined) full[k] = Array.isArray(v) ? [...v] : v;
    this.checkGroup(fn, full);
    this.paramGroups.push(full as ParamGroup<H>);
  }

  /** Python: `zero_grad(set_to_none=True)` (PyTorch 2.x's default; 1.13's was False). */
  zeroGrad(options?: { setToNone?: boolean }): void {
    const o = checkOptions(`${this.constructor.name}.zeroGrad`, options, ["setToNone"]);
    const setToNone = o.setToNone === undefined ? true : checkBool(`${this.constructor.name}.zeroGrad`, "setToNone", o.setToNone);
    for (const g of this.paramGroups) for (const p of g.params) zeroGradOf(p, setToNone);
  }

  /** Python: `step(closure=None)`: one update of every parameter that has a gradient. */
  step(closure?: () => number): number | undefined {
    const fn = `${this.constructor.name}.step`;
    if (closure !== undefined) checkFunction(fn, "closure", closure);
    this.checkGroupsForStep(fn);
    const loss = closure === undefined ? undefined : closure();
    // Python's step() runs under @torch.no_grad(); the closure above ran with grad enabled.
    for (const group of this.paramGroups) {
      tidy(() => noGrad(() => {
        const ready: ParamUpdate[] = [];
        for (const p of group.params) {
          const grad = p.grad;
          if (grad === null) continue;
          let state = this.state.get(p);
          if (state === undefined) {
            state = this.initState(p, group);
            this.state.set(p, state);
          }
          ready.push([p, grad, state]);
        }
        if (ready.length > 0) this.updateGroup(ready, group);
      }));
    }
    return loss;
  }

  /** Creates a parameter's state on its first step (inside step()'s tidy: use torch.keep). */
  protected abstract initState(p: Tensor, group: ParamGroup<H>): ParamState;
  /**
   * Updates the group's parameters that have gradients, as PyTorch's single-tensor
   * implementation does (inside step()'s tidy and noGrad).
   */
  protected abstract updateGroup(ready: readonly ParamUpdate[], group: ParamGroup<H>): void;

  /**
   * Python: `state_dict()`. Parameters are numbered in group order; tensors in `state` are
   * the optimizer's own (not copies). Hyper-parameter keys are PyTorch's (weight_decay, …).
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    for (const g of this.paramGroups) for (const p of g.params) if (!index.has(p)) index.set(p, index.size);
    const state = new Map<number, Map<string, unknown>>();
    for (const [p, s] of this.state) state.set(index.get(p)!, new Map(s));
    const groups = this.paramGroups.map((g) => {
      const out = new Map<string, unknown>();
      const fields = g as Record<string, unknown>;
      for (const [k, fallback] of this.pytorchGroupKeys) out.set(k, fields[camel(k)] ?? fallback);
      // Keys added later (a scheduler's initial_lr) follow, as in PyTorch's dicts.
      for (const [k, v] of Object.entries(g)) if (k !== "params" && !out.has(snake(k))) out.set(snake(k), v);
      out.set("params", g.params.map((p) => index.get(p)!));
      return out;
    });
    return { state, param_groups: groups };
  }

  /**
   * Python: `load_state_dict(state_dict)`: hyper-parameters and per-parameter state from a
   * dict in PyTorch's layout (as torch.load returns it: Maps, or plain objects). State
   * tensors are copied to each parameter's device (and dtype, for floating point).
   */
  loadStateDict(stateDict: OptimizerStateDict | Record<string, unknown> | Map<string, unknown>): void {
    const sd = new Map(entries(stateDict) as [string, unknown][]);
    const groups = sd.get("param_groups");
    if (!Array.isArray(groups)) throw new TypeError("loadStateDict: state dict has no param_groups list");
    if (groups.length !== this.paramGroups.length) throw new TorchError("loaded state dict has a different number of parameter groups");
    const byIndex = new Map<number, Tensor>();
    groups.forEach((saved, gi) => {
      const g = new Map(entries(saved) as [string, unknown][]);
      const ids = g.get("params");
      const own = this.paramGroups[gi]!;
      if (!Array.isArray(ids) || ids.length !== own.params.length) {
        throw new TorchError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
      }
      ids.forEach((id, i) => byIndex.set(Number(id), own.params[i]!));
    });
    // Keys only PyTorch uses (foreach, fused, …) are not hyper-parameters here.
    const pytorchOnly = new Set(this.pytorchGroupKeys.map(([k]) => k).filter((k) => !(camel(k) in this.defaults)));
    // Hyper-parameters are checked before anything is applied, so a bad file leaves the
    // optimizer as it was instead of failing at step(). A pickled int (Python's lr=1, or a
    // huge integral lr) arrives as a bigint: it is a number here.
    const number = (v: unknown) => (typeof v === "bigint" ? Number(v) : v);
    const updates = groups.map((saved, gi) => {
      const next: Record<string, unknown> = { ...this.paramGroups[gi]! };
      for (const [k, v] of entries(saved) as [string, unknown][]) {
        if (k === "params" || pytorchOnly.has(k)) continue;
        next[camel(k)] = Array.isArray(v) ? v.map(number) : number(v);
      }
      this.checkGroup(`${this.constructor.name}.loadStateDict`, next);
      return next;
    });
    for (const [id, saved] of entries(sd.get("state") ?? new Map())) {
      const p = byIndex.get(Number(id));
      if (p === undefined) continue;
      const s: ParamState = new Map();
      for (const [k, v] of entries(saved) as [string, unknown][]) {
        if (v instanceof Tensor) {
          const dtype = k !== "step" && v.dtype.startsWith("float") ? p.dtype : v.dtype;
          const moved = v.to({ device: p.device, dtype });
          s.set(k, moved === v ? v.clone() : moved);
        } else {
          s.set(k, v as number | null);
        }
      }
      const old = this.state.get(p);
      if (old) for (const v of old.values()) if (v instanceof Tensor) v.dispose();
      this.state.set(p, s);
    }
    updates.forEach((next, gi) => Object.assign(this.paramGroups[gi]!, next));
  }
}
