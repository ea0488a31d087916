// Automatic mixed precision, as torch.autocast and torch.cuda.amp.GradScaler.
import { native } from "./binding.js";
import { stack } from "./tensor/functions.js";
import { DTYPES, type DType } from "./dtype.js";
import { TorchError } from "./errors.js";
import { tidy } from "./memory.js";
import { refuseThenable } from "./sync_scope.js";
import type { Optimizer, Hyper } from "./optim/optimizer.js";
import { Tensor } from "./tensor/index.js";
import { argError, checkBool, checkNumber, checkOptions, checkPositiveInt } from "./validate.js";

export type AutocastDevice = "cpu" | "cuda";

/**
 * Python: `with torch.autocast(device_type, dtype=None, enabled=True): …`. Inside fn, ops that
 * autocast lists run in `dtype` (default float16 on CUDA, bfloat16 on CPU, as PyTorch); the
 * state is thread-local and restored when fn returns or throws. fn must be synchronous.
 */
export function autocast<T>(deviceType: AutocastDevice, fn: () => T, options?: { dtype?: "float16" | "bfloat16"; enabled?: boolean }): T {
  if (deviceType !== "cpu" && deviceType !== "cuda") throw argError("torch.autocast", "deviceType", '"cpu" or "cuda"', deviceType);
  if (typeof fn !== "function") throw argError("torch.autocast", "fn", "a function", fn);
  const o = checkOptions("torch.autocast", options, ["dtype", "enabled"]);
  const dtype = (o.dtype ?? (deviceType === "cuda" ? "float16" : "bfloat16")) as DType;
  if (dtype !== "float16" && dtype !== "bfloat16") throw argError("torch.autocast", "dtype", '"float16" or "bfloat16"', o.dtype);
  const enabled = o.enabled === undefined ? true : checkBool("torch.autocast", "enabled", o.enabled);
  if (enabled && deviceType === "cuda" && native.cudaDeviceCount() === 0) {
    throw new TorchError('torch.autocast: device_type "cuda" was requested but CUDA is not available');
  }
  const [wasEnabled, wasDtype] = native.autocastEnter(deviceType, enabled, DTYPES[dtype].code);
  try {
    const result = fn();
    refuseThenable(result, "torch.autocast: fn must be synchronous, but it returned a Promise (autocast state is not carried across await)");
    return result;
  } finally {
    native.autocastExit(deviceType, wasEnabled, wasDtype);
  }
}

/** Python: `torch.is_autocast_enabled()` (CUDA) / `torch.is_autocast_cpu_enabled()`. */
export function isAutocastEnabled(deviceType: AutocastDevice = "cuda"): boolean {
  if (deviceType !== "cpu" && deviceType !== "cuda") throw argError("torch.isAutocastEnabled", "deviceType", '"cpu" or "cuda"', deviceType);
  return native.isAutocastEnabled(deviceType);
}

export interface GradScalerOptions {
  initScale?: number;
  growthFactor?: number;
  backoffFactor?: number;
  growthInterval?: number;
  enabled?: boolean;
}

/** What GradScaler needs of an optimizer: its parameters and step() (Adam, AdamW, SGD, …). */
type AnyOptimizer = Pick<Optimizer<Record<string, Hyper>>, "step"> & { readonly paramGroups: readonly { readonly params: readonly Tensor[] }[] };

/**
 * Python: `torch.cuda.amp.GradScaler` — loss scaling for float16 training: scale the loss,
 * unscale the gradients, skip the step when any gradient is inf/NaN, and grow or back off the
 * scale. Works on any device (PyTorch 1.13 only on CUDA; its fused kernels are replaced here
 * by ordinary ops with one host sync per step).
 */
export class GradScaler {
  #scale: number;
  readonly #growthFactor: number;
  readonly #backoffFactor: number;
  readonly #growthInterval: number;
  readonly #enabled: boolean;
  #growthTracker = 0;
  // Per optimizer since the last update(): "unscaled" (found inf or not) or "stepped".
  #states = new Map<AnyOptimizer, { unscaled: boolean; foundInf: boolean; stepped: boolean }>();

