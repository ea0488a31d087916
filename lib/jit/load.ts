// torch.jit.load and torch.jit.save.
//
// Loading a TorchScript archive means running its code: the archive holds TorchScript
// source (code/*.py) that libtorch compiles and runs, as torch.jit.load does in Python. It
// cannot run arbitrary Python, but a method can do anything TorchScript can (read and write
// files through torch.save/torch.load ops, allocate without bound). Load archives you would
// run as programs; for weights alone use torch.load of a state dict, which runs nothing.
import fs from "node:fs";
import { native } from "../binding.js";
import type { Device } from "../device.js";
import { TorchError } from "../errors.js";
import { checkOptions } from "../validate.js";
import { checkScriptArchive } from "./archive_check.js";
import { ScriptModule } from "./script_module.js";

export interface JitLoadOptions {
  /** Python's map_location: the device every tensor goes to (default: where it was saved). */
  mapLocation?: Device | null;
}

/** Python: `torch.jit.load(f, map_location=None)`: a file path or the archive's bytes. */
export function load(f: string | Uint8Array | ArrayBuffer, options?: JitLoadOptions): ScriptModule {
  const o = checkOptions("torch.jit.load", options, ["mapLocation"]);
  if (o.mapLocation !== undefined && o.mapLocation !== null && typeof o.mapLocation !== "string") {
    throw new TypeError(`torch.jit.load: mapLocation must be a device string ("cpu", "cuda:0") or null, got ${typeof o.mapLocation}`);
  }
  let bytes: Uint8Array;
  let what: string;
  if (typeof f === "string") {
    what = JSON.stringify(f);
    try {
      bytes = fs.readFileSync(f);
    } catch (err) {
      throw new TorchError(`torch.jit.load: cannot read ${what}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  } else if (f instanceof Uint8Array) {
    bytes = f;
    what = "the buffer";
  } else if (f instanceof ArrayBuffer) {
    bytes = new Uint8Array(f);
    what = "the buffer";
  } else {
    throw new TypeError(`torch.jit.load: expected a file path, a Buffer/Uint8Array or an ArrayBuffer, but received ${f === null ? "null" : typeof f}`);
  }
  checkScriptArchive(bytes, what);
  return new ScriptModule(native.jitLoad(bytes, o.mapLocation ?? null));
}

/** Python: `torch.jit.save(m, f)`: to a file, or without a path into a Buffer. */
export function save(m: ScriptModule, f: string): void;
export function save(m: ScriptModule): Buffer;
export function save(m: ScriptModule, f?: string): void | Buffer {
  if (!(m instanceof ScriptModule)) {
    throw new TypeError("torch.jit.save: expected a ScriptModule (from torch.jit.load or torch.jit.trace); save a torch-ts module's weights with torch.save(model.stateDict(), f)");
  }
  return f === undefined ? m.save() : m.save(f);
}
