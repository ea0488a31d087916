// What every optimizer constructor shares: its arguments bound by the calling rule
// (Python's positional parameters in order, or one trailing options object), the defaults
// filled in and checked by the optimizer's table, and the Python-only flags refused clearly.
// Also the per-parameter state helpers every update reads.
import { keep } from "../memory.js";
import { full } from "../tensor/creation.js";
import { Tensor } from "../tensor/index.js";
import { TorchError } from "../errors.js";
import { isPlainObject } from "../tensor/python_args.js";
import { checkOptions } from "../validate.js";
import { checkHyperParams, type Hyper, type HyperSpec, type ParamState } from "./optimizer.js";

/**
 * The options of Python's signature that torch-ts does not implement: accepted when they ask
 * for Python's default (false / null), refused otherwise, naming the flag.
 */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  capturable: "CUDA-graph capture of optimizer steps",
  differentiable: "differentiating through the optimizer step",
  fused: "fused optimizer kernels",
};

/**
 * Python's constructor arguments after `params`: `positional` are the names Python lets be
 * passed positionally (camelCase, in order), the options object may carry those and the
 * keyword-only ones; `fallback` holds every hyper-parameter's default, in PyTorch's order.
 */
export function bindHyper<H extends Record<string, Hyper>>(
  fn: string, args: readonly unknown[], positional: readonly string[], fallback: H, spec: HyperSpec,
  extra: readonly string[] = [],
): H {
  let given = args;
  let options: Record<string, unknown> = {};
  const names = Object.keys(fallback);
  if (args.length > 0 && isPlainObject(args[args.length - 1])) {
    // Python's capturable / differentiable / fused: false is Python's default and is accepted;
    // they are not listed among the options a message suggests.
    const raw = { ...(args[args.length - 1] as Record<string, unknown>) };
    for (const name of extra) {
      if (!(name in raw)) continue;
      if (raw[name] !== false && raw[name] !== undefined) throw new TorchError(`${fn}: ${name}=true (${UNSUPPORTED[name]}) is not supported by torch-ts; leave it false`);
      delete raw[name];
    }
    options = checkOptions(fn, raw, names);
    given = args.slice(0, -1);
  }
  if (given.length > positional.length) {
    throw new TypeError(`${fn}: expected at most ${positional.length + 1} positional arguments (params, ${positional.join(", ")}), but received ${given.length + 1}`);
  }
  const bound: Record<string, unknown> = { ...options };
  given.forEach((v, i) => {
    const name = positional[i]!;
    if (name in options) throw new TypeError(`${fn}: ${name} was given both positionally and in the options`);
    bound[name] = v;
  });
  for (const name of extra) {
    if (name in bound && bound[name] !== false && bound[name] !== undefined) {
      throw new TorchError(`${fn}: ${name}=true (${UNSUPPORTED[name]}) is not supported by torch-ts; leave it false`);
    }
    delete bound[name];
  }
  const h: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fallback)) {
    const b = bound[k];
    h[k] = b === undefined ? v : Array.isArray(b) ? [...(b as unknown[])] : b;
  }
  checkHyperParams(fn, h, spec);
  return h as H;
}

/**
 * A 0-dim float32 state tensor (step, eta, mu, mu_product), as PyTorch's `torch.tensor(x)`.
 * Made inside step()'s tidy: kept.
 */
export const scalarState = (value: number): Tensor => keep(full([], value, { dtype: "float32" }));

/**
 * A state entry that must be a tensor. A number (a step saved by PyTorch before 1.12, when it
 * was an int) becomes a float32 tensor, as PyTorch's __setstate__ converts it.
 */
export function stateTensor(fn: string, state: ParamState, key: string, hint = ""): Tensor {
  const v = state.get(key);
  if (v instanceof Tensor) return v;
  if (typeof v === "number" || typeof v === "bigint") {
    const t = scalarState(Number(v));
    state.set(key, t);
    return t;
  }
  throw new TorchError(`${fn}.step: a parameter's state has no ${key} tensor${hint}`);
}

/** Python's `step_t += 1; step = step_t.item()`: the float32 step tensor advanced, read back. */
export function advanceStep(fn: string, state: ParamState, key = "step"): number {
  const t = stateTensor(fn, state, key);
  t.add_(1);
  return t.item();
}

/** Python's `state['step'] += 1` where step is an int (Adadelta, RMSprop, Rprop, SparseAdam). */
export function advanceIntStep(state: ParamState): number {
  const v = state.get("step");
  const n = (v instanceof Tensor ? v.item() : typeof v === "number" || typeof v === "bigint" ? Number(v) : 0) + 1;
  if (v instanceof Tensor) v.fill_(n);
  else state.set("step", n);
  return n;
}

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/**
 * The param_group keys PyTorch writes: its defaults dict's keys in order (the fallback's, snake
 * cased), then the Python-only flags with the value they always have here.
 */
export function groupKeys(fallback: Record<string, Hyper>, pythonOnly: [string, Hyper][] = []): [string, Hyper][] {
  return [...Object.keys(fallback).map((k): [string, Hyper] => [snake(k), null]), ...pythonOnly];
}
