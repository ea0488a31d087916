// Client of test/reference/module_replay.py (PyTorch 1.13's module test databases, each case
// built and run by PyTorch) and the pieces the replay needs to redo a case in torch-ts: the
// decoder of constructor arguments (functions included), the calling rule for constructors and
// forwards, and a dtype-aware comparison of nested outputs.
import type * as Torch from "torch-ts";
import { camel } from "../../lib/tensor/op_call.js";
import { decodeValue, type Encoded } from "./opinfo.js";
import type { PlanFn } from "./opinfo_plan.js";
import { ReferenceSession } from "./session.js";

type TorchModule = typeof Torch;

export type Source = "module_db" | "module_tests" | "new_module_tests" | "criterion_tests";
export const SOURCES: Source[] = ["module_db", "module_tests", "new_module_tests", "criterion_tests"];

export interface ModuleCase {
  id: string;
  source: Source;
  /** Python's class name (type(module).__name__), "FunctionalModule" for wrap_functional entries. */
  cls: string;
  desc: string;
  dtype: "float32" | "float64";
  training: boolean;
  /** torch.manual_seed before the forward (random modules draw the same numbers). */
  seed: number;
  /** A Lazy* module: one no-grad forward initialises it before the state dict is loaded. */
  lazy: boolean;
  /** repr(module) right after construction. */
  repr: string;
  /** Constructor arguments by the calling rule (keyword names still Python's). */
  ctor?: { args: Encoded[]; kwargs: Record<string, Encoded> };
  ctorError?: string;
  /** wrap_functional(fn, **kwargs): the plan of fn and its keyword arguments. */
  functional?: { plan: { fn: PlanFn } | { unsupported: string }; kwargs: Record<string, Encoded> };
  state?: [string, Encoded][];
  inputs?: { args: Encoded[]; kwargs: Record<string, Encoded> };
  output?: Encoded;
  outputError?: string;
  /** named_buffers() after the forward (BatchNorm's running statistics in train mode). */
  buffers?: [string, Encoded][];
  /** Cotangents of the floating outputs that require grad (depth-first), input leaves' paths and gradients, parameters' gradients. */
  grad?: null | { error: string } | { cotangents: Encoded[]; paths: string[]; grads: (Encoded | null)[]; params: [string, Encoded | null][] };
  /** Why PyTorch's side could not make this case into data (complex, sparse, …): a failure. */
  skip?: string;
}

export interface CasesReply {
  torch: string;
  total: number;
  tolerance: Record<"float32" | "float64", { rtol: number; atol: number }>;
  cases: ModuleCase[];
}

export class ModuleReplaySession {
  readonly #py = new ReferenceSession("module_replay.py");

  cases(source: Source, start: number, stop: number): Promise<CasesReply> {
    return this.#py.request<CasesReply>({ cmd: "cases", source, start, stop });
  }

  close(): void {
    this.#py.close();
  }
}

/** Python's keyword as torch-ts's option key: snake_case to camelCase, a leading underscore dropped (_random_samples: randomSamples). */
export const optionKey = (k: string): string => camel(k.replace(/^_+/, ""));

/** decodeValue, plus {"$fn": "nn.functional.gelu"} as torch-ts's function (undefined when absent: the call then reports it). */
export function decodeArg(v: Encoded | undefined, torch: TorchModule): unknown {
  if (Array.isArray(v)) return v.map((x) => decodeArg(x, torch));
  if (v !== null && typeof v === "object") {
    if ("$fn" in v) {
      const path = (v as { $fn: string }).$fn;
      const f = path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[camel(k)], torch);
      if (typeof f !== "function") throw new TypeError(`no torch-ts function torch.${path.split(".").map(camel).join(".")}`);
      return f;
    }
    if ("$tuple" in v) return torch.serialization.tuple(...(v as { $tuple: Encoded[] }).$tuple.map((x) => decodeArg(x, torch)));
    if (Object.keys(v).some((k) => k.startsWith("$"))) return decodeValue(v, torch);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeArg(x as Encoded, torch)]));
  }
  return decodeValue(v, torch);
}

