// The API fuzzer's TypeScript executor: runs one generated call against the library, frees what
// it made and returned, and classifies what happened (result, clean error, or a failure kind).
import util from "node:util";
import * as torch from "../../../lib/index.js";
import type { Call } from "./generate.js";
import { judgeGenerated, TARGET_BY_LABEL } from "./schema.js";
import { FuzzValueError, materialize, type Made } from "./values.js";

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
type Exec = (a: Any[], made: Made) => unknown;

const nn = torch.nn as Any;
const keep = <T extends torch.nn.Module>(made: Made, m: T): T => (made.modules.push(m), m);

function withGrad(params: unknown): void {
  if (!Array.isArray(params)) return;
  for (const p of params) {
    if (p instanceof torch.Tensor && !p.isDisposed && p.requiresGrad) torch.tidy(() => p.mul(p).sum().backward());
  }
}

/** Marks a result the executor found wrong (a silent coercion it can see without PyTorch). */
export const SILENT = "__apiFuzzSilent";

/** fn name -> how to call it with materialized arguments. */
export const EXECUTORS: Record<string, Exec> = {};
const torchFns = ["zeros", "ones", "empty", "rand", "randn", "tensor", "full", "arange", "linspace", "randint", "zerosLike", "onesLike", "emptyLike",
  "randLike", "randnLike", "fullLike", "frombuffer", "cat", "stack", "where", "matmul", "maximum", "minimum", "manualSeed", "device", "noGrad", "enableGrad",
  "tidy", "liveTensors", "dispose"];
for (const n of torchFns) EXECUTORS[`torch.${n}`] = (a) => (torch as Any)[n](...a);

export function executorFor(fn: string): Exec {
  const direct = EXECUTORS[fn];
  if (direct) return direct;
  const generated = TARGET_BY_LABEL.get(fn);
  if (generated) return generated.call;
  const [head, rest] = [fn.slice(0, fn.indexOf(".")), fn.slice(fn.indexOf(".") + 1)];
  if (head === "Tensor") return (a) => a[0][rest](...a.slice(1));
  if (head === "F") return (a) => (torch.nn.functional as Any)[rest](...a);
  if (head === "init") return (a) => (torch.nn.init as Any)[rest](...a);
  if (head === "nn" && rest.endsWith("#call")) {
    const name = rest.slice(0, -5);
    return (a, made) => keep(made, new nn[name](...(a[0] as unknown[]))).call(...a.slice(1));
  }
  if (head === "nn") return (a, made) => keep(made, new nn[rest](...a));
  if (head === "optim" && rest.endsWith("#step")) {
    const name = rest.slice(0, -5);
    return (a) => {
      const opt = new (torch.optim as Any)[name](a[0], a[1]);
      if (a[2] !== undefined) opt.paramGroups[0].lr = a[2];
      withGrad(a[0]);
      try {
        opt.step();
        opt.step();
      } catch (err) {
        // A refused step leaves the state it made in the optimizer, as PyTorch's does; the
        // optimizer is this executor's to free, and unreachable after the throw.
        for (const s of opt.state.values()) torch.dispose(s);
        throw err;
      }
      // A garbage lr set after construction must be refused, not turned into NaN weights. A
      // finite lr is legal however large (PyTorch steps with lr = 1e308 too, to inf weights).
      if (a[2] !== undefined && !(typeof a[2] === "number" && Number.isFinite(a[2])) && Array.isArray(a[0]) && a[0].some((p) => p instanceof torch.Tensor && !p.isDisposed &&
        Array.from(p.toTypedArray() as Float32Array).some((x) => !Number.isFinite(x)))) {
        return { [SILENT]: `parameters became non-finite after paramGroups[0].lr = ${String(a[2])}; step() did not refuse`, opt };
      }
      return opt;
    };
  }
  if (head === "optim") {
    return (a, made) => {
      const p = torch.randn([2]).requiresGrad_();
      made.tensors.push(p);
      const opt = new torch.optim.SGD([p], { lr: 0.1 });
      const sched = new (torch.optim as Any)[rest](opt, a[0]);
      const steps = typeof a[1] === "number" ? a[1] : 0;
      for (let k = 0; k < steps && k < 5; k++) { opt.step(); sched.step(); }
      return [opt, opt.paramGroups[0]!.lr];
    };
  }
  throw new Error(`api_fuzz: no executor for ${fn}`);
}

