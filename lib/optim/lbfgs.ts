// optim.LBFGS, as PyTorch 1.13's: one parameter group, step(closure) re-evaluating the loss,
// the two-loop recursion over a bounded history, optionally the strong-Wolfe line search.
// Its state lives on the first parameter, with PyTorch's keys (func_evals, n_iter, d, t,
// old_dirs, old_stps, ro, H_diag, prev_flat_grad, prev_loss, al).
import { enableGrad, noGrad } from "../autograd.js";
import { keep, tidy } from "../memory.js";
import { cat } from "../tensor/functions.js";
import { zeros } from "../tensor/creation.js";
import type { PyArgs } from "../tensor/python_args.js";
import { Tensor } from "../tensor/index.js";
import { TorchError } from "../errors.js";
import { argError, checkFunction } from "../validate.js";
import { strongWolfe } from "./lbfgs_line_search.js";
import { bindHyper, groupKeys } from "./options.js";
import { checkHyperParams, hyper, Optimizer, type HyperSpec, type ParamState, type ParamsArg, type ParamUpdate } from "./optimizer.js";
import { div, le, min, mul, scalar, type Num } from "./pynum.js";

interface LBFGSFields {
  lr: number; maxIter: number; maxEval: number | null; toleranceGrad: number; toleranceChange: number; historySize: number;
  lineSearchFn: "strong_wolfe" | null;
}
/** The options object of the constructor: any of them, camelCase keys. */
export type LBFGSOptions = Partial<LBFGSFields>;
export type LBFGSHyper = { lr: number; maxIter: number; maxEval: number; toleranceGrad: number; toleranceChange: number; historySize: number; lineSearchFn: string | null };
type LBFGSP = [lr: number, maxIter: number, maxEval: number | null, toleranceGrad: number, toleranceChange: number, historySize: number, lineSearchFn: "strong_wolfe" | null];

const posInt = { ok: (v: unknown) => Number.isSafeInteger(v) && (v as number) > 0, expected: "a positive integer" };
const SPEC: HyperSpec = {
  lr: hyper.number(0, "a finite learning rate >= 0"), maxIter: posInt, maxEval: posInt,
  toleranceGrad: hyper.number(), toleranceChange: hyper.number(), historySize: posInt,
  lineSearchFn: hyper.oneOf([null, "strong_wolfe"], '"strong_wolfe" or null'),
};
const FALLBACK: LBFGSHyper = { lr: 1, maxIter: 20, maxEval: 0, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearchFn: null };

const tensorsOf = (st: ParamState) =>
  new Set([...st.values()].flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v): v is Tensor => v instanceof Tensor));

/** A tensor, number or list put in the optimizer state, kept past step()'s tidy. */
function keepAll<T>(v: T): T {
  if (v instanceof Tensor) keep(v);
  else if (Array.isArray(v)) v.forEach((x) => x instanceof Tensor && keep(x));
  return v;
}

/** Python: `torch.optim.LBFGS(params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9, history_size=100, line_search_fn=None)`. */
export class LBFGS extends Optimizer<LBFGSHyper> {
  protected readonly pytorchGroupKeys = groupKeys(FALLBACK);
  readonly #params: Tensor[];

  constructor(params: ParamsArg<LBFGSHyper>, ...args: PyArgs<LBFGSP, LBFGSFields>) {
    const fn = "optim.LBFGS";
    const orNull = { ok: (v: unknown) => v === null || posInt.ok(v), expected: "a positive integer or null" };
    const h = bindHyper(fn, args, ["lr", "maxIter", "maxEval", "toleranceGrad", "toleranceChange", "historySize", "lineSearchFn"],
      { ...FALLBACK, maxEval: null } as unknown as LBFGSHyper, { ...SPEC, maxEval: orNull });
    // Python: max_eval = max_iter * 5 // 4 when None.
    if ((h.maxEval as number | null) === null) h.maxEval = Math.floor((h.maxIter * 5) / 4);
    super(params, h);
    if (this.paramGroups.length !== 1) throw new TypeError("optim.LBFGS: LBFGS doesn't support per-parameter options (parameter groups)");
    this.#params = this.paramGroups[0]!.params;
  }

  protected override checkGroup(fn: string, group: Record<string, unknown>, where?: string): void {
    checkHyperParams(fn, group, SPEC, where);
  }

  protected initState(): ParamState {
    return new Map();
  }

  /** Never called: LBFGS overrides step() (it re-evaluates the closure many times per step). */
  protected updateGroup(_ready: readonly ParamUpdate[]): void {
    throw new TorchError("LBFGS.step: the per-group update is not LBFGS's algorithm");
  }

