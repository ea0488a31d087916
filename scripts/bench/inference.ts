// CPU inference, ResNet-18 and ResNet-50 at batch 1 and 8 on 1 and 2 threads: torch-ts eager and
// torch-ts's fastest path (torch.jit.optimizeForInference(torch.jit.freeze(torch.jit.trace(model, x))))
// beside PyTorch eager, PyTorch doing the same trace + freeze + optimize_for_inference, and
// onnxruntime-node (the inference engine a Node user would otherwise pick) on the ONNX export of
// the same weights. PyTorch writes the weights, the input and the ONNX graph in the same run.
// Eager rows alternate rounds with Python (scripts/bench/peer.ts); the fastest-path rows go round
// by round through torch-ts, onnxruntime (in this process) and PyTorch, so all three see the same
// machine state, and each ratio is the median of the per-round ratios.
// onnxruntime-node is not a dependency of torch-ts; install it to get its columns:
//   npm install --no-save --ignore-scripts onnxruntime-node   (CPU binaries ship in the package)
// or point ORT_NODE_MODULES at a node_modules that has it. Run: npx tsx scripts/bench/inference.ts
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../lib/index.js";
import { mallocMatchedEnv, median, paired, PythonPeer } from "./peer.js";
import { parseCommandLine, parseFlags } from "../../lib/train/cli.js";

parseCommandLine("bench/inference", `usage: npx tsx scripts/bench/inference.ts
  ResNet-18/50 CPU inference: torch-ts eager and fastest path beside PyTorch and onnxruntime-node; takes no flags.
  --help
environment: BENCH_MODELS=resnet18,resnet50  BENCH_BATCHES=1,8  BENCH_THREADS=1,2
             BENCH_ROUNDS=n (5 at batch 1, 3 at batch 8)  ORT_NODE_MODULES=DIR`, () => (parseFlags(process.argv.slice(2), {}).values.help === true ? { help: true as const } : {}));

const list = (name: string, fallback: string) => (process.env[name] ?? fallback).split(",").map((s) => s.trim()).filter((s) => s !== "");
const models = list("BENCH_MODELS", "resnet18,resnet50") as ("resnet18" | "resnet50")[];
const batches = list("BENCH_BATCHES", "1,8").map(Number);
const threadCounts = list("BENCH_THREADS", "1,2").map(Number);
function refuse(message: string): never {
  console.error(`bench/inference: ${message}`);
  process.exit(2);
}
for (const m of models) if (m !== "resnet18" && m !== "resnet50") refuse(`BENCH_MODELS: unknown model ${m} (resnet18, resnet50)`);
for (const n of batches) if (!Number.isInteger(n) || n < 1 || n > 8) refuse(`BENCH_BATCHES: ${n} is not a batch size from 1 to 8`);
for (const n of threadCounts) if (!Number.isInteger(n) || n < 1 || n > 256) refuse(`BENCH_THREADS: ${n} is not a thread count`);
const roundsSet = process.env.BENCH_ROUNDS === undefined ? null : Number(process.env.BENCH_ROUNDS);
if (roundsSet !== null && (!Number.isInteger(roundsSet) || roundsSet < 1)) refuse(`BENCH_ROUNDS: ${process.env.BENCH_ROUNDS} is not a count`);

