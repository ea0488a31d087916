// Dispatch overhead: a tiny op (1-element add) and a 64x64 matmul, per call, beside the
// same loops in Python PyTorch on the same libtorch and thread count, in the same run.
// Each JS iteration also frees its result (dispose), the work Python's refcount does.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { native } from "../../lib/binding.js";
import * as torch from "../../lib/index.js";
import { handleOf } from "../../lib/tensor.js";

const threads = Number(process.env.BENCH_THREADS ?? 1);
const n = Number(process.env.BENCH_N ?? 200_000);
const repeats = 9;
const warmup = 20_000;
torch.setNumThreads(threads);

function medianNsPerOp(fn: (n: number) => void, count: number): number {
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    fn(count);
    samples.push(Number(process.hrtime.bigint() - t0) / count);
  }
  samples.sort((x, y) => x - y);
  return samples[Math.floor(samples.length / 2)]!;
}

const a = torch.rand(1);
const b = torch.rand(1);
const m1 = torch.rand(64, 64);
const m2 = torch.rand(64, 64);
const tiny = (count: number) => {
  for (let i = 0; i < count; i++) a.add(b).dispose();
};
const mm = (count: number) => {
  for (let i = 0; i < count; i++) m1.matmul(m2).dispose();
};
tiny(warmup);
mm(warmup / 10);
const ours = { add: medianNsPerOp(tiny, n), matmul: medianNsPerOp(mm, n / 10) };
// The libtorch floor: the same ATen calls made from C++, with no binding at all.
const floorOf = (op: "add" | "matmul", x: torch.Tensor, y: torch.Tensor, count: number) =>
  medianNsPerOp(() => native.benchNativeLoop(op, handleOf(x), handleOf(y), count), 1) / count;
const floor = { add: floorOf("add", a, b, n), matmul: floorOf("matmul", m1, m2, n / 10) };

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "dispatch.py");
const py = spawnSync("/usr/bin/python3", [script], {
  input: JSON.stringify({ threads, n, repeats, warmup }),
  encoding: "utf8",
});
if (py.status !== 0) {
  console.error(`bench: Python PyTorch reference failed:\n${py.stderr}`);
  process.exit(1);
}
const theirs = JSON.parse(py.stdout) as { add_1elem_ns: number; matmul_64_ns: number; version: string };

const cfg = torch.config();
console.log(`dispatch benchmark — libtorch ${cfg.libtorchVersion} (torch-ts) vs PyTorch ${theirs.version}, ${threads} thread(s), median of ${repeats}`);
console.log("per call, in us; overhead = per call - libtorch floor (the same ATen call made from C++)");
const us = (ns: number) => (ns / 1000).toFixed(2).padStart(7);
const row = (name: string, ts: number, pyNs: number, floorNs: number) =>
  console.log(
    `${name.padEnd(22)} torch-ts ${us(ts)}  PyTorch ${us(pyNs)}  ratio ${(ts / pyNs).toFixed(2)}x | ` +
      `floor ${us(floorNs)}  overhead torch-ts ${us(ts - floorNs)}  PyTorch ${us(pyNs - floorNs)}  ratio ${((ts - floorNs) / (pyNs - floorNs)).toFixed(2)}x`,
  );
row("a.add(b), 1 element", ours.add, theirs.add_1elem_ns, floor.add);
row("matmul 64x64", ours.matmul, theirs.matmul_64_ns, floor.matmul);
