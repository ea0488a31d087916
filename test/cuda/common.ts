// Shared by the CUDA suites (test/cuda/*.test.ts): when they run, the tolerances (and why),
// how two results are compared, the Python oracle on the same GPU, and the measured errors that
// scripts/gpu-check.sh puts in its results JSON.
//
// The suites run when CUDA is available and are reported as skipped, by a title that says so,
// when it is not. TORCH_TS_CUDA_DRYRUN=1 runs the comparison suites on the CPU instead (CPU
// beside CPU, the Python oracle on its CPU): it proves the suites' own code and the reference
// script on a machine without a GPU, so the one run on the GPU machine is not spent on our bugs.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "vitest";
import * as torch from "torch-ts";
import { runReference } from "../reference/python.js";

export const HAS_CUDA = torch.cuda.isAvailable();
export const DRY = !HAS_CUDA && process.env.TORCH_TS_CUDA_DRYRUN === "1";
/** Whether the comparison suites run (on CUDA, or on the CPU in a dry run). */
export const RUN = HAS_CUDA || DRY;
/** The device under test: CUDA, or the CPU in a dry run. */
export const DEV: torch.Device = HAS_CUDA ? "cuda" : "cpu";

/** A suite title that tells, in the run's output, why it did not run. */
export function title(name: string, needsRealCuda = false): string {
  if (HAS_CUDA) return `${name} (CUDA)`;
  if (DRY && !needsRealCuda) return `${name} (dry run on the CPU)`;
  return `${name} (skipped: no CUDA device)`;
}

/**
 * Relative-norm tolerances, ‖got − want‖₂ / ‖want‖₂ (a kernel bug moves it to ~1).
 * Figures quoted as "emulated" come from CPU runs of PyTorch with every convolution's operands
 * (forward, input-grad and weight-grad) rounded to TF32's 10-bit mantissa.
 */
export const TOL = {
  /** fp32, different kernels: vectorised transcendental functions differ by an ulp or two, reductions sum in another order (~1e-7 expected). */
  fp32: 1e-5,
  /** cuBLAS fp32 GEMM: TF32 is off for matmul by default (PyTorch and libtorch alike); only blocking/accumulation order differs from the CPU BLAS. */
  gemm: 1e-4,
  /**
   * cuDNN convolutions run in TF32 by default (torch.backends.cudnn.allow_tf32 = True):
   * 10-bit mantissa, unit roundoff 2^-11 = 4.9e-4. Emulated, one conv differs by 2.9e-4
   * (rounding) to 7.7e-4 (truncation), forward and backward alike.
   */
  tf32: 5e-3,
  /**
   * TF32 convs followed by BatchNorm/ReLU/max-pooling: an element that moves across zero or a
   * max-pool tie reroutes its whole gradient. Emulated, worst of 20 seeds for one conv-BN-ReLU-
   * max-pool-linear chain: outputs 4e-5, input/weight gradients 2.7e-2; worst of 40 seeds for the
   * two-conv Sequential CNN of layers_optim: 7e-2 (a BatchNorm bias gradient).
   */
  tf32Composite: 0.25,
  /**
   * float64 (no TF32 anywhere): rounding order only. Measured: 1e-15 relative noise on every conv
   * output moves ResNet-50's train-mode logits by 2.5e-13 and its gradients by 5e-13 (worst 8e-13).
   */
  fp64: 1e-8,
  /**
   * Same GPU, same libtorch (the addon is built against python3's torch), so the same kernels:
   * expected 0, allowed for reduction-order differences of atomics. Convolutions are compared
   * at `tf32` in case cuDNN's heuristics pick another algorithm for a process.
   */
  sameGpu: 1e-5,
} as const;
export type TolName = keyof typeof TOL;

/** The values of a tensor as float64 on the CPU (any dtype, any device). */
export function valuesOf(t: torch.Tensor): Float64Array {
  return torch.tidy(() => Float64Array.from(t.detach().to({ device: "cpu", dtype: "float64" }).toTypedArray() as Float64Array));
}

export interface Diff { rel: number; maxAbs: number; n: number }