Object.assign(EXECUTORS, {
  "torch.setNumThreads": (a: Any[]) => {
    const before = torch.getNumThreads();
    try {
      torch.setNumThreads(a[0]);
      return torch.tidy(() => torch.ones(1 << 16).sum().item());
    } finally {
      torch.setNumThreads(before);
    }
  },
  "torch.setGradEnabled": (a: Any[]) => { try { torch.setGradEnabled(a[0]); return torch.isGradEnabled(); } finally { torch.setGradEnabled(true); } },
  "Module.stateDict/loadStateDict": (a: Any[], made: Made) => { const m = keep(made, new torch.nn.Linear(3, 2)); const r = m.loadStateDict(a[0], a[1]); return [r, m.stateDict()]; },
  "Module.to": (a: Any[], made: Made) => keep(made, new torch.nn.Linear(3, 2)).to(a[0]),
  "Module.forwardAsync": async (a: Any[], made: Made) => {
    const m = keep(made, new torch.nn.Linear(...(a[0] as [number, number])));
    const run = () => (a[2] ? torch.noGrad(() => m.forwardAsync(a[1])) : m.forwardAsync(a[1]));
    const first = await run();
    const second = await run(); // the recorded graph on the worker thread
    return [first, second];
  },
  "data.DataLoader": async (a: Any[]) => {
    const dl = new torch.data.DataLoader(a[0], a[1]);
    let batches = 0;
    for await (const b of dl) {
      torch.dispose(b);
      if (++batches >= 3) break;
    }
    return batches;
  },
  "torch.save/load": (a: Any[]) => { torch.save(a[0], a[1], a[2]); return torch.load(a[1]); },
  "torch.load": (a: Any[]) => torch.load(a[0], a[1]),
  "torch.loadAsync": (a: Any[]) => torch.loadAsync(a[0], a[1]),
});

/** Every tensor reachable from a value the call returned or was given (modules, optimizers included). */
export function tensorsIn(value: unknown, out: Set<torch.Tensor>, seen = new Set<unknown>()): Set<torch.Tensor> {
  if (value === null || typeof value !== "object" || seen.has(value)) return out;
  // A Module is a Proxy of torch-ts's own (its attribute trap); any other Proxy may be hostile.
  const isModule = (() => { try { return value instanceof torch.nn.Module; } catch { return false; } })();
  if (util.types.isProxy(value) && !isModule) return out;
  seen.add(value);
  if (value instanceof torch.Tensor) { out.add(value); return out; }
  if (isModule) {
    for (const p of (value as torch.nn.Module).parameters()) out.add(p);
    for (const b of (value as torch.nn.Module).buffers()) out.add(b);
    return out;
  }
  if (value instanceof torch.optim.Optimizer) {
    for (const [p, s] of (value as Any).state as Map<unknown, unknown>) { tensorsIn(p, out, seen); tensorsIn(s, out, seen); }
    for (const g of value.paramGroups) tensorsIn(g.params, out, seen);
    return out;
  }
  if (value instanceof Map) { for (const [k, v] of value) { tensorsIn(k, out, seen); tensorsIn(v, out, seen); } return out; }
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value) || proto === Object.prototype || proto === null) {
    for (const key of Object.keys(value)) {
      const d = Object.getOwnPropertyDescriptor(value, key);
      if (d && "value" in d) tensorsIn(d.value, out, seen);
    }
  }
  return out;
}
export type Outcome =
  | { kind: "result"; value: unknown }
  | { kind: "error"; error: unknown };

