// optim.Adam and optim.AdamW: the op sequences of PyTorch's single-tensor and foreach
// implementations, run natively for a whole parameter group, so the same gradients give the
// same parameters.
import { native } from "../binding.js";
import { keep } from "../memory.js";
import { zerosLike, full } from "../tensor/creation.js";
import { TorchError } from "../errors.js";
import { handleOf, Tensor } from "../tensor/index.js";
import { checkOptions } from "../validate.js";
import { checkHyperParams, hyper, Optimizer, type HyperSpec, type ParamGroup, type ParamState, type ParamsArg, type ParamUpdate, type Hyper } from "./optimizer.js";

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  /**
   * Python's `foreach`: true updates each group with ATen's _foreach_* kernels (a few launches
   * for the whole group), false parameter by parameter. null (the default) picks foreach when
   * every parameter of the group is on CUDA, as PyTorch 2.x does.
   */
  foreach?: boolean | null;
}
type AdamHyper = { lr: number; betas: number[]; eps: number; weightDecay: number; amsgrad: boolean; maximize: boolean; foreach: boolean | null };

const ADAM_OPTIONS = ["lr", "betas", "eps", "weightDecay", "amsgrad", "maximize", "foreach"] as const;
/**
 * Adam's hyper-parameters checked as PyTorch's Adam.__init__ checks them (`not 0.0 <= lr`
 * refuses NaN too), and finite besides: an infinite lr or eps turns every weight to NaN.
 */
const ADAM_SPEC: HyperSpec = {
  lr: hyper.number(0, "a finite learning rate >= 0"),
  betas: hyper.betas,
  eps: hyper.number(0),
  weightDecay: hyper.number(0),
  amsgrad: hyper.bool,
  maximize: hyper.bool,
  foreach: hyper.boolOrNull,
};

/** The options given, the fallback for those left undefined, checked (betas copied). */
function adamHyper(fn: string, o: Record<string, unknown>, fallback: AdamHyper): AdamHyper {
  const h = Object.fromEntries(Object.entries(fallback).map(([k, v]) => [k, o[k] === undefined ? v : o[k]])) as AdamHyper;
  checkHyperParams(fn, h, ADAM_SPEC);
  return { ...h, betas: [...h.betas] };
}

function adamDefaults(fn: string, options: unknown, weightDecay: number): AdamHyper {
  const fallback = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay, amsgrad: false, maximize: false, foreach: null };
  return adamHyper(fn, checkOptions(fn, options, ADAM_OPTIONS), fallback);
}

abstract class AdamBase extends Optimizer<AdamHyper> {
  /** AdamW decays the weights directly instead of adding weight_decay * p to the gradient. */
  protected abstract readonly decoupled: boolean;

  protected override checkGroup(fn: string, group: Record<string, unknown>, where?: string): void {
    checkHyperParams(fn, group, ADAM_SPEC, where);
  }

  protected initState(p: Tensor, group: ParamGroup<AdamHyper>): ParamState {
    // step is a float32 0-dim tensor, as PyTorch keeps it (state dicts carry tensor(n.)).
    const s: ParamState = new Map<string, Tensor | number | null>([
      ["step", keep(full([], 0, { dtype: "float32" }))],
      ["exp_avg", keep(zerosLike(p))],
      ["exp_avg_sq", keep(zerosLike(p))],
    ]);
    if (group.amsgrad) s.set("max_exp_avg_sq", keep(zerosLike(p)));
    return s;
  }

  /**
   * The whole group in one native call (native/optim.cc): PyTorch's single-tensor or foreach op
   * sequence, op for op, so the parameters equal PyTorch's bit for bit.
   */
  protected updateGroup(ready: readonly ParamUpdate[], group: ParamGroup<AdamHyper>): void {
    const { lr, eps, weightDecay, amsgrad, maximize } = group;
    const foreach = group.foreach ?? ready.every(([p]) => p.device.startsWith("cuda"));
    const [beta1, beta2] = group.betas as [number, number];
    const take = (key: string) => ready.map(([, , state]) => handleOf(stateTensor(this.constructor.name, state, key)));
    native.adamStep(
      ready.map(([p]) => handleOf(p)), ready.map(([, grad]) => handleOf(grad)), take("exp_avg"), take("exp_avg_sq"),
      amsgrad ? take("max_exp_avg_sq") : null, take("step"),
      { lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, decoupled: this.decoupled, foreach },
    );
  }
}

/**
 * A state entry as a tensor. A step saved as a plain number (PyTorch before 1.12) becomes a
 * float32 tensor, as PyTorch's Adam does on its first step after loading such a state.
 */
function stateTensor(fn: string, state: ParamState, key: string): Tensor {
  const v = state.get(key);
  if (v instanceof Tensor) return v;
  if (key === "step" && (typeof v === "number" || typeof v === "bigint")) {
    const t = keep(full([], Number(v), { dtype: "float32" }));
    state.set(key, t);
    return t;
  }
  const why = key === "max_exp_avg_sq" ? " (amsgrad was off when this state was made)" : "";
  throw new TorchError(`${fn}.step: a parameter's state has no ${key} tensor${why}`);
}

/** Python: `torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, maximize=False)`. */
export class Adam extends AdamBase {
  protected readonly decoupled = false;
  protected readonly pytorchGroupKeys: [string, Hyper][] = [
    ["lr", null], ["betas", null], ["eps", null], ["weight_decay", null], ["amsgrad", null], ["maximize", null],
    ["foreach", null], ["capturable", false], ["differentiable", false], ["fused", false],
  ];

  constructor(params: ParamsArg<AdamHyper>, options?: AdamOptions) {
    super(params, adamDefaults("optim.Adam", options, 0));
  }
}

/** Python: `torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False)`. */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  protected readonly pytorchGroupKeys: [string, Hyper][] = [
    ["lr", null], ["betas", null], ["eps", null], ["weight_decay", null], ["amsgrad", null],
    ["foreach", null], ["maximize", null], ["capturable", false],
  ];

  constructor(params: ParamsArg<AdamHyper>, options?: AdamOptions) {
    super(params, adamDefaults("optim.AdamW", options, 1e-2));
  }
}
