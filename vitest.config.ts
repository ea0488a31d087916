import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // README examples and tests import the package by name; point it at the sources.
    alias: { "torch-ts": fileURLToPath(new URL("./lib/index.ts", import.meta.url)) },
  },
  test: {
    include: ["test/**/*.test.ts"],
    // One process per file: libtorch and its thread pools are process-wide.
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
