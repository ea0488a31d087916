// ResNet-50 eval at batch 1, 224x224: torch-ts beside PyTorch eager and beside onnxruntime-node
// (the inference engine a Node user would otherwise pick) on the same weights — PyTorch saves
// the state dict and exports the ONNX graph (torch.onnx.export) in the same run. torch-ts and
// PyTorch alternate rounds (scripts/bench/peer.ts); onnxruntime is timed after them.
// onnxruntime-node is not a dependency of torch-ts; install it to get its row:
//   npm install --no-save --ignore-scripts onnxruntime-node   (CPU binaries ship in the package)
// or point ORT_NODE_MODULES at a node_modules that has it. Run: npx tsx scripts/bench/onnx.ts
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../lib/index.js";
import { formatRatio, mallocMatchedEnv, median, paired, PythonPeer } from "./peer.js";
import { parseCommandLine, parseFlags } from "../../lib/train/cli.js";

// Takes no flags (only --help): the setup is in the environment, so a flag is refused, not ignored.
parseCommandLine("bench/onnx", `usage: npx tsx scripts/bench/onnx.ts
  ResNet-50 batch-1 eval beside PyTorch eager and onnxruntime-node; takes no flags.
  --help
environment: BENCH_THREADS=n, BENCH_REPEATS=n (15), BENCH_ROUNDS=n (7), ORT_NODE_MODULES=DIR`, () => (parseFlags(process.argv.slice(2), {}).values.help === true ? { help: true as const } : {}));

const threads = Number(process.env.BENCH_THREADS ?? torch.getNumThreads());
const repeats = Number(process.env.BENCH_REPEATS ?? 15);
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const perRound = 3;
torch.setNumThreads(threads);

/** What this bench uses of onnxruntime-node's API (not a dependency: its types may not be installed). */
interface Ort {
  InferenceSession: {
    create(path: string, options: { intraOpNumThreads: number; interOpNumThreads: number; graphOptimizationLevel: "all" }):
      Promise<{ run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown }>> }>;
  };
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

async function medianMs(fn: () => unknown, n: number): Promise<number> {
  for (let i = 0; i < 2; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "torch-ts-bench-onnx-"));
try {
  const files = { pth: path.join(dir, "r50.pth"), onnx: path.join(dir, "r50.onnx"), input: path.join(dir, "x.pth") };
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "onnx.py");
  const peer = await PythonPeer.start(script, mallocMatchedEnv(torch.config().mallocTuned));
  await peer.setup({ threads, ...files }); // writes the weights, the input and the ONNX graph
  const model = torch.vision.fromPretrained(files.pth, "resnet50").eval();
  const x = torch.load(files.input) as torch.Tensor;
  const forward = () => torch.noGrad(() => model.call(x).dispose());
  forward();
  await peer.run(1);
  const p = await paired(forward, peer, rounds, perRound, { settle: true });
  peer.close();
  const ourLogits = torch.noGrad(() => model.call(x));

  console.log(`ResNet-50 eval, batch 1, 224x224, ${threads} thread(s), ms (medians); torch-ts on libtorch ${torch.config().libtorchVersion}, PyTorch ${peer.version}`);
  const row = (name: string, ms: number, ratio: string) => console.log(`${name.padEnd(40)} ${ms.toFixed(1).padStart(7)} ms   ${ratio}`);
  row("torch-ts (model.call under noGrad)", p.ours, `vs PyTorch eager: ${formatRatio(p, rounds)}`);
  row("PyTorch eager (torch.no_grad)", p.theirs, "");
  const ort = loadOrt();
  if (ort === null) {
    console.log("onnxruntime-node                         not installed: npm install --no-save --ignore-scripts onnxruntime-node");
  } else {
    const session = await ort.InferenceSession.create(files.onnx, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: "all" });
    const feeds = { x: new ort.Tensor("float32", Float32Array.from(x.flatten().tolist() as number[]), [1, 3, 224, 224]) };
    const ms = await medianMs(() => session.run(feeds), repeats);
    const out = (await session.run(feeds)).logits!.data as Float32Array;
    const ref = ourLogits.flatten().tolist() as number[];
    const maxDiff = ref.reduce((m, v, i) => Math.max(m, Math.abs(v - out[i]!)), 0);
    row(`onnxruntime-node ${ort.env.versions?.node ?? ""}`.trim(), ms, `ratio to PyTorch ${(ms / p.theirs).toFixed(2)}x (median of ${repeats}, timed after the paired rounds)`);
    console.log(`(onnxruntime's logits differ from torch-ts's by at most ${maxDiff.toExponential(1)}: the same weights)`);
  }
  torch.dispose(x, ourLogits);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
