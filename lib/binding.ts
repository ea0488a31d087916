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
    throw new Error(explainLoadFailure(err instanceof Error ? err.message : String(err)));
  }
  native.setErrorClass(TorchError);
  return native;
}

/**
 * Turns a dlopen failure into what to do. The prebuilt binary links Debian's libtorch 1.13
 * by soname (libtorch_cpu.so.1.13): another or no libtorch shows up here as a missing
 * library rather than as an undefined-symbol crash later.
 */
function explainLoadFailure(message: string): string {
  const reason = message.split("\n")[0]!;
  const lib = /(lib(?:torch|c10)[\w.-]*\.so[\w.]*)/.exec(reason)?.[1];
  const lines = [`torch-ts: the native addon could not be loaded (${reason}).`];
  if (lib !== undefined) {
    lines.push(`  ${lib} is missing or unreadable: the prebuilt binary needs Debian's libtorch 1.13.`,
      "  Install it: apt-get install libtorch1.13 libopenblas0-pthread",
      "  Or build against your own libtorch (CUDA, other versions): LIBTORCH=/path/to/libtorch npm rebuild torch-ts");
  } else {
    lines.push("  In a checkout: run scripts/setup.sh (installs libtorch and builds), or npm run build:native.",
      "  In a project: npm rebuild torch-ts (builds from source when no prebuilt binary loads);",
      "  for a CUDA or other libtorch: LIBTORCH=/path/to/libtorch npm rebuild torch-ts.");
  }
  return lines.join("\n");
}

export const native: Binding = load();
