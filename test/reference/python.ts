// Runs a PyTorch reference script with Debian's python3 (the oracle) and returns its JSON.
// A missing python3-torch fails the test: references are required, never skipped.
// TORCH_TS_PYTHON overrides the interpreter: the GPU machine has no /usr/bin/python3, and its
// python3 (PyTorch 2.x + CUDA) is the oracle there (scripts/gpu-check.sh sets it).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PYTHON = process.env.TORCH_TS_PYTHON || "/usr/bin/python3";
const here = path.dirname(fileURLToPath(import.meta.url));

/** Runs test/reference/<script> with `input` as JSON on stdin; parses JSON from stdout. */
export function runReference<T = unknown>(script: string, input: unknown): T {
  const res = spawnSync(PYTHON, [path.join(here, script)], {
    input: JSON.stringify(input),
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, OMP_NUM_THREADS: "1" },
  });
  if (res.error) throw new Error(`reference ${script}: cannot run ${PYTHON} (${res.error.message}); run scripts/setup.sh`);
  if (res.status !== 0) throw new Error(`reference ${script} failed (exit ${res.status}):\n${res.stderr}`);
  return JSON.parse(res.stdout) as T;
}
