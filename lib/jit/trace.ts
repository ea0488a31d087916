// torch.jit.trace for torch-ts modules and functions, torch.jit.freeze and
// torch.jit.optimize_for_inference.
//
// trace mirrors the module tree as a torch::jit::Module holding the very same parameter and
// buffer tensors (native/jit.cc BuildModule), then records one forward with libtorch's tracer
// with that module as `self`: each parameter the TypeScript forward touches is recorded as an
// attribute read, as Python's tracer records it. The result is an ordinary ScriptModule that
// shares its weights with the torch-ts module, and saves to an archive Python loads.
import type { Handle, JitModuleDesc } from "../../binding.js";
import { native } from "../binding.js";
import { TorchError } from "../errors.js";
import { dispose, keep, tidy } from "../memory.js";
import { Module } from "../nn/module.js";
import { handleOf, Tensor, wrap } from "../tensor/index.js";
import { whileRecording } from "../tracing.js";
import { checkOptions } from "../validate.js";
import { toJit } from "./ivalue.js";
import { markOptimized, ScriptModule, refOf, type ScriptArg } from "./script_module.js";

export interface TraceOptions {
  /** Run the traced module on the example inputs and warn when it disagrees with the eager forward (default true). */
  checkTrace?: boolean;
  /** Python's `check_tolerance` (default 1e-5, as rtol and atol). */
  checkTolerance?: number;
  /** Python's `strict` (default true): refuse mutable containers (lists, dicts) as outputs. */
  strict?: boolean;
}

function describeModule(m: Module): JitModuleDesc {
  const members = Module.members(m);
  const persistent = [...members.buffers].filter(([name]) => !members.nonPersistent.has(name));
  const nonPersistent = [...members.buffers].filter(([name]) => members.nonPersistent.has(name));
  const handle = (t: Tensor | null) => (t === null ? null : handleOf(t));
  return {
    cls: m.constructor.name || "Module",
    training: m.training,
    parameters: [...members.parameters].map(([name, t]) => [name, handle(t)] as [string, Handle | null]),
    buffers: [...persistent, ...nonPersistent].map(([name, t]) => [name, handle(t)] as [string, Handle | null]),
    children: [...members.modules].map(([name, c]) => [name, c === null ? null : describeModule(c)] as [string, JitModuleDesc | null]),
  };
}

function tensorsIn(value: unknown, out: Tensor[] = []): Tensor[] {
  if (value instanceof Tensor) out.push(value);
  else if (Array.isArray(value)) for (const v of value) tensorsIn(v, out);
  else if (value instanceof Map) for (const v of value.values()) tensorsIn(v, out);
  return out;
}

/**
 * Python: `torch.jit.trace(module_or_fn, example_inputs, check_trace=True, strict=True)`.
 * `exampleInputs` is a Tensor or an array of Tensors (Python's tuple). Control flow in the
 * TypeScript forward is recorded as the path taken (a value read with item() warns, as
 * Python's TracerWarning). A traced function becomes a ScriptModule whose forward is the function.
 */