/** What this bench uses of onnxruntime-node's API (not a dependency: its types may not be installed). */
interface OrtSession { run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown }>> }
interface Ort {
  InferenceSession: { create(path: string, options: { intraOpNumThreads: number; interOpNumThreads: number; graphOptimizationLevel: "all" }): Promise<OrtSession> };
  Tensor: new (type: "float32", data: Float32Array, dims: number[]) => unknown;
  env: { versions?: { node?: string } };
}
function loadOrt(): Ort | null {
  const from = process.env.ORT_NODE_MODULES ? path.join(process.env.ORT_NODE_MODULES, "..", "x.js") : path.join(process.cwd(), "x.js");
  try {
    return createRequire(from)("onnxruntime-node") as Ort;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * Waits (at most 2 s) for a 50 ms window in which neither process used 10 ms of CPU: libtorch's
 * OpenMP workers and onnxruntime's pool both spin after a forward, and a turn that starts while
 * the other side still spins loses a core to it (peer.ts's paired() does the same between turns).
 */
async function settle(peer: PythonPeer): Promise<void> {
  for (let waited = 0; waited < 2000; waited += 50) {
    const ours = process.cpuUsage();
    const theirs = peer.cpuMs();
    await sleep(50);
    const used = process.cpuUsage(ours);
    if ((used.user + used.system) / 1000 < 10 && (theirs === null ? 0 : peer.cpuMs()! - theirs) < 10) return;
  }
}
async function timed(fn: () => unknown, n: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return samples;
}
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
const ratioText = (r: number[]) => `${median(r).toFixed(2)}x (${Math.min(...r).toFixed(2)}-${Math.max(...r).toFixed(2)})`;

const ort = loadOrt();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "torch-ts-bench-inference-"));
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "inference.py");
const peer = await PythonPeer.start(script, mallocMatchedEnv(torch.config().mallocTuned));
const started = performance.now();
const notes: string[] = [];
try {
  console.log(`CPU inference, 224x224, ms (medians); torch-ts on libtorch ${torch.config().libtorchVersion}, PyTorch ${peer.version}, ` +
    `onnxruntime-node ${ort === null ? "not installed (npm install --no-save --ignore-scripts onnxruntime-node)" : ort.env.versions?.node ?? "?"}`);
  console.log("torch-ts fastest = torch.jit.optimizeForInference(torch.jit.freeze(torch.jit.trace(model.eval(), x))), called under noGrad;");
  console.log("PyTorch optimized = the same passes in Python 1.13; onnxruntime: graphOptimizationLevel all, intraOpNumThreads = threads, interOpNumThreads 1");
  const header = `${"model".padEnd(9)} ${"b".padStart(2)} ${"thr".padStart(3)} | ${"ts eager".padStart(8)} ${"py eager".padStart(8)} | ` +
    `${"ts fast".padStart(8)} ${"py opt".padStart(8)} ${"ort".padStart(8)} | ${"fast/ort".padEnd(17)} ${"fast/py-opt".padEnd(17)} | max|diff|`;
  console.log(header);
  console.log("-".repeat(header.length));
  for (const name of models) {
    const files = { pth: path.join(dir, `${name}.pth`), onnx: path.join(dir, `${name}.onnx`), input: path.join(dir, `${name}-x.pth`) };
    await peer.setup({ prepare: { model: name, ...files } });
    const model = torch.vision.fromPretrained(files.pth, name).eval();
    const x8 = torch.load(files.input) as torch.Tensor;
    for (const threads of threadCounts) {
      torch.setNumThreads(threads);
      const session = ort === null ? null : await ort.InferenceSession.create(files.onnx, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: "all" });
      for (const batch of batches) {
        // Batch 8 of ResNet-50 takes ~1 s a call on one thread: fewer rounds, one call a turn.
        const rounds = roundsSet ?? (batch === 1 ? 5 : 3);
        const perRound = batch === 1 ? 3 : name === "resnet50" ? 1 : 2;
        const x = x8.narrow(0, 0, batch).contiguous();

        // Eager: torch-ts's model.call under noGrad beside PyTorch's torch.no_grad forward.
        const pyEager = (await peer.setup({ model: name, batch, threads, variant: "eager" })).out as number[];
        const eager = () => torch.noGrad(() => model.call(x).dispose());
        const e = await paired(eager, peer, rounds, perRound, { settle: true });
        const eagerOut = torch.noGrad(() => model.call(x));

        // The fastest path: traced once per input shape, frozen, then libtorch's inference passes.
        const t0 = performance.now();
        const fast = torch.noGrad(() => torch.jit.optimizeForInference(torch.jit.freeze(torch.jit.trace(model, x, { checkTrace: false }))));
        const buildMs = performance.now() - t0;
        const fastest = () => torch.noGrad(() => (fast.call(x) as torch.Tensor).dispose());
        const pyOpt = (await peer.setup({ model: name, batch, threads, variant: "optimized" })).out as number[];
        const feeds = session === null ? null : { x: new ort!.Tensor("float32", x.toTypedArray() as Float32Array, x.shape) };
        const runOrt = () => session!.run(feeds!);
        // Warm-up: a call each (oneDNN creates its primitives, onnxruntime its kernels, V8 optimizes).
        const warmups = batch === 1 ? 2 : 1; // a batch-8 ResNet-50 call is seconds
        for (let i = 0; i < warmups; i++) fastest();
        if (session !== null) for (let i = 0; i < warmups; i++) await runOrt();
        await peer.run(1);
        const all = { ours: [] as number[], py: [] as number[], ort: [] as number[] };
        const vsOrt: number[] = [];
        const vsPy: number[] = [];
        for (let r = 0; r < rounds; r++) {
          await settle(peer);
          const ours = await timed(fastest, perRound);
          let theirs: number[] = [];
          if (session !== null) {
            await settle(peer);
            theirs = await timed(runOrt, perRound);
            vsOrt.push(median(ours) / median(theirs));
          }
          await settle(peer);
          const py = await peer.run(perRound);
          vsPy.push(median(ours) / median(py));
          all.ours.push(...ours);
          all.ort.push(...theirs);
          all.py.push(...py);
        }
        const fastOut = torch.noGrad(() => fast.call(x) as torch.Tensor);
        const fastData = fastOut.toTypedArray() as Float32Array;
        const diffs = [maxDiff(fastData, eagerOut.toTypedArray() as Float32Array), maxDiff(fastData, pyOpt), maxDiff(eagerOut.toTypedArray() as Float32Array, pyEager)];
        if (session !== null) diffs.push(maxDiff(fastData, (await runOrt()).logits!.data as Float32Array));
        torch.dispose(x, eagerOut, fastOut);

        const ms = (v: number) => v.toFixed(1).padStart(8);
        console.log(`${name.padEnd(9)} ${String(batch).padStart(2)} ${String(threads).padStart(3)} | ${ms(e.ours)} ${ms(e.theirs)} | ` +
          `${ms(median(all.ours))} ${ms(median(all.py))} ${session === null ? "       -" : ms(median(all.ort))} | ` +
          `${(session === null ? "-" : ratioText(vsOrt)).padEnd(17)} ${ratioText(vsPy).padEnd(17)} | ${Math.max(...diffs).toExponential(1)}`);
        notes.push(`${name} b${batch} t${threads}: best ms ts fast ${Math.min(...all.ours).toFixed(1)}, py opt ${Math.min(...all.py).toFixed(1)}` +
          `${session === null ? "" : `, ort ${Math.min(...all.ort).toFixed(1)}`}; eager ratio ${e.ratio.toFixed(2)}x; trace+freeze+optimize ${buildMs.toFixed(0)} ms; ` +
          `${rounds} rounds x ${perRound}`);
      }
    }
    torch.dispose(x8);
  }
} finally {
  peer.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log("ratios: median of per-round ratios (range); max|diff|: largest of fastest vs eager, fastest vs PyTorch optimized, eager vs PyTorch eager, fastest vs onnxruntime");
for (const n of notes) console.log(`  ${n}`);
console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
