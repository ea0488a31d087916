// `npm install torch-ts` / `npm rebuild torch-ts`: keep a binary that loads (the prebuilt one
// for linux-x64, or an earlier local build); otherwise build from source with cmake-js
// against the libtorch CMakeLists.txt finds (LIBTORCH, a python torch, or the system one).
// Plain JavaScript: it runs before anything is compiled and without tsx.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
let lastError = "";

function loads() {
  try {
    const binding = require("node-gyp-build")(root);
    const cfg = binding.config();
    console.log(`torch-ts: native addon ready (libtorch ${cfg.libtorchVersion}, CUDA ${cfg.cudaAvailable ? "available" : "not available"})`);
    return true;
  } catch (err) {
    lastError = String(err && err.message ? err.message : err).split("\n")[0];
    return false;
  }
}

function onPath(tool) {
  return (process.env.PATH ?? "").split(path.delimiter).some((d) => d && existsSync(path.join(d, tool)));
}

const forced = process.env.TORCH_TS_BUILD_FROM_SOURCE === "1" || (process.env.LIBTORCH ?? "") !== "";
if (!forced && loads()) process.exit(0);

const missing = ["cmake", "c++"].filter((t) => !onPath(t));
if (missing.length > 0) {
  console.error(
    `torch-ts: no usable prebuilt binary (${lastError || "none for this platform"}) and ${missing.join(" and ")} not found to build one.\n` +
      "  For the prebuilt linux-x64 binary: apt-get install libtorch1.13 libopenblas0-pthread\n" +
      "  To build from source: apt-get install cmake g++ libtorch-dev (or LIBTORCH=/path/to/libtorch), then npm rebuild torch-ts",
  );
  process.exit(1);
}
console.log(forced ? "torch-ts: building from source (LIBTORCH or TORCH_TS_BUILD_FROM_SOURCE set)" : `torch-ts: building from source (${lastError || "no prebuilt binary"})`);
try {
  execFileSync(process.execPath, [require.resolve("cmake-js/bin/cmake-js"), "rebuild", "--parallel", "2"], { cwd: root, stdio: "inherit" });
} catch {
  console.error("torch-ts: the source build failed (see above). It needs libtorch: apt-get install libtorch-dev, or LIBTORCH=/path/to/libtorch npm rebuild torch-ts");
  process.exit(1);
}
if (!loads()) {
  console.error(`torch-ts: built, but the addon does not load: ${lastError}`);
  process.exit(1);
}
