// Checkpoint files: torch.load / torch.save (PyTorch's zip and legacy formats, read and
// written so Python reads them too), safetensors, and the Python value helpers.
// lib/index.ts re-exports load/save/loadStateDict at the top level and the rest as
// `torch.serialization`.
export { load, loadAsync, type LoadOptions, type CheckpointSource } from "./pth.js";
export { save, saveAsync, saveToBuffer, type SaveOptions } from "./pth_writer.js";
export { loadStateDict, type LoadStateDictOptions } from "./state_dict.js";
export type { MapLocation } from "./materialize.js";
export * as serialization from "./namespace.js";
