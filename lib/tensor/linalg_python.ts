// torch.norm, torch.tensordot, torch.cdist and torch.lu: Python code over ATen in PyTorch 1.13
// (torch/functional.py), ported with their Python signatures by the calling rule. Python's
// `out=` keeps its place among the positional parameters but must be null: torch-ts returns a
// new tensor. Tensor.norm and Tensor.lu (torch/_tensor.py) call these.
import type { DType } from "../dtype.js";
import { defineMethods } from "./define_methods.js";
import { Tensor } from "./tensor.js";
import { argError, arrayCopy, checkDType, checkIntList, checkNumber, isInt } from "../validate.js";
import { cdist as cdistAten, frobeniusNorm, linalg, norm as normAten, nuclearNorm, tensordot as tensordotAten } from "./ops.generated.js";
import { bindArgs, boolParam, tensorParam, type PyArgs } from "./python_args.js";

/** Python's `out=None`: torch-ts has no out= tensors. */
function noOut(fn: string, out: unknown): void {
  if (out !== undefined && out !== null) throw argError(fn, "out", "null (torch-ts returns a new tensor; out= is not supported)", out);
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

export type NormOrd = number | bigint | "fro" | "nuc" | null;
type NormO = { p: NormOrd; dim: number | number[] | null; keepdim: boolean; out: null; dtype: DType | null };
type NormP = [p: NormOrd, dim: number | number[] | null, keepdim: boolean, out: null, dtype: DType | null];

function normImpl(fn: string, x: Tensor, a: Record<string, unknown>): Tensor {
  const p = a.p === undefined ? "fro" : a.p;
  if (p !== null && typeof p !== "string" && typeof p !== "number" && typeof p !== "bigint") throw argError(fn, "p", 'a number, "fro", "nuc" or null', p);
  const keepdim = boolParam(fn, "keepdim", a.keepdim, false);
  const dtype = a.dtype === undefined || a.dtype === null ? null : checkDType(fn, "dtype", a.dtype);
  const given = a.dim !== undefined && a.dim !== null;
  const dim = !given ? null : isInt(a.dim) ? [a.dim] : checkIntList(fn, "dim", a.dim);
  // Python's default case: over every element, Frobenius for "fro" (dim=() reduces all).
  if (dim === null && dtype === null && p !== null) {
    if (p === "fro") return frobeniusNorm(x, [], keepdim);
    if (typeof p !== "string") return normAten(x, p, range(x.ndim), keepdim);
  }
  if (typeof p === "string") {
    if (p !== "fro" && p !== "nuc") throw argError(fn, "p", 'a number, "fro", "nuc" or null', p);
    if (dtype !== null) throw new TypeError(`${fn}: dtype is not supported with p=${JSON.stringify(p)} (Python: dtype argument is not supported in ${p === "fro" ? "frobenius" : "nuclear"} norm)`);
    if (p === "fro") return frobeniusNorm(x, dim ?? range(x.ndim), keepdim);
    return dim === null ? nuclearNorm(x, keepdim) : nuclearNorm(x, dim, keepdim);
  }
  const dims = dim ?? range(x.ndim);
  return dtype === null ? normAten(x, p, dims, keepdim) : normAten(x, p, dims, keepdim, { dtype });
}

/**
 * Python: `torch.norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None)`: p is a
 * number (a vector norm over `dim`, all elements by default), "fro" (Frobenius) or "nuc"
 * (nuclear, over the last two dims by default).
 */
export function norm(input: Tensor, ...args: PyArgs<NormP, NormO>): Tensor {
  const fn = "torch.norm";
  const a = bindArgs(fn, ["p", "dim", "keepdim", "out", "dtype"], args);
  const x = tensorParam(fn, "input", input);
  noOut(fn, a.out);
  return normImpl(fn, x, a);
}

type DotDims = number | [number[], number[]] | Tensor;

/** Python's tensordot dims: contract the last n of a with the first n of b, or the listed pairs. */
function contractedDims(fn: string, dims: unknown): [number[], number[]] {
  let n: unknown = dims;
  if (dims instanceof Tensor) {
    if (dims.numel() > 1) {
      const rows = dims.tolist() as unknown[];
      if (rows.length !== 2) throw argError(fn, "dims", "a Tensor of two rows (dims for a, dims for b)", dims);
      return [checkIntList(fn, "dims[0]", rows[0]), checkIntList(fn, "dims[1]", rows[1])];
    }
    n = Number(dims.item());
  }
  if (isInt(n)) {
    if (n < 0) throw argError(fn, "dims", "an integer >= 0", n);
    return [range(n).map((i) => i - n), range(n)];
  }
  const pair = arrayCopy(dims);
  if (pair === undefined || pair.length !== 2) throw argError(fn, "dims", "an integer >= 0, a pair of integer arrays, or a Tensor", dims);
  return [checkIntList(fn, "dims[0]", pair[0]), checkIntList(fn, "dims[1]", pair[1])];
}

/**
 * Python: `torch.tensordot(a, b, dims=2, out=None)`: dims is how many trailing dims of a meet
 * as many leading dims of b, or a pair [dimsOfA, dimsOfB], or a Tensor of either form.
 */
export function tensordot(a: Tensor, b: Tensor, ...args: PyArgs<[dims: DotDims, out: null], { dims: DotDims; out: null }>): Tensor {
  const fn = "torch.tensordot";
  const o = bindArgs(fn, ["dims", "out"], args, 0, ["a", "b"]);
  const x = tensorParam(fn, "a", a);
  const y = tensorParam(fn, "b", b);
  noOut(fn, o.out);
  const [da, db] = contractedDims(fn, o.dims === undefined ? 2 : o.dims);
  return tensordotAten(x, y, da, db);
}

const COMPUTE_MODES = { use_mm_for_euclid_dist_if_necessary: null, use_mm_for_euclid_dist: 1, donot_use_mm_for_euclid_dist: 2 } as const;
export type CdistComputeMode = keyof typeof COMPUTE_MODES;

/**
 * Python: `torch.cdist(x1, x2, p=2., compute_mode="use_mm_for_euclid_dist_if_necessary")`: the
 * p-norm distance between each pair of rows; compute_mode picks the matrix-multiply path for p=2.
 */
export function cdist(x1: Tensor, x2: Tensor, ...args: PyArgs<[p: number, computeMode: CdistComputeMode], { p: number; computeMode: CdistComputeMode }>): Tensor {
  const fn = "torch.cdist";
  const o = bindArgs(fn, ["p", "computeMode"], args, 0, ["x1", "x2"]);
  const a = tensorParam(fn, "x1", x1);
  const b = tensorParam(fn, "x2", x2);
  const p = o.p === undefined ? 2 : checkNumber(fn, "p", o.p);
  const mode = o.computeMode === undefined ? "use_mm_for_euclid_dist_if_necessary" : o.computeMode;
  if (typeof mode !== "string" || !Object.hasOwn(COMPUTE_MODES, mode)) {
    throw argError(fn, "computeMode", Object.keys(COMPUTE_MODES).map((m) => JSON.stringify(m)).join(", ").replace(/, ([^,]*)$/, " or $1"), mode);
  }
  return cdistAten(a, b, p, COMPUTE_MODES[mode as CdistComputeMode]);
}

type LuP = [pivot: boolean, getInfos: boolean, out: null];
type LuO = { pivot: boolean; getInfos: boolean; out: null };
type LuFn = {
  (A: Tensor, pivot: boolean, getInfos: true): [LU: Tensor, pivots: Tensor, infos: Tensor];
  (A: Tensor, options: Partial<LuO> & { getInfos: true }): [LU: Tensor, pivots: Tensor, infos: Tensor];
  (A: Tensor, pivot: boolean, options: Partial<LuO> & { getInfos: true }): [LU: Tensor, pivots: Tensor, infos: Tensor];
  (A: Tensor, ...args: PyArgs<LuP, LuO>): [LU: Tensor, pivots: Tensor];
};

// Python calls torch._lu_with_info, which in 1.13 is linalg_lu_factor_ex (and is gone in 2.x):
// errors are raised unless the infos are asked for.
function luImpl(fn: string, A: unknown, a: Record<string, unknown>): Tensor[] {
  const x = tensorParam(fn, "A", A);
  const pivot = boolParam(fn, "pivot", a.pivot, true);
  const getInfos = boolParam(fn, "getInfos", a.getInfos, false);
  noOut(fn, a.out);
  const [lu, pivots, infos] = linalg.luFactorEx(x, { pivot, checkErrors: !getInfos });
  if (getInfos) return [lu, pivots, infos];
  infos.dispose();
  return [lu, pivots];
}

/**
 * Python: `torch.lu(A, pivot=True, get_infos=False, out=None)`: [LU, pivots] of A's LU
 * factorization (batched), and the LAPACK infos too when getInfos.
 */
export const lu: LuFn = ((A: Tensor, ...args: unknown[]) => luImpl("torch.lu", A, bindArgs("torch.lu", ["pivot", "getInfos", "out"], args, 0, ["A"]))) as LuFn;

type TensorNormP = [p: NormOrd, dim: number | number[] | null, keepdim: boolean, dtype: DType | null];
declare module "./tensor.js" {
  interface Tensor {
    /** Python: `x.norm(p="fro", dim=None, keepdim=False, dtype=None)` (torch.norm). */
    norm(...args: PyArgs<TensorNormP, Omit<NormO, "out">>): Tensor;
    /** Python: `x.lu(pivot=True, get_infos=False)` (torch.lu). */
    lu(pivot: boolean, getInfos: true): [LU: Tensor, pivots: Tensor, infos: Tensor];
    lu(options: { pivot?: boolean; getInfos: true }): [LU: Tensor, pivots: Tensor, infos: Tensor];
    lu(...args: PyArgs<[pivot: boolean, getInfos: boolean], { pivot: boolean; getInfos: boolean }>): [LU: Tensor, pivots: Tensor];
  }
}

defineMethods({
  norm(this: Tensor, ...args: unknown[]) { return normImpl("Tensor.norm", this, bindArgs("Tensor.norm", ["p", "dim", "keepdim", "dtype"], args, 0, ["self"])); },
  lu(this: Tensor, ...args: unknown[]) { return luImpl("Tensor.lu", this, bindArgs("Tensor.lu", ["pivot", "getInfos"], args, 0, ["self"])); },
});
