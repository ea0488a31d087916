// loadStateDict: the state dict inside a checkpoint, whatever shape the checkpoint has —
// the file itself, or its `state_dict` / `model_state_dict` / `model` entry (what training
// scripts commonly save) — optionally without DataParallel's `module.` key prefix. Other
// Python objects in the checkpoint (a training script's argparse.Namespace, …) are decoded
// inert and dropped: only the state dict is kept.
import { TorchError } from "../errors.js";
import { Tensor } from "../tensor/index.js";
import { load, type CheckpointSource, type LoadOptions } from "./pth.js";
import { walkTensors } from "./safe_globals.js";
import { markOrderedDict, metadataOf, setMetadata } from "./values.js";

export interface LoadStateDictOptions extends LoadOptions {
  /**
   * Remove a key prefix where present: `true` strips "module." (what nn.DataParallel and
   * DistributedDataParallel add), a string strips that prefix. Python:
   * `torch.nn.modules.utils.consume_prefix_in_state_dict_if_present`.
   */
  stripPrefix?: boolean | string;
}

const CANDIDATES = ["state_dict", "model_state_dict", "model"];

function entriesOf(value: unknown): [unknown, unknown][] | null {
  if (value instanceof Map) return [...value];
  if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.entries(value);
  }
  return null;
}

function isStateDict(value: unknown): boolean {
  const entries = entriesOf(value);
  return entries !== null && entries.length > 0 && entries.every(([k, v]) => typeof k === "string" && v instanceof Tensor);
}


/**
 * Loads a checkpoint and returns its state dict as a Map of name -> Tensor (with the
 * `_metadata` of the file when it has one). The rest of the checkpoint (optimizer state, …)
 * is disposed. Python objects outside the weights-only allowlist are read as inert data
 * (`inert` defaults to true here; pass `inert: false` to refuse them as torch.load does).
 */
export function loadStateDict(f: CheckpointSource, options: LoadStateDictOptions = {}): Map<string, Tensor> {
  const { stripPrefix, ...loadOptions } = options;
  const prefix = stripPrefix === true ? "module." : typeof stripPrefix === "string" ? stripPrefix : "";
  const checkpoint = load(f, { ...loadOptions, inert: loadOptions.inert ?? true });
  let out: Map<string, Tensor> | undefined;
  try {
    let found: unknown = isStateDict(checkpoint) ? checkpoint : undefined;
    const top = entriesOf(checkpoint);
    if (found === undefined && top !== null) {
      for (const name of CANDIDATES) {
        const entry = top.find(([k]) => k === name);
        if (entry !== undefined && isStateDict(entry[1])) {
          found = entry[1];
          break;
        }
      }
    }
    if (found === undefined) {
      const keys = top === null ? "(not a dict)" : `[${top.slice(0, 20).map(([k]) => JSON.stringify(k)).join(", ")}]`;
      throw new TorchError(`torch.loadStateDict: no state dict found: the checkpoint is not a dict of tensors and has no ${CANDIDATES.join("/")} entry that is; top-level keys: ${keys}`);
    }
    const strip = (k: string): string => (prefix !== "" && k.startsWith(prefix) ? k.slice(prefix.length) : k);
    out = markOrderedDict(new Map<string, Tensor>());
    for (const [k, v] of entriesOf(found)!) out.set(strip(k as string), v as Tensor);
    const meta = found instanceof Map ? metadataOf(found) : undefined;
    if (meta !== undefined) {
      // As consume_prefix_in_state_dict_if_present: "module" and "module.x" lose the prefix.
      const stripped = markOrderedDict(new Map(meta));
      for (const k of [...stripped.keys()]) {
        if (prefix === "" || typeof k !== "string" || k.length === 0) continue;
        if (k === prefix.replaceAll(".", "") || k.startsWith(prefix)) {
          const v = stripped.get(k);
          stripped.delete(k);
          stripped.set(k.slice(prefix.length), v);
        }
      }
      setMetadata(out, stripped);
    }
    return out;
  } finally {
    const keep = new Set(out?.values() ?? []);
    for (const t of walkTensors(checkpoint)) if (!keep.has(t)) t.dispose();
  }
}
