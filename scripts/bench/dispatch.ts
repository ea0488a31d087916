// Dispatch overhead: a tiny op (1-element add) and a 64x64 matmul, per call, and long-tail
// ops on 4-element tensors: of the generated surface addcmul (an option), topk (two named
// returns), gather (a tensor argument) and cumsum, Python indexing x[0, 1:3], and a reduction
// with an option (x.sum(1, keepdim=True)), beside the same loops in Python PyTorch on the same libtorch and thread count, in alternating rounds
// with one long-lived Python process (scripts/bench/peer.ts). Each JS iteration also frees its
// result (dispose), the work Python's refcount does.
//   npx tsx scripts/bench/dispatch.ts   (BENCH_THREADS, BENCH_ROUNDS, BENCH_N: add calls per timed loop)
import path from "node:path";
import { fileURLToPath } from "node:url";
import { native } from "../../lib/binding.js";
import * as torch from "../../lib/index.js";
import { handleOf } from "../../lib/tensor/index.js";
import { mallocMatchedEnv, median, paired, PythonPeer, type Paired } from "./peer.js";
import { parseCommandLine, parseFlags } from "../../lib/train/cli.js";

// Takes no flags (only --help): the setup is in the environment, so a flag is refused, not ignored.
parseCommandLine("bench/dispatch", `usage: npx tsx scripts/bench/dispatch.ts
  per-call overhead of a tiny add, a 64x64 matmul and long-tail ops beside Python PyTorch; takes no flags.
  --help
environment: BENCH_THREADS (1), BENCH_ROUNDS (9), BENCH_N (20000: add calls per timed loop)`, () => (parseFlags(process.argv.slice(2), {}).values.help === true ? { help: true as const } : {}));

const threads = Number(process.env.BENCH_THREADS ?? 1);
const n = Number(process.env.BENCH_N ?? 20_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const perRound = 3;
torch.setNumThreads(threads);

const a = torch.rand(1);
const b = torch.rand(1);
const m1 = torch.rand(64, 64);
const m2 = torch.rand(64, 64);
const c4 = [torch.rand(4), torch.rand(4), torch.rand(4)] as const;
const x2 = torch.rand(4, 4);
const gatherIndex = torch.tensor([[0n, 1n], [1n, 2n], [2n, 3n], [3n, 0n]]);
const loops = {
  addcmul: (count: number) => {
    for (let i = 0; i < count; i++) torch.addcmul(c4[0], c4[1], c4[2], { value: 2 }).dispose();
  },
  topk: (count: number) => {
    for (let i = 0; i < count; i++) {
      const r = c4[0].topk(2);
      r[0].dispose();
      r[1].dispose();
    }
  },
  index: (count: number) => {
    for (let i = 0; i < count; i++) x2.index(0, "1:3").dispose();
  },
  gather: (count: number) => {
    for (let i = 0; i < count; i++) x2.gather(1, gatherIndex).dispose();
  },
  cumsum: (count: number) => {
    for (let i = 0; i < count; i++) x2.cumsum(1).dispose();
  },
  sum: (count: number) => {
    for (let i = 0; i < count; i++) x2.sum(1, { keepdim: true }).dispose();
  },
  add: (count: number) => {
    for (let i = 0; i < count; i++) a.add(b).dispose();
  },
  matmul: (count: number) => {
    for (let i = 0; i < count; i++) m1.matmul(m2).dispose();
  },
};
const counts = { add: n, matmul: n / 10, addcmul: n, topk: n, index: n, gather: n, cumsum: n, sum: n };
const longTail = ["addcmul", "topk", "index", "gather", "cumsum", "sum"] as const;
// The libtorch floor: the same ATen calls made from C++, with no binding at all.
function floorNs(op: "add" | "matmul", x: torch.Tensor, y: torch.Tensor): number {
  const samples: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t0 = process.hrtime.bigint();
    native.benchNativeLoop(op, handleOf(x), handleOf(y), counts[op]);
    samples.push(Number(process.hrtime.bigint() - t0) / counts[op]);
  }
  return median(samples);
}

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "dispatch.py");
const peer = await PythonPeer.start(script, mallocMatchedEnv(torch.config().mallocTuned));
const results: Record<string, Paired> = {};
try {
  for (const op of ["add", "matmul", ...longTail] as const) {
    await peer.setup({ op, count: counts[op], threads });
    loops[op](counts[op]); // warm-up, as paired() adds one more call each side
    await peer.run(1);
    results[op] = await paired(() => loops[op](counts[op]), peer, rounds, perRound);
  }
} finally {
  peer.close();
}
const floor = { add: floorNs("add", a, b), matmul: floorNs("matmul", m1, m2) };

const cfg = torch.config();
console.log(`dispatch benchmark — libtorch ${cfg.libtorchVersion} (torch-ts) vs PyTorch ${peer.version}, ${threads} thread(s), ` +
  `${rounds} alternating rounds of ${perRound} loops; per call in us (median over every loop)`);
console.log("overhead = per call - libtorch floor (the same ATen call made from C++); ratio = median of the per-round ratios");
const us = (ns: number) => (ns / 1000).toFixed(2).padStart(7);
for (const op of longTail) {
  const p = results[op]!;
  const [ts, py] = [(p.ours * 1e6) / counts[op], (p.theirs * 1e6) / counts[op]];
  const name = {
    addcmul: "addcmul (generated)", topk: "topk (generated)", index: "x[0, 1:3] (index)", gather: "gather (generated)",
    cumsum: "cumsum (generated)", sum: "x.sum(1, keepdim)",
  }[op];
  console.log(`${name.padEnd(22)} torch-ts ${us(ts)}  PyTorch ${us(py)}  ratio ${p.ratio.toFixed(2)}x (${p.low.toFixed(2)}-${p.high.toFixed(2)})`);
}
for (const [name, op] of [["a.add(b), 1 element", "add"], ["matmul 64x64", "matmul"]] as const) {
  const p = results[op]!;
  const [ts, py, fl] = [(p.ours * 1e6) / counts[op], (p.theirs * 1e6) / counts[op], floor[op]];
  console.log(
    `${name.padEnd(22)} torch-ts ${us(ts)}  PyTorch ${us(py)}  ratio ${p.ratio.toFixed(2)}x (${p.low.toFixed(2)}-${p.high.toFixed(2)}) | ` +
      `floor ${us(fl)}  overhead torch-ts ${us(ts - fl)}  PyTorch ${us(py - fl)}  ratio ${((ts - fl) / (py - fl)).toFixed(2)}x`,
  );
}
torch.dispose(a, b, m1, m2, x2, gatherIndex, ...c4);
