// Python's copy.deepcopy(module) for the modules that stack copies of a template (the
// Transformer family's _get_clones): a fresh module of the same configuration, built without
// its random init (deepcopy draws no random numbers, so the generator is left where it was),
// then given copies of every parameter, gradient and buffer and the same train/eval flags.
// A module's private fields cannot be copied from outside its constructor, so the module says
// how to build its twin: `newLike()`, a module of the same configuration.
import { noGrad } from "../autograd.js";
import { tidy } from "../memory.js";
import { native } from "../binding.js";
import { handleOf, Tensor } from "../tensor/index.js";
import { Module } from "./module.js";
import { withoutInit } from "./skip_init.js";

/** A module that can build a fresh module of its own configuration (the deep-copy hook). */
export interface Copyable {
  newLike(): Module;
}

const isCopyable = (m: Module): m is Module & Copyable => typeof (m as Partial<Copyable>).newLike === "function";

/**
 * Python: `copy.deepcopy(module)`: an independent module with equal parameters, buffers and
 * gradients (new storage, no graph history), in the same training mode. The module must
 * define `newLike()`; other modules are refused with a TypeError naming them.
 */
export function deepCopy<M extends Module>(module: M, fn = "nn.deepCopy"): M {
  if (!(module instanceof Module)) throw new TypeError(`${fn}: expected a Module, got ${typeof module}`);
  if (!isCopyable(module)) {
    throw new TypeError(`${fn}: cannot deep-copy ${module.constructor.name}: it defines no newLike() (a fresh module of the same configuration)`);
  }
  const copy = withoutInit(() => module.newLike()) as M;
  if (copy.constructor !== module.constructor) {
    throw new TypeError(`${fn}: ${module.constructor.name}.newLike() built a ${copy.constructor.name}`);
  }
  tidy(() => noGrad(() => {
    for (const [prefix, src] of module.namedModules()) {
      const dst = copy.getSubmodule(prefix);
      dst.training = src.training;
      const where = (name: string) => `${module.constructor.name}${prefix ? `.${prefix}` : ""}.${name}`;
      // The copy's own tensor objects (registered, held by its fields) take a clone of the
      // source's data: shape, dtype and device included, should the source have been moved.
      const copyInto = (name: string, t: Tensor): Tensor => {
        const d = dst.getAttr(name);
        if (!(d instanceof Tensor)) throw new TypeError(`${fn}: the copy of ${module.constructor.name} has no tensor ${where(name)}`);
        native.setData(handleOf(d), handleOf(t.detach().clone()));
        return d;
      };
      for (const [name, p] of src.namedParameters({ recurse: false })) {
        const d = copyInto(name, p);
        d.requiresGrad_(p.requiresGrad);
        const g = p.grad;
        if (g !== null) {
          d.grad = g.clone();
          g.dispose();
        }
      }
      for (const [name, b] of src.namedBuffers({ recurse: false })) copyInto(name, b);
    }
  }));
  return copy;
}
