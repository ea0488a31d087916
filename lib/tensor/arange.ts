// torch.arange with Python's dtype rule: the scalars' kinds decide it as Python's do, where an
// integral JS number (or a bigint, or a boolean) acts as a Python int: torch.arange(10) is
// int64, torch.arange(0, 1, 0.1) float32 (the default float dtype), unless `dtype` is given.
import type { Scalar } from "../../binding.js";
import { native } from "../binding.js";
import { parseDevice, type Device } from "../device.js";
import { DTYPES, type DType } from "../dtype.js";
import { wrap, type Tensor } from "./tensor.js";
import { fn } from "./ops.js";
import { isPlainObject } from "./python_args.js";
import { argError, checkBool, checkDType, checkInt64, checkOptions } from "../validate.js";

export interface ArangeOptions {
  start?: Scalar;
  end?: Scalar;
  step?: Scalar;
  dtype?: DType;
  device?: Device | "auto";
  requiresGrad?: boolean;
}

const FN = "torch.arange";
/** ATen's arange.start_step, for integers past 2^53 (native.arange takes doubles). */
const arangeAten = fn<(start: Scalar, end: Scalar, step: Scalar, options: { dtype: DType; device: string | null }) => Tensor>(FN, "arange",
  ["arange.start_step(Scalar start, Scalar end, Scalar step=1, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor"]);
const OPTIONS = ["start", "end", "step", "dtype", "device", "requiresGrad"] as const;

function scalar(arg: string, v: unknown): Scalar {
  if (typeof v === "number" || typeof v === "boolean") return v;
  if (typeof v === "bigint") return checkInt64(FN, arg, v);
  throw argError(FN, arg, "a number", v);
}

/**
 * Python: `torch.arange(end)` / `torch.arange(start, end, step=1, *, dtype=None, device=None,
 * requires_grad=False)`: [start, end) by step. int64 when every bound is an integer (an
 * integral number, bigint or boolean), else float32, unless `dtype` says otherwise.
 */
export function arange(end: Scalar, options?: ArangeOptions): Tensor;
export function arange(start: Scalar, end: Scalar, options?: ArangeOptions): Tensor;
export function arange(start: Scalar, end: Scalar, step?: Scalar, options?: ArangeOptions): Tensor;
export function arange(options: ArangeOptions & { end: Scalar }): Tensor;
export function arange(...args: unknown[]): Tensor {
  const o = args.length > 0 && isPlainObject(args[args.length - 1]) ? checkOptions(FN, args.pop(), OPTIONS) : {};
  if (args.length > 3) throw new TypeError(`${FN}: expected at most 3 positional arguments (start, end, step), but received ${args.length}`);
  // One positional number is `end`, unless end comes as an option (Python's arange(start, end=…)).
  const names = args.length === 1 && o.end === undefined ? ["end"] : ["start", "end", "step"];
  const given: Record<string, unknown> = { ...o };
  args.forEach((v, i) => {
    if (o[names[i]!] !== undefined) throw new TypeError(`${FN}: ${names[i]} was given both positionally and in the options`);
    given[names[i]!] = v;
  });
  if (given.end === undefined) throw new TypeError(`${FN}: missing argument end`);
  const start = given.start === undefined ? 0 : scalar("start", given.start);
  const end = scalar("end", given.end);
  const step = given.step === undefined ? 1 : scalar("step", given.step);
  if (step === 0 || step === 0n || step === false) throw argError(FN, "step", "nonzero", step);
  // A JS number past 2^53 is a float, as a scalar operand is (native ToScalar): x.add(2 ** 62) is float too.
  const integral = [start, end, step].every((v) => typeof v !== "number" || (Number.isInteger(v) && Math.abs(v) <= 2 ** 53));
  const dtype = o.dtype === undefined ? (integral ? "int64" : "float32") : checkDType(FN, "dtype", o.dtype);
  const device = o.device === undefined ? null : parseDevice(FN, "device", o.device);
  const requiresGrad = o.requiresGrad === undefined ? false : checkBool(FN, "requiresGrad", o.requiresGrad);
  const safe = [start, end, step].every((v) => typeof v !== "bigint" || (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)));
  if (safe) return wrap(native.arange(Number(start), Number(end), Number(step), DTYPES[dtype].code, device, requiresGrad));
  const t = arangeAten(start, end, step, { dtype, device });
  if (!requiresGrad) return t;
  try {
    return t.requiresGrad_(true); // libtorch refuses it for integer dtypes, as PyTorch does
  } catch (err) {
    t.dispose();
    throw err;
  }
}