export function trace(moduleOrFn: Module | ((...inputs: Tensor[]) => unknown), exampleInputs: Tensor | Tensor[], options?: TraceOptions): ScriptModule {
  const o = checkOptions("torch.jit.trace", options, ["checkTrace", "checkTolerance", "strict"]);
  const inputs = exampleInputs instanceof Tensor ? [exampleInputs] : exampleInputs;
  if (!Array.isArray(inputs) || inputs.some((t) => !(t instanceof Tensor))) {
    throw new TypeError("torch.jit.trace: exampleInputs must be a Tensor or an array of Tensors");
  }
  let forward: (...xs: Tensor[]) => unknown;
  let desc: JitModuleDesc;
  if (moduleOrFn instanceof ScriptModule) {
    throw new TypeError("torch.jit.trace: the module is already a ScriptModule; trace the torch-ts module it came from, or use it as it is");
  } else if (moduleOrFn instanceof Module) {
    const m = moduleOrFn;
    forward = (...xs) => m.forward(...xs);
    desc = describeModule(m);
  } else if (typeof moduleOrFn === "function") {
    forward = moduleOrFn;
    desc = { cls: moduleOrFn.name ? `${moduleOrFn.name}_traced` : "TracedFunction", training: false, parameters: [], buffers: [], children: [] };
  } else {
    throw new TypeError("torch.jit.trace: expected a Module or a function");
  }
  const outputs: Tensor[] = [];
  const record = (...hs: Handle[]) =>
    tidy(() => {
      const out = forward(...hs.map(wrap));
      // The native side reads the output after this returns: its tensors outlive the scope.
      for (const t of tensorsIn(out)) outputs.push(keep(t));
      return toJit(out, "torch.jit.trace: the forward's output");
    });
  let traced: ScriptModule;
  try {
    const ref = whileRecording(() => native.jitTrace(desc, record, inputs.map(handleOf), o.strict !== false));
    traced = new ScriptModule(ref);
  } finally {
    dispose(outputs);
  }
  if (o.checkTrace !== false) checkTrace(traced, forward, inputs, typeof o.checkTolerance === "number" ? o.checkTolerance : 1e-5);
  return traced;
}

/** Python's check_trace (the outputs part): the traced module must reproduce the eager outputs. */
function checkTrace(traced: ScriptModule, forward: (...xs: Tensor[]) => unknown, inputs: Tensor[], tol: number): void {
  tidy(() => {
    const eager = tensorsIn(forward(...inputs));
    const script = tensorsIn(traced.forward(...inputs));
    for (let i = 0; i < Math.max(eager.length, script.length); i++) {
      const a = eager[i];
      const b = script[i];
      const same = a !== undefined && b !== undefined && a.shape.join() === b.shape.join() && b.detach().allclose(a.detach(), tol, tol, { equalNan: true });
      if (!same) {
        process.emitWarning(
          `torch.jit.trace: output ${i + 1} of the traced module does not match the eager forward on the example inputs ` +
            "(a data-dependent branch, randomness such as dropout in training mode, or an in-place update of a buffer)",
          "TracerWarning",
        );
        return;
      }
    }
  });
}

/** Python: `torch.jit.freeze(mod, preserved_attrs=None, optimize_numerics=True)`: inlines weights and attributes as constants. */
export function freeze(m: ScriptModule, options?: { preservedAttrs?: string[]; optimizeNumerics?: boolean }): ScriptModule {
  const o = checkOptions("torch.jit.freeze", options, ["preservedAttrs", "optimizeNumerics"]);
  if (!(m instanceof ScriptModule)) throw new TypeError("torch.jit.freeze: expected a ScriptModule (from torch.jit.trace or torch.jit.load)");
  if (m.training) throw new TorchError("torch.jit.freeze: the module is in training mode; call eval() first (freezing bakes eval-mode behaviour in)");
  ScriptModule.syncTraining(m);
  return new ScriptModule(native.jitFreeze(refOf(m), (o.preservedAttrs as string[] | undefined) ?? null, o.optimizeNumerics !== false));
}

/**
 * Python: `torch.jit.optimize_for_inference(mod, other_methods=None)`: freezes (when not
 * frozen) and applies libtorch's inference passes: conv–BatchNorm folding, conv–add–ReLU
 * fusion, oneDNN weight prepacking and layout propagation on CPU.
 */
export function optimizeForInference(m: ScriptModule, options?: { otherMethods?: string[] }): ScriptModule {
  const o = checkOptions("torch.jit.optimizeForInference", options, ["otherMethods"]);
  if (!(m instanceof ScriptModule)) throw new TypeError("torch.jit.optimizeForInference: expected a ScriptModule (from torch.jit.trace or torch.jit.load)");
  if (m.training) throw new TorchError("torch.jit.optimizeForInference: the module is in training mode; call eval() first");
  ScriptModule.syncTraining(m);
  return markOptimized(new ScriptModule(native.jitOptimizeForInference(refOf(m), (o.otherMethods as string[] | undefined) ?? [])));
}


export type { ScriptArg };