  #flatGrad(): Tensor {
    return cat(this.#params.map((p) => {
      const g = p.grad;
      return g === null ? zeros([p.numel()], { dtype: p.dtype, device: p.device }) : g.reshape([-1]);
    }), 0);
  }

  #addGrad(stepSize: Num, update: Tensor): void {
    let offset = 0;
    const alpha = scalar(stepSize);
    for (const p of this.#params) {
      const n = p.numel();
      p.add_(update.slice(0, offset, offset + n).viewAs(p), { alpha });
      offset += n;
    }
  }

  /** Python: `step(closure)`; the closure re-evaluates the model and returns the loss. */
  override step(closure?: () => number): number | undefined {
    const fn = "LBFGS.step";
    if (closure === undefined) throw new TypeError(`${fn}: LBFGS needs a closure that re-evaluates the model and returns the loss`);
    checkFunction(fn, "closure", closure);
    this.checkGroupsForStep(fn);
    const evaluate = (): number => {
      const v = enableGrad(() => closure()) as unknown;
      if (typeof v === "number") return v;
      if (v instanceof Tensor) return v.item();
      throw argError(fn, "closure", "a function returning the loss (a number or a one-element Tensor)", v);
    };
    return tidy(() => noGrad(() => this.#step(evaluate)));
  }

  #step(closure: () => number): number {
    const group = this.paramGroups[0]!;
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearchFn, historySize } = group;
    const p0 = this.#params[0]!;
    let state = this.state.get(p0);
    if (state === undefined) this.state.set(p0, (state = new Map()));
    const st = state;
    if (!st.has("func_evals")) st.set("func_evals", 0);
    if (!st.has("n_iter")) st.set("n_iter", 0);
    const bump = (k: string, by = 1) => st.set(k, (st.get(k) as number) + by);

    const before = tensorsOf(st);
    const origLoss = closure();
    let loss = origLoss;
    let currentEvals = 1;
    bump("func_evals");
    let flatGrad = this.#flatGrad();
    if (flatGrad.abs().max().le(toleranceGrad).item()) return origLoss;

    let d = st.get("d") as Tensor | undefined;
    let t = st.get("t") as Num | undefined;
    let oldDirs = st.get("old_dirs") as Tensor[] | undefined;
    let oldStps = st.get("old_stps") as Tensor[] | undefined;
    let ro = st.get("ro") as Tensor[] | undefined;
    let hDiag = st.get("H_diag") as Num | undefined;
    let prevFlatGrad = st.get("prev_flat_grad") as Tensor | undefined | null;
    let prevLoss = st.get("prev_loss") as number | undefined;

    let nIter = 0;
    while (nIter < maxIter) {
      nIter++;
      bump("n_iter");
      if (st.get("n_iter") === 1) {
        d = flatGrad.neg();
        oldDirs = [];
        oldStps = [];
        ro = [];
        hDiag = 1;
      } else {
        const y = flatGrad.sub(prevFlatGrad!);
        const s = d!.mul(t!);
        const ys = y.dot(s);
        if (ys.gt(1e-10).item()) {
          if (oldDirs!.length === historySize) {
            oldDirs!.shift();
            oldStps!.shift();
            ro!.shift();
          }
          oldDirs!.push(y);
          oldStps!.push(s);
          ro!.push(div(1, ys) as Tensor);
          hDiag = ys.div(y.dot(y));
        }
        const numOld = oldDirs!.length;
        if (!st.has("al")) st.set("al", new Array<null>(historySize).fill(null));
        const al = st.get("al") as (Tensor | null)[];
        const q = flatGrad.neg();
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = oldStps![i]!.dot(q).mul(ro![i]!);
          q.add_(oldDirs![i]!, { alpha: -al[i]!.item() });
        }
        const r = q.mul(hDiag!);
        d = r;
        for (let i = 0; i < numOld; i++) {
          const be = oldDirs![i]!.dot(r).mul(ro![i]!);
          r.add_(oldStps![i]!, { alpha: al[i]!.sub(be).item() });
        }
      }
      if (prevFlatGrad === undefined || prevFlatGrad === null) prevFlatGrad = flatGrad.clone();
      else prevFlatGrad.copy_(flatGrad);
      prevLoss = loss;
      t = st.get("n_iter") === 1 ? mul(min(1, div(1, flatGrad.abs().sum())), lr) : lr;
      const gtd = flatGrad.dot(d!);
      if (gtd.gt(-toleranceChange).item()) break;

      let lsFuncEvals = 0;
      let optCond = false;
      if (lineSearchFn !== null) {
        const xInit = this.#params.map((p) => p.clone());
        const objFunc = (x: Tensor[], tt: Num, dd: Tensor): [number, Tensor] => {
          this.#addGrad(tt, dd);
          const l = closure();
          const g = this.#flatGrad();
          this.#params.forEach((p, i) => p.copy_(x[i]!));
          return [l, g];
        };
        [loss, flatGrad, t, lsFuncEvals] = strongWolfe(objFunc, xInit, t, d!, loss, flatGrad, gtd);
        this.#addGrad(t, d!);
        optCond = Boolean(flatGrad.abs().max().le(toleranceGrad).item());
      } else {
        this.#addGrad(t, d!);
        if (nIter !== maxIter) {
          loss = closure();
          flatGrad = this.#flatGrad();
          optCond = Boolean(flatGrad.abs().max().le(toleranceGrad).item());
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      bump("func_evals", lsFuncEvals);
      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      if (le(d!.mul(t).abs().max(), toleranceChange)) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }
    const next: [string, unknown][] = [["d", d], ["t", t], ["old_dirs", oldDirs], ["old_stps", oldStps], ["ro", ro], ["H_diag", hDiag],
      ["prev_flat_grad", prevFlatGrad], ["prev_loss", prevLoss]];
    for (const [k, v] of next) st.set(k, keepAll(v) as never);
    keepAll(st.get("al"));
    // What the state held before and no longer holds (the old direction, history dropped off
    // the end) was kept by an earlier step: freed here.
    const now = tensorsOf(st);
    for (const v of before) if (!now.has(v) && !v.isDisposed) v.dispose();
    return origLoss;
  }
}

