// Module.stateDict and Module.loadStateDict: the state_dict contract of
// torch/nn/modules/module.py (key order, _metadata versions, PyTorch's error messages).
import { noGrad } from "../autograd.js";
import { TorchError } from "../errors.js";
import { tidy } from "../memory.js";
import { Tensor } from "../tensor/index.js";
import { argError, checkBool, checkOptions } from "../validate.js";
import { Module, type IncompatibleKeys, type StateDict, type StateDictMetadata } from "./module.js";
import { stateDictEntries } from "./state_dict_entries.js";

/** A module's registries, as module.ts hands them out (read them, never write). */
export interface ModuleMembers {
  readonly parameters: ReadonlyMap<string, Tensor | null>;
  readonly buffers: ReadonlyMap<string, Tensor | null>;
  readonly nonPersistent: ReadonlySet<string>;
  readonly modules: ReadonlyMap<string, Module | null>;
}

const members = (m: Module) => Module.members(m);

function shapeText(shape: number[]): string {
  return `torch.Size([${shape.join(", ")}])`;
}

export function stateDictOf(module: Module, options?: { prefix?: string; keepVars?: boolean }): Map<string, Tensor> & { metadata: StateDictMetadata } {
  const o = checkOptions("Module.stateDict", options, ["prefix", "keepVars"]);
  const keepVars = o.keepVars === true;
  const out = new Map<string, Tensor>() as Map<string, Tensor> & { metadata: StateDictMetadata };
  const metadata: StateDictMetadata = new Map();
  Object.defineProperty(out, "metadata", { value: metadata, enumerable: false });
  const visit = (m: Module, prefix: string) => {
    metadata.set(prefix.endsWith(".") ? prefix.slice(0, -1) : prefix, { version: (m.constructor as typeof Module).version });
    for (const [name, p] of members(m).parameters) if (p !== null) out.set(prefix + name, keepVars ? p : p.detach());
    for (const [name, b] of members(m).buffers) {
      if (b !== null && !members(m).nonPersistent.has(name)) out.set(prefix + name, keepVars ? b : b.detach());
    }
    for (const [name, child] of members(m).modules) if (child !== null) visit(child, `${prefix}${name}.`);
  };
  visit(module, (o.prefix as string | undefined) ?? "");
  return out;
}

export function loadStateDictInto(module: Module, stateDict: StateDict, options?: { strict?: boolean }): IncompatibleKeys {
  const o = checkOptions("Module.loadStateDict", options, ["strict"]);
  const strict = o.strict === undefined ? true : checkBool("Module.loadStateDict", "strict", o.strict);
  if (stateDict === null || typeof stateDict !== "object") throw argError("Module.loadStateDict", "stateDict", "a Map or an object of tensors", stateDict);
  const sd = stateDictEntries(stateDict);
  const metadata = ((stateDict as { metadata?: unknown }).metadata ?? (stateDict as { _metadata?: unknown })._metadata) as
    Map<string, { version?: number }> | Record<string, { version?: number }> | undefined;
  const versionOf = (prefix: string): number | undefined => {
    const key = prefix.endsWith(".") ? prefix.slice(0, -1) : prefix;
    const entry = metadata instanceof Map ? metadata.get(key) : metadata?.[key];
    return entry?.version;
  };
  const missing: string[] = [];
  const unexpected: string[] = [];
  const errors: string[] = [];
  const load = (m: Module, prefix: string) => {
    Module.loadFromStateDictOf(m, sd, prefix, versionOf(prefix));
    const local = new Map<string, Tensor>();
    for (const [n, p] of members(m).parameters) if (p !== null) local.set(n, p);
    for (const [n, b] of members(m).buffers) if (b !== null && !members(m).nonPersistent.has(n)) local.set(n, b);
    for (const [name, param] of local) {
      const key = prefix + name;
      if (!sd.has(key)) {
        missing.push(key);
        continue;
      }
      const value = sd.get(key);
      if (!(value instanceof Tensor)) {
        errors.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${typeof value}`);
        continue;
      }
      const target = param.shape;
      let source = value.shape;
      // PyTorch accepts a 1-element 1-D tensor for a 0-dim one (old checkpoints).
      const squeezeOld = target.length === 0 && source.length === 1;
      if (squeezeOld) source = [];
      if (source.length !== target.length || source.some((d, i) => d !== target[i])) {
        errors.push(`size mismatch for ${key}: copying a param with shape ${shapeText(value.shape)} from checkpoint, the shape in current model is ${shapeText(target)}.`);
        continue;
      }
      try {
        tidy(() => noGrad(() => param.copy_(squeezeOld ? value.reshape([]) : value)));
      } catch (err) {
        errors.push(`While copying the parameter named "${key}", whose dimensions in the model are ${shapeText(target)} and whose dimensions in the checkpoint are ${shapeText(value.shape)}, an exception occurred : ${(err as Error).message}.`);
      }
    }
    for (const key of sd.keys()) {
      if (!key.startsWith(prefix)) continue;
      const inputName = key.slice(prefix.length).split(".", 1)[0]!;
      if (!members(m).modules.has(inputName) && !local.has(inputName)) unexpected.push(key);
    }
    for (const [name, child] of members(m).modules) if (child !== null) load(child, `${prefix}${name}.`);
  };
  // tidy: tensors a loadFromStateDict hook creates (BatchNorm's num_batches_tracked) are freed.
  tidy(() => load(module, ""));
  if (strict) {
    if (unexpected.length > 0) errors.unshift(`Unexpected key(s) in state_dict: ${unexpected.map((k) => `"${k}"`).join(", ")}. `);
    if (missing.length > 0) errors.unshift(`Missing key(s) in state_dict: ${missing.map((k) => `"${k}"`).join(", ")}. `);
  }
  if (errors.length > 0) {
    throw new TorchError(`Error(s) in loading state_dict for ${module.constructor.name}:\n\t${errors.join("\n\t")}`);
  }
  return { missingKeys: missing, unexpectedKeys: unexpected };
}
