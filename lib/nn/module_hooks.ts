// Forward hooks as torch/nn/modules/module.py (1.13) runs them in Module._call_impl: global
// pre-hooks, then the module's own, each may replace the arguments; forward; then global and own
// forward hooks, each may replace the output. Handles remove themselves as Python's
// torch.utils.hooks.RemovableHandle.
import { checkFunction } from "../validate.js";
import type { Module } from "./module.js";

/** Python: `hook(module, input) -> None | modified input` (a non-array result is one argument). */
export type ForwardPreHook<M = Module> = (module: M, args: unknown[]) => unknown;
/** Python: `hook(module, input, output) -> None | modified output`. */
export type ForwardHook<M = Module> = (module: M, args: unknown[], output: unknown) => unknown;

let nextId = 0;
// Hooks registered anywhere and not removed: call() skips all hook work while this is 0.
let liveHooks = 0;

/** Python: `torch.utils.hooks.RemovableHandle`. */
export class RemovableHandle {
  /** Python: `handle.id`. */
  readonly id = nextId++;
  readonly #dicts: Map<number, unknown>[];

  constructor(...dicts: Map<number, unknown>[]) {
    this.#dicts = dicts;
  }

  /** Python: `handle.remove()`; removing twice is harmless. */
  remove(): void {
    for (const d of this.#dicts) if (d.delete(this.id)) liveHooks--;
  }

  [Symbol.dispose](): void {
    this.remove();
  }
}

/** A hook table in registration order (Python's OrderedDict of id → hook). */
export function addHook<H>(fn: string, table: Map<number, H>, hook: H): RemovableHandle {
  checkFunction(fn, "hook", hook);
  const handle = new RemovableHandle(table as Map<number, unknown>);
  table.set(handle.id, hook);
  liveHooks++;
  return handle;
}

const globalPre = new Map<number, ForwardPreHook>();
const globalPost = new Map<number, ForwardHook>();

/** Python: `torch.nn.modules.module.register_module_forward_pre_hook(hook)`: for every module. */
export function registerModuleForwardPreHook(hook: ForwardPreHook): RemovableHandle {
  return addHook("nn.registerModuleForwardPreHook", globalPre, hook);
}

/** Python: `torch.nn.modules.module.register_module_forward_hook(hook)`: for every module. */
export function registerModuleForwardHook(hook: ForwardHook): RemovableHandle {
  return addHook("nn.registerModuleForwardHook", globalPost, hook);
}

/** True when no hook is registered on any module, nor globally (call()'s fast path). */
export function noHooks(): boolean {
  return liveHooks === 0;
}

/** Module._call_impl's forward part: the hooks around `forward`, Python's order. */
export function callWithHooks(
  module: Module, pre: Map<number, ForwardPreHook>, post: Map<number, ForwardHook>,
  args: unknown[], forward: (...a: unknown[]) => unknown,
): unknown {
  let input = args;
  for (const hook of [...globalPre.values(), ...pre.values()]) {
    const result = hook(module, input);
    if (result !== undefined && result !== null) input = Array.isArray(result) ? result : [result];
  }
  let output = forward(...input);
  for (const hook of [...globalPost.values(), ...post.values()]) {
    const result = hook(module, input, output);
    if (result !== undefined && result !== null) output = result;
  }
  return output;
}