/** The words an error message may use to name the called function. */
export function namesFor(fn: string): string[] {
  const skip = new Set(["torch", "Tensor", "nn", "F", "init", "data", "optim", "call", "step", "Module"]);
  const words = fn.split(/[.#/]/).filter((w) => w && !skip.has(w));
  if (fn.startsWith("optim.")) words.push("optimizer", "lr_scheduler", "scheduler");
  if (fn.startsWith("nn.")) words.push("forward");
  if (fn.includes("save") || fn.includes("load")) words.push("torch.load", "torch.save", "loadStateDict", "unpickl", "checkpoint");
  if (fn === "Module.forwardAsync") words.push("Linear", "linear");
  return words.map((w) => w.toLowerCase().replace(/_$/, ""));
}

const UNINFORMATIVE_NATIVE = /^(std::|basic_string|vector::|map::at|_M_|unknown (c\+\+ )?exception|$)/i;

/** null when the error is a clean refusal; otherwise the failure kind. Also the class name. */
export function judgeError(fn: string, err: unknown): { cls: string; fail: string | null } {
  if (err instanceof FuzzValueError) return { cls: "propagated-trap", fail: null };
  if (!(err instanceof Error)) return { cls: typeof err, fail: "non-error-thrown" };
  const cls = err instanceof torch.TorchError ? "TorchError" : err.constructor?.name ?? "Error";
  const msg = err.message ?? "";
  if (err instanceof torch.TorchError) {
    const unnamed = UNINFORMATIVE_NATIVE.test(msg) || (TARGET_BY_LABEL.has(fn) && judgeGenerated(fn, err, true) !== null);
    return { cls, fail: unnamed ? "unnamed-error" : null };
  }
  if (err instanceof RangeError && /Maximum call stack size exceeded/.test(msg)) return { cls, fail: "stack-overflow" };
  if (TARGET_BY_LABEL.has(fn)) return { cls, fail: judgeGenerated(fn, err, false) };
  // The library's own wording: "<function>: …" (validate.ts argError), or the function named.
  if (/^[\w.$]+(\(\))?: /.test(msg)) return { cls, fail: null };
  const lower = msg.toLowerCase();
  if (namesFor(fn).some((w) => lower.includes(w))) return { cls, fail: null };
  const sys = err as NodeJS.ErrnoException;
  if (typeof sys.code === "string" && /^E[A-Z]+$/.test(sys.code) && sys.path !== undefined) return { cls: `SystemError(${sys.code})`, fail: null };
  return { cls, fail: "unnamed-error" };
}

/** Runs the call (awaiting a returned promise up to `timeoutMs`). */
export async function execute(call: Call, made: Made, timeoutMs: number): Promise<Outcome> {
  const run = executorFor(call.fn);
  let args: unknown[];
  try {
    args = call.args.map((v) => materialize(v, made));
  } catch (error) {
    throw Object.assign(new Error(`fixture: ${(error as Error).message}`), { fixture: true });
  }
  try {
    let value = run(args, made);
    if (value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function" && !util.types.isProxy(value)) {
      let timer: NodeJS.Timeout | undefined;
      try {
        value = await Promise.race([value, new Promise((_, reject) => { timer = setTimeout(() => reject(Object.assign(new Error("api_fuzz: promise did not settle"), { hang: true })), timeoutMs); })]);
      } finally {
        clearTimeout(timer);
      }
    }
    return { kind: "result", value };
  } catch (error) {
    return { kind: "error", error };
  } finally {
    (made as Made & { args?: unknown[] }).args = args;
  }
}

/** Frees every tensor the call made or returned. */
export function cleanup(made: Made, outcome: Outcome | null): void {
  const all = new Set<torch.Tensor>();
  for (const t of made.tensors) all.add(t);
  for (const m of made.modules) tensorsIn(m, all);
  tensorsIn((made as Made & { args?: unknown[] }).args, all);
  if (outcome?.kind === "result") tensorsIn(outcome.value, all);
  for (const t of all) if (!t.isDisposed) t.dispose();
}
