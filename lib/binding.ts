// Loads the native addon once: a prebuild for this platform or the local build/ (node-gyp-build).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Binding } from "../binding.js";
import { TorchError } from "./errors.js";

const require = createRequire(import.meta.url);

function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "torch-ts") return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("torch-ts: cannot find the package root (package.json named torch-ts)");
    dir = parent;
  }
}

function load(): Binding {
  const root = packageRoot();
  let native: Binding;
  try {
    native = require("node-gyp-build")(root) as Binding;
  } catch (err) {
    const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new Error(
      `torch-ts: the native addon could not be loaded (${reason}).\n` +
        "  In a checkout: run scripts/setup.sh (installs libtorch and builds), or npm run build:native.\n" +
        "  For a CUDA or other libtorch: LIBTORCH=/path/to/libtorch npm run build:native.",
    );
  }
  native.setErrorClass(TorchError);
  return native;
}

export const native: Binding = load();