/** Positional arguments, then the keywords as one trailing options object (when there are any). */
export function byRule(args: unknown[], kwargs: Record<string, unknown>): unknown[] {
  const keys = Object.keys(kwargs);
  return keys.length === 0 ? args : [...args, Object.fromEntries(keys.map((k) => [optionKey(k), kwargs[k]]))];
}

export const tensorsIn = (torch: TorchModule, v: unknown, out: Torch.Tensor[] = []): Torch.Tensor[] => {
  if (v instanceof torch.Tensor) out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => tensorsIn(torch, x, out));
  else if (v !== null && typeof v === "object") Object.values(v).forEach((x) => tensorsIn(torch, x, out));
  return out;
};

const firstLine = (err: unknown) => `${(err as Error)?.constructor?.name ?? "Error"}: ${String((err as Error)?.message ?? err).split("\n")[0]!.slice(0, 160)}`;
export { firstLine };

/**
 * null when actual matches PyTorch's expected (tensors: dtype, shape, values within rtol/atol,
 * NaNs equal; integers and bools exact; arrays item by item; None as null), else the reason.
 */
export function mismatch(torch: TorchModule, actual: unknown, expected: unknown, tol: { rtol: number; atol: number }, where: string): string | null {
  if (expected instanceof torch.Tensor) {
    if (!(actual instanceof torch.Tensor)) return `${where}: expected a Tensor, got ${actual === null ? "null" : typeof actual}`;
    if (actual.dtype !== expected.dtype) return `${where}: dtype ${actual.dtype}, PyTorch ${expected.dtype}`;
    if (JSON.stringify(actual.shape) !== JSON.stringify(expected.shape)) return `${where}: shape [${actual.shape}], PyTorch [${expected.shape}]`;
    if (actual.numel() === 0) return null;
    if (expected.isComplex()) return torch.tidy(() => mismatch(torch, torch.viewAsReal(actual.detach().resolveConj()), torch.viewAsReal(expected.resolveConj()), tol, where));
    return torch.tidy(() => {
      if (!torch.Tensor.prototype.isFloatingPoint.call(expected)) return actual.eq(expected).all().item() === true ? null : `${where}: values differ`;
      const a = actual.detach().to("float64");
      const e = expected.detach().to("float64");
      const diff = a.sub(e).abs();
      const bad = diff.gt(e.abs().mul(tol.rtol).add(tol.atol)).logicalAnd(a.isnan().logicalAnd(e.isnan()).logicalNot()).logicalAnd(a.ne(e));
      const n = Number(bad.sum().item());
      if (n === 0) return null;
      return `${where}: ${n} of ${actual.numel()} values differ beyond rtol ${tol.rtol}, atol ${tol.atol} (max abs diff ${Number(diff.nanToNum().max().item()).toPrecision(3)})`;
    });
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${where}: expected ${expected.length} values, got ${actual instanceof torch.Tensor ? "a Tensor" : typeof actual}`;
    if (actual.length !== expected.length) return `${where}: ${actual.length} values, PyTorch ${expected.length}`;
    for (let i = 0; i < expected.length; i++) {
      const r = mismatch(torch, actual[i], expected[i], tol, `${where}[${i}]`);
      if (r !== null) return r;
    }
    return null;
  }
  if (expected === null) return actual === null || actual === undefined ? null : `${where}: ${typeof actual}, PyTorch None`;
  if (typeof expected === "number" && typeof actual === "number") {
    return (Number.isNaN(expected) && Number.isNaN(actual)) || Math.abs(actual - expected) <= tol.atol + tol.rtol * Math.abs(expected) ? null : `${where}: ${actual}, PyTorch ${expected}`;
  }
  return actual === expected ? null : `${where}: ${String(actual)}, PyTorch ${String(expected)}`;
}
