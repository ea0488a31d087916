// Checkpoint I/O: torch.load and torch.save of a torchvision ResNet-50 state dict (~100 MB,
// 320 tensors), ours beside Python PyTorch's on the same file, in alternating rounds
// (scripts/bench/peer.ts). Python writes the file at bench time into a temp directory.
// Run: npx tsx scripts/bench/checkpoint.ts   (BENCH_ROUNDS=n, BENCH_PER_ROUND=n)
// Storages are read in native code straight into their tensors (pread on a few threads,
// CRC-32 on the hot bytes) and written straight from them. We verify CRC-32s by default, which
// PyTorch's reader does not (the checkCrc: false row does the same work as torch.load); our
// save fsyncs before its atomic rename, which PyTorch's does not (one row gives Python's save
// the same durability; the fsync: false row skips the flush as torch.save does).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../lib/index.js";
import { formatRatio, mallocMatchedEnv, paired, PythonPeer } from "./peer.js";
import { parseCommandLine, parseFlags } from "../../lib/train/cli.js";

// Takes no flags (only --help): the setup is in the environment, so a flag is refused, not ignored.
parseCommandLine("bench/checkpoint", `usage: npx tsx scripts/bench/checkpoint.ts
  torch.load / torch.save of a ResNet-50 state dict beside Python PyTorch's; takes no flags.
  --help
environment: BENCH_ROUNDS=n (15), BENCH_PER_ROUND=n (3), BENCH_THREADS=n (1)`, () => (parseFlags(process.argv.slice(2), {}).values.help === true ? { help: true as const } : {}));

const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
const perRound = Number(process.env.BENCH_PER_ROUND ?? 3);
const threads = Number(process.env.BENCH_THREADS ?? 1);
torch.setNumThreads(threads);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "torch-ts-bench-ckpt-"));
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "checkpoint.py");
const peer = await PythonPeer.start(script, mallocMatchedEnv(torch.config().mallocTuned));
try {
  const first = (await peer.setup({ kind: "load", dir, threads })) as { file: string; bytes: number; first_load_ms: number };
  const t0 = performance.now();
  const sd = torch.load(first.file); // the first load of this process, as the Python side's
  const firstLoad = performance.now() - t0;

  const cfg = torch.config();
  console.log(`checkpoint benchmark — ResNet-50 state dict, ${(first.bytes / 2 ** 20).toFixed(1)} MiB; torch-ts on libtorch ${cfg.libtorchVersion} vs PyTorch ${peer.version}; ` +
    `median ms, ${rounds} alternating rounds of ${perRound}${cfg.mallocTuned ? "; both with raised glibc mmap/trim thresholds" : ""}${cfg.hugePages ? "; torch-ts with huge pages for buffers >= 2 MiB (TORCH_TS_HUGEPAGES=0: PyTorch 1.13's allocation)" : ""}`);
  const label = (s: string) => s.padEnd(38);
  console.log(`${label("first torch.load in the process")} torch-ts ${firstLoad.toFixed(1).padStart(7)}   first torch.load ${first.first_load_ms.toFixed(1).padStart(7)}   ratio ${(firstLoad / first.first_load_ms).toFixed(2)}x (one sample each)`);
  const row = async (name: string, pyKind: string, pyName: string, ours: () => void) => {
    await peer.setup({ kind: pyKind, dir, threads });
    const p = await paired(ours, peer, rounds, perRound, { warmup: 10 }); // V8 optimizes the unpickler after a few loads
    console.log(`${label(name)} torch-ts ${p.ours.toFixed(1).padStart(7)}   ${pyName.padEnd(29)} ${p.theirs.toFixed(1).padStart(7)}   ${formatRatio(p, rounds)}`);
  };
  await row("torch.load (CRC-32 checked)", "load", "torch.load", () => torch.dispose(torch.load(first.file)));
  await row("torch.load (CRC-32 checked)", "load_weights_only", "torch.load(weights_only=True)", () => torch.dispose(torch.load(first.file)));
  await row("torch.load (checkCrc: false)", "load", "torch.load", () => torch.dispose(torch.load(first.file, { checkCrc: false })));
  const out = path.join(dir, "ts_out.pth");
  await row("torch.save (temp file, fsync, rename)", "save", "torch.save", () => torch.save(sd, out));
  await row("torch.save (temp file, fsync, rename)", "save_durable", "torch.save + fsync + rename", () => torch.save(sd, out));
  await row("torch.save (fsync: false)", "save", "torch.save", () => torch.save(sd, out, { fsync: false }));
  torch.dispose(sd);
} finally {
  peer.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