/** ‖a − b‖ / ‖b‖ (‖a − b‖ when b is all zeros) and the largest element difference; NaN/inf where b is finite count as infinite error. */
export function diff(a: torch.Tensor, b: torch.Tensor): Diff {
  const x = valuesOf(a);
  const y = valuesOf(b);
  let num = 0;
  let den = 0;
  let maxAbs = 0;
  for (let i = 0; i < y.length; i++) {
    const d = x[i]! - y[i]!;
    if (Number.isNaN(d)) {
      if (!(Number.isNaN(x[i]!) && Number.isNaN(y[i]!)) && x[i] !== y[i]) return { rel: Infinity, maxAbs: Infinity, n: y.length };
      continue;
    }
    num += d * d;
    den += y[i]! * y[i]!;
    maxAbs = Math.max(maxAbs, Math.abs(d));
  }
  return { rel: den > 0 ? Math.sqrt(num / den) : Math.sqrt(num), maxAbs, n: y.length };
}

// ---- measured errors, for the results JSON ----
const measured: { what: string; rel: number; maxAbs: number; tol: number }[] = [];

/** Asserts shape and dtype equal and the relative-norm error within `tol`; records the error. */
export function expectNear(got: torch.Tensor | null | undefined, want: torch.Tensor | null | undefined, tol: number, what: string): Diff {
  expect(got, `${what}: result`).toBeInstanceOf(torch.Tensor);
  expect(want, `${what}: reference`).toBeInstanceOf(torch.Tensor);
  expect(got!.shape, `${what}: shape`).toEqual(want!.shape);
  expect(got!.dtype, `${what}: dtype`).toBe(want!.dtype);
  const d = diff(got!, want!);
  measured.push({ what, rel: d.rel, maxAbs: d.maxAbs, tol });
  if (!(d.rel <= tol)) expect.fail(`${what}: relative error ${d.rel.toExponential(2)} > ${tol} (max |diff| ${d.maxAbs.toExponential(2)} over ${d.n} elements)`);
  return d;
}

/** Records a figure that is not a tensor comparison (memory bytes, losses) for the report. */
export function note(what: string, value: unknown): void {
  notes[what] = value;
}
const notes: Record<string, unknown> = {};

/**
 * Writes this file's measured errors and notes to $TORCH_TS_CUDA_REPORT/<suite>.json, which
 * scripts/gpu-check.sh folds into results.json (call from afterAll).
 */
export function writeReport(suite: string): void {
  const dir = process.env.TORCH_TS_CUDA_REPORT;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  const ratio = (m: { rel: number; tol: number }) => (m.tol > 0 ? m.rel / m.tol : m.rel > 0 ? Infinity : 0);
  const worst = [...measured].sort((a, b) => ratio(b) - ratio(a)).slice(0, 12);
  fs.writeFileSync(path.join(dir, `${suite}.json`), JSON.stringify({
    suite, device: DEV, dry: DRY, comparisons: measured.length, worstAgainstTolerance: worst, notes, all: measured,
  }, null, 1));
}

// ---- the Python oracle on the same device ----
/** The device string the Python side uses. */
export const PY_DEVICE = HAS_CUDA ? "cuda" : "cpu";

/** Runs test/reference/cuda.py's `task` (PyTorch on the device under test); returns its JSON reply. */
export function python<T = Record<string, unknown>>(task: string, input: Record<string, unknown>): T {
  return runReference<T>("cuda.py", { task, device: PY_DEVICE, ...input });
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(prefix: string): [string, () => void] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `torch-ts-${prefix}-`));
  return [dir, () => fs.rmSync(dir, { recursive: true, force: true })];
}

/** Loads a file Python wrote as a Map of CPU tensors (Python saves plain dicts of tensors). */
export function loadMap(file: string): Map<string, torch.Tensor> {
  return torch.load(file, { mapLocation: "cpu" }) as Map<string, torch.Tensor>;
}

/** A CPU copy (moves to the CPU; copies when already there so the caller owns it). */
export function cpuCopy(t: torch.Tensor): torch.Tensor {
  return t.detach().to("cpu", { copy: true });
}

/** Seeded uniform float32 values in [lo, hi) on the CPU. */
export function uniform(shape: number[], lo: number, hi: number): torch.Tensor {
  return torch.tidy(() => torch.rand(shape).mul(hi - lo).add(lo));
}
