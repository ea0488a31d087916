// The state dict given to Module.loadStateDict, as checked entries. Keys and values are checked
// before anything is copied: a non-string key would fail deep inside the prefix matching
// ("key.startsWith is not a function"), and no bad entry may leave a module half-loaded.
import { Tensor } from "../tensor/index.js";
import { argError, describe } from "../validate.js";

/** The entries of a Map or plain object of tensors (a plain object's metadata field left out). */
export function stateDictEntries(stateDict: object): Map<string, Tensor> {
  const isMap = stateDict instanceof Map;
  const sd = new Map<unknown, unknown>(isMap ? (stateDict as Map<unknown, unknown>) : Object.entries(stateDict));
  for (const [key, value] of sd) {
    if (typeof key !== "string") {
      throw new TypeError(`Module.loadStateDict: expected every key of stateDict to be a string (a parameter or buffer name such as "fc.weight"), but received the key ${describe(key)} (${typeof key})`);
    }
    // A plain object may carry its metadata as a field (torch.load's Maps hold it off the entries).
    if (!isMap && (key === "_metadata" || key === "metadata") && !(value instanceof Tensor)) {
      sd.delete(key);
      continue;
    }
    if (!(value instanceof Tensor)) throw argError("Module.loadStateDict", `stateDict[${JSON.stringify(key)}]`, "a Tensor", value);
  }
  return sd as Map<string, Tensor>;
}
