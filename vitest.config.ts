import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // README examples and tests import the package by name; point it at the sources.
    alias: { "torch-ts": fileURLToPath(new URL("./lib/index.ts", import.meta.url)) },
  },
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    // One process per file: libtorch and its thread pools are process-wide.
    pool: "forks",
    // global.gc lets the memory tests prove the GC safety net frees forgotten tensors.
    poolOptions: { forks: { execArgv: ["--expose-gc"] } },
    // Test files run in parallel processes on a small machine; one intra-op thread each
    // avoids OpenMP oversubscription (which slows small ops by ~4x) and keeps runs repeatable.
    env: { OMP_NUM_THREADS: "1" },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
