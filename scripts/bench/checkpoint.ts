// Checkpoint I/O: torch.load and torch.save of a torchvision ResNet-50 state dict (~100 MB,
// 320 tensors), ours beside Python PyTorch's on the same file in the same run, medians.
// Python writes the file at bench time (scripts/bench/checkpoint.py) into a temp directory.
// Run: npx tsx scripts/bench/checkpoint.ts   (BENCH_REPEATS=n to change the sample count)
// Repeated loads in one process favour Python: glibc hands its freed storages straight back,
// while our heap top is trimmed and re-faulted each time (GLIBC_TUNABLES=
// glibc.malloc.trim_threshold=1073741824:glibc.malloc.mmap_threshold=33554432 shows the
// difference). Storages are read straight into their tensors and written straight from them;
// we verify CRC-32s by default, which PyTorch's reader does not (see the checkCrc: false row).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../lib/index.js";

const repeats = Number(process.env.BENCH_REPEATS ?? 7);
const threads = Number(process.env.BENCH_THREADS ?? 1);
torch.setNumThreads(threads);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "torch-ts-bench-ckpt-"));

function medianMs(fn: () => void): number {
  fn(); // warm-up
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

try {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "checkpoint.py");
  const py = spawnSync("/usr/bin/python3", [script], { input: JSON.stringify({ dir, repeats, threads }), encoding: "utf8" });
  if (py.status !== 0) {
    console.error(`bench: Python PyTorch reference failed:\n${py.stderr}`);
    process.exit(1);
  }
  const theirs = JSON.parse(py.stdout) as {
    version: string; file: string; bytes: number; first_load_ms: number; load_ms: number; load_weights_only_ms: number; save_ms: number;
  };

  const t0 = process.hrtime.bigint();
  torch.dispose(torch.load(theirs.file)); // the first load of this process, as the Python side's
  const firstLoad = Number(process.hrtime.bigint() - t0) / 1e6;

  const load = medianMs(() => torch.dispose(torch.load(theirs.file)));
  const loadNoCrc = medianMs(() => torch.dispose(torch.load(theirs.file, { checkCrc: false })));
  const sd = torch.load(theirs.file);
  const save = medianMs(() => torch.save(sd, path.join(dir, "ts_out.pth")));
  torch.dispose(sd);

  const cfg = torch.config();
  console.log(`checkpoint benchmark — ResNet-50 state dict, ${(theirs.bytes / 2 ** 20).toFixed(1)} MiB; torch-ts on libtorch ${cfg.libtorchVersion} vs PyTorch ${theirs.version}; median of ${repeats}`);
  const row = (name: string, ours: number, pyMs: number, pyName: string) =>
    console.log(`${name.padEnd(38)} torch-ts ${ours.toFixed(1).padStart(7)} ms   ${pyName.padEnd(34)} ${pyMs.toFixed(1).padStart(7)} ms   ratio ${(ours / pyMs).toFixed(2)}x`);
  row("first torch.load in the process", firstLoad, theirs.first_load_ms, "first torch.load");
  row("torch.load (weights only, CRC)", load, theirs.load_ms, "torch.load");
  row("torch.load (weights only, CRC)", load, theirs.load_weights_only_ms, "torch.load(weights_only=True)");
  row("torch.load (checkCrc: false)", loadNoCrc, theirs.load_ms, "torch.load");
  row("torch.save (temp file, fsync, rename)", save, theirs.save_ms, "torch.save");
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