  constructor(options?: GradScalerOptions) {
    const fn = "amp.GradScaler";
    const o = checkOptions(fn, options, ["initScale", "growthFactor", "backoffFactor", "growthInterval", "enabled"]);
    this.#scale = o.initScale === undefined ? 2 ** 16 : checkNumber(fn, "initScale", o.initScale);
    this.#growthFactor = o.growthFactor === undefined ? 2 : checkNumber(fn, "growthFactor", o.growthFactor);
    this.#backoffFactor = o.backoffFactor === undefined ? 0.5 : checkNumber(fn, "backoffFactor", o.backoffFactor);
    this.#growthInterval = o.growthInterval === undefined ? 2000 : checkPositiveInt(fn, "growthInterval", o.growthInterval);
    this.#enabled = o.enabled === undefined ? true : checkBool(fn, "enabled", o.enabled);
    // PyTorch's own checks (torch/cuda/amp/grad_scaler.py).
    if (!(this.#scale > 0)) throw new RangeError(`${fn}: initScale must be positive, got ${this.#scale}`);
    if (!(this.#growthFactor > 1)) throw new RangeError(`${fn}: The growth factor must be > 1.0.`);
    if (!(this.#backoffFactor < 1 && this.#backoffFactor > 0)) throw new RangeError(`${fn}: The backoff factor must be < 1.0.`);
  }

  /** Python: `is_enabled()`. */
  isEnabled(): boolean {
    return this.#enabled;
  }

  /** Python: `get_scale()`: the current scale (1 when disabled). */
  getScale(): number {
    return this.#enabled ? this.#scale : 1;
  }

  /** Python: `scale(outputs)`: the loss multiplied by the scale (unchanged when disabled). */
  scale(loss: Tensor): Tensor {
    if (!(loss instanceof Tensor)) throw argError("GradScaler.scale", "outputs", "a Tensor", loss);
    return this.#enabled ? loss.mul(this.#scale) : loss;
  }

  /** Python: `unscale_(optimizer)`: divides the optimizer's gradients by the scale, in place. */
  unscale_(optimizer: AnyOptimizer): void {
    if (!this.#enabled) return;
    const state = this.#stateOf(optimizer);
    if (state.unscaled) throw new TorchError("unscale_() has already been called on this optimizer since the last update().");
    if (state.stepped) throw new TorchError("unscale_() is being called after step().");
    const grads = optimizer.paramGroups.flatMap((g) => g.params).flatMap((p) => (p.grad === null ? [] : [p.grad]));
    const inv = 1 / this.#scale;
    state.foundInf = tidy(() => {
      if (grads.length === 0) return false;
      for (const g of grads) g.mul_(inv);
      // 0 * x is 0 for every finite x and NaN for ±inf and NaN: one sum, one sync, no
      // false alarm from large finite values overflowing a plain sum.
      const probe = stack(grads.map((g) => g.mul(0).sum().float())).sum();
      return !Number.isFinite(probe.item() as number);
    });
    state.unscaled = true;
  }

  /**
   * Python: `step(optimizer)`: unscales if needed, then runs optimizer.step() unless a
   * gradient was inf/NaN (the step is skipped). Returns what optimizer.step returned.
   */
  step(optimizer: AnyOptimizer): number | undefined {
    if (!this.#enabled) return optimizer.step();
    const state = this.#stateOf(optimizer);
    if (state.stepped) throw new TorchError("step() has already been called since the last update().");
    if (!state.unscaled) this.unscale_(optimizer);
    state.stepped = true;
    return state.foundInf ? undefined : optimizer.step();
  }

  /**
   * Python: `update(new_scale=None)`: backs the scale off after an inf/NaN, grows it after
   * `growthInterval` clean steps in a row, or sets `newScale`.
   */
  update(newScale?: number): void {
    if (!this.#enabled) return;
    if (newScale !== undefined) {
      this.#scale = checkNumber("GradScaler.update", "newScale", newScale);
    } else {
      if (this.#states.size === 0) throw new TorchError("No inf checks were recorded prior to update.");
      const foundInf = [...this.#states.values()].some((s) => s.foundInf);
      if (foundInf) {
        this.#scale *= this.#backoffFactor;
        this.#growthTracker = 0;
      } else if (++this.#growthTracker === this.#growthInterval) {
        this.#scale *= this.#growthFactor;
        this.#growthTracker = 0;
      }
    }
    this.#states = new Map();
  }

  /** Python: `state_dict()` (PyTorch's keys). */
  stateDict(): Map<string, number> {
    if (!this.#enabled) return new Map();
    return new Map([
      ["scale", this.#scale], ["growth_factor", this.#growthFactor], ["backoff_factor", this.#backoffFactor],
      ["growth_interval", this.#growthInterval], ["_growth_tracker", this.#growthTracker],
    ]);
  }

  /** Python: `load_state_dict(state_dict)`: restores the scale and growth tracker. */
  loadStateDict(stateDict: Map<string, unknown> | Record<string, unknown>): void {
    const get = (k: string) => (stateDict instanceof Map ? stateDict.get(k) : stateDict[k]);
    if (!this.#enabled) return;
    if (get("scale") === undefined) throw new TorchError("The source state dict is either empty or corrupted.");
    this.#scale = checkNumber("GradScaler.loadStateDict", "scale", get("scale"));
    this.#growthTracker = checkNumber("GradScaler.loadStateDict", "_growth_tracker", get("_growth_tracker") ?? 0);
  }

  #stateOf(optimizer: AnyOptimizer) {
    if (optimizer === null || typeof optimizer !== "object" || !Array.isArray((optimizer as { paramGroups?: unknown }).paramGroups)) {
      throw argError("GradScaler", "optimizer", "an optimizer", optimizer);
    }
    let s = this.#states.get(optimizer);
    if (s === undefined) this.#states.set(optimizer, (s = { unscaled: false, foundInf: false, stepped: false }));
    return s;
  }
}
