// Module.forwardAsync: the forward pass on a libuv worker thread, so the event loop (an HTTP
// server, a UI) keeps running during a long inference.
//
// TypeScript can only run on the event loop's thread, so the forward is recorded once per input
// signature with libtorch's tracer (the engine of Python's torch.jit.trace) and the recorded
// graph is run by libtorch's GraphExecutor in a Napi::AsyncWorker (native/async.cc). Parameters
// and buffers are graph inputs, so later runs see their current values.
import type { TracedForward } from "../../binding.js";
import { gradModeCaptured, isGradEnabled } from "../autograd.js";
import { native } from "../binding.js";
import { keep, tidy } from "../memory.js";
import { whileRecording } from "../tracing.js";
import { handleOf, Tensor, wrap } from "../tensor/index.js";
import { argError } from "../validate.js";
import type { Module } from "./module.js";

const traces = new WeakMap<Module, Map<string, TracedForward>>();

/** Everything the graph reads besides x, in a fixed order: parameters, then buffers. */
function stateOf(module: Module): Tensor[] {
  return [...module.parameters(), ...module.buffers()];
}

/**
 * What a recorded graph depends on beyond tensor values: a different shape, dtype or device,
 * train/eval of any submodule, grad mode or the set of parameters needs a new recording
 * (a trace bakes Python-level control flow — here TypeScript's — into the graph).
 */
function signature(module: Module, x: Tensor, state: Tensor[]): string {
  const modes = [...module.modules()].map((m) => (m.training ? 1 : 0)).join("");
  const ids = state.map((t) => `${t.dtype}${t.shape.join("x")}`).join(",");
  return `${x.shape.join("x")}|${x.dtype}|${x.device}|${modes}|${isGradEnabled()}|${ids}`;
}

/**
 * `await model.forwardAsync(x)`. Python has no direct equivalent (the closest is a TorchScript module run from another thread).
 * The first call for a new input signature records the forward and runs it synchronously (its
 * result is that recording's output); later calls run on a worker thread. x is copied before the
 * work is queued, so the caller may dispose or change it at once. Do not update the module's
 * parameters in place (optimizer.step, loadStateDict) while a call is in flight.
 */
export function forwardAsync(module: Module, x: Tensor): Promise<Tensor> {
  // Everything up to the native call runs now, in the caller's grad mode, so the promise may
  // be returned from noGrad(() => …).
  return gradModeCaptured(run(module, x));
}

async function run(module: Module, x: Tensor): Promise<Tensor> {
  if (!(x instanceof Tensor)) throw argError("Module.forwardAsync", "x", "a Tensor", x);
  const state = stateOf(module);
  const key = signature(module, x, state);
  let byKey = traces.get(module);
  if (byKey === undefined) traces.set(module, (byKey = new Map()));
  const handles = [handleOf(x), ...state.map(handleOf)];
  const traced = byKey.get(key);
  if (traced !== undefined) return wrap(await native.runTracedAsync(traced, handles));

  let out: Tensor | undefined;
  const recorded = whileRecording(() => native.traceForward((h) => {
    out = tidy(() => {
      const y = module.forward(wrap(h));
      if (!(y instanceof Tensor)) throw new TypeError(`Module.forwardAsync: forward() must return one Tensor, got ${typeof y}`);
      return y;
    });
    return handleOf(out);
  }, handles));
  byKey.set(key, recorded);
  return keep(out!); // resolved after any enclosing tidy() has ended: the caller owns it
}

/** The graph recorded for `module` with input `x`'s signature, as torch.jit prints it (debugging). */
export function tracedGraph(module: Module, x: Tensor): string | undefined {
  const recorded = traces.get(module)?.get(signature(module, x, stateOf(module)));
  return recorded === undefined ? undefined : native.tracedGraph(recorded);
}
