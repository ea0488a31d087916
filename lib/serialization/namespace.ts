// `torch.serialization`: errors, the Python value helpers and safetensors.
export { UnpicklingError, PythonGlobal, PythonObject, tuple, isTuple, markDict, markOrderedDict, metadataOf, setMetadata } from "./values.js";
export { PicklingError } from "./pickler.js";
export { load, loadAsync, type LoadOptions, type CheckpointSource } from "./pth.js";
export { save, saveAsync, saveToBuffer } from "./pth_writer.js";
export type { MapLocation } from "./materialize.js";
export type { UnpicklerLimits } from "./unpickler.js";
export * as safetensors from "./safetensors.js";
export { addSafeGlobals, getSafeGlobals, clearSafeGlobals, safeGlobals, type SafeGlobal, type SafeGlobalEntry, type Reconstruct } from "./safe_globals.js";
