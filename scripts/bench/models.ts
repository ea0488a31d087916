// ResNet eval and train steps, the Adam step and word-language-model training steps (LSTM and
// TransformerEncoder, scripts/bench/lm_models.ts), torch-ts beside Python PyTorch on the same
// libtorch and thread count, in the same run: medians in ms and the ratio (ours / theirs).
//   npx tsx scripts/bench/models.ts            (BENCH_THREADS=n, BENCH_QUICK=1 for fewer repeats)
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../lib/index.js";
import { buildLMTrainStep, type LMConfig } from "./lm_models.js";
import { formatRatio, mallocMatchedEnv, paired, PythonPeer } from "./peer.js";
import { parseCommandLine, parseFlags } from "../../lib/train/cli.js";

// Takes no flags (only --help): the setup is in the environment, so a flag is refused, not ignored.
parseCommandLine("bench/models", `usage: npx tsx scripts/bench/models.ts
  ResNet eval/train steps, the Adam step and LSTM/Transformer LM train steps beside Python PyTorch; takes no flags.
  --help
environment: BENCH_THREADS=n (the intra-op thread count), BENCH_QUICK=1 for fewer repeats,
  BENCH_ONLY=<regex> for the cases whose name matches`, () => (parseFlags(process.argv.slice(2), {}).values.help === true ? { help: true as const } : {}));

const threads = Number(process.env.BENCH_THREADS ?? torch.getNumThreads());
const quick = process.env.BENCH_QUICK === "1";
torch.setNumThreads(threads);

interface Case {
  /** arch "mlp": Linear(784, 256), ReLU, Linear(256, 10) on [batch, 784] (size and channels unused). */
  name: string; kind: "eval" | "train" | "adam"; arch: torch.vision.Architecture | "mlp"; batch: number; size: number; channels: number; classes: number;
  rounds: number; perRound: number;
  /**
   * Inference-optimized eval: conv+BN folded (ResNet.fuseModel) and channels-last. "both": Python
   * does the same (torch.fx's fuse, channels_last), the same work on both sides; "ours": Python
   * runs the plain eval model, what a PyTorch user gets from model.eval() alone.
   */
  optimize?: "ours" | "both";
}
/** A word_language_model training step (lm_models.ts / lm_models.py). */
interface LMCase extends LMConfig { name: string; kind: "lm"; rounds: number; perRound: number }
const r = (n: number) => (quick ? Math.max(2, Math.ceil(n / 2)) : n);
const only = process.env.BENCH_ONLY === undefined ? null : new RegExp(process.env.BENCH_ONLY);
// pytorch/examples word_language_model's defaults (emsize = nhid = 200, 2 layers, 2 heads,
// dropout 0.2, bptt 35, batch 20, lr 20, clip 0.25) over a 10000-word vocabulary and random tokens.
const lm = { ntokens: 10000, emsize: 200, nhid: 200, nlayers: 2, nhead: 2, dropout: 0.2, bptt: 35, batch: 20, lr: 20, clip: 0.25 };
const allCases: (Case | LMCase)[] = [
  { name: "resnet18 eval b1 224", kind: "eval", arch: "resnet18", batch: 1, size: 224, channels: 3, classes: 1000, rounds: r(7), perRound: 5 },
  // Small forwards: here what torch-ts adds around each module call shows, not the kernels.
  { name: "resnet18 eval b1 64", kind: "eval", arch: "resnet18", batch: 1, size: 64, channels: 3, classes: 1000, rounds: r(9), perRound: 20 },
  { name: "2-layer MLP eval b1", kind: "eval", arch: "mlp", batch: 1, size: 0, channels: 0, classes: 10, rounds: r(9), perRound: 2000 },
  { name: "resnet18 eval b32 224", kind: "eval", arch: "resnet18", batch: 32, size: 224, channels: 3, classes: 1000, rounds: r(5), perRound: 1 },
  { name: "resnet50 eval b1 224", kind: "eval", arch: "resnet50", batch: 1, size: 224, channels: 3, classes: 1000, rounds: r(7), perRound: 3 },
  { name: "resnet50 eval b32 224", kind: "eval", arch: "resnet50", batch: 32, size: 224, channels: 3, classes: 1000, rounds: r(3), perRound: 1 },
  { name: "resnet18 eval b1, fused+CL vs plain", kind: "eval", arch: "resnet18", batch: 1, size: 224, channels: 3, classes: 1000, rounds: r(7), perRound: 5, optimize: "ours" },
  { name: "resnet18 eval b1, fused+CL both", kind: "eval", arch: "resnet18", batch: 1, size: 224, channels: 3, classes: 1000, rounds: r(7), perRound: 5, optimize: "both" },
  { name: "resnet50 eval b1, fused+CL vs plain", kind: "eval", arch: "resnet50", batch: 1, size: 224, channels: 3, classes: 1000, rounds: r(7), perRound: 3, optimize: "ours" },
  { name: "resnet50 eval b1, fused+CL both", kind: "eval", arch: "resnet50", batch: 1, size: 224, channels: 3, classes: 1000, rounds: r(7), perRound: 3, optimize: "both" },
  { name: "resnet18 train b64 28x28 (Fashion-MNIST)", kind: "train", arch: "resnet18", batch: 64, size: 28, channels: 1, classes: 10, rounds: r(7), perRound: 3 },
  { name: "resnet18 train b16 224", kind: "train", arch: "resnet18", batch: 16, size: 224, channels: 3, classes: 1000, rounds: r(5), perRound: 1 },
  { name: "Adam step, resnet18 params", kind: "adam", arch: "resnet18", batch: 0, size: 0, channels: 3, classes: 1000, rounds: r(7), perRound: 5 },
  { name: "LSTM LM train step", kind: "lm", model: "LSTM", ...lm, rounds: r(7), perRound: 5 },
  { name: "TransformerEncoder LM train step", kind: "lm", model: "Transformer", ...lm, rounds: r(7), perRound: 5 },
];

const cases = allCases.filter((c) => only === null || only.test(c.name));
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "models.py");
const cfg = torch.config();
const peer = await PythonPeer.start(script, mallocMatchedEnv(cfg.mallocTuned));
console.log(`model benchmark — torch-ts on libtorch ${cfg.libtorchVersion} vs PyTorch ${peer.version}, ${threads} thread(s), CPU, median ms; ` +
  `rounds alternate between the two` + (cfg.mallocTuned ? "; both with raised glibc mmap/trim thresholds" : "") +
  (cfg.hugePages ? "; torch-ts with huge pages for buffers >= 2 MiB (TORCH_TS_HUGEPAGES=0: PyTorch 1.13's allocation)" : ""));
torch.manualSeed(0);
const report = (name: string, p: Awaited<ReturnType<typeof paired>>, rounds: number, note = "") =>
  console.log(`${name.padEnd(42)} torch-ts ${p.ours.toFixed(1).padStart(9)}   PyTorch ${p.theirs.toFixed(1).padStart(9)}   ${formatRatio(p, rounds)}${note}`);
for (const c of cases) {
  if (c.kind === "lm") {
    const built = buildLMTrainStep(c);
    const info = await peer.setup({ ...c, threads });
    const p = await paired(built.run, peer, c.rounds, c.perRound, { settle: true });
    report(c.name, p, c.rounds, sameWork(built, info));
    built.dispose();
    continue;
  }
  const model: torch.nn.Sequential | torch.vision.ResNet = c.arch === "mlp"
    ? new torch.nn.Sequential(new torch.nn.Linear(784, 256), new torch.nn.ReLU(), new torch.nn.Linear(256, c.classes))
    : torch.vision.architectures[c.arch]({ numClasses: c.classes, inChannels: c.channels });
  const held: torch.Tensor[] = [];
  let opt: torch.optim.Adam | null = null;
  let run: () => void;
  if (c.kind === "adam") {
    const adam = (opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 }));
    for (const p of model.parameters()) p.grad = torch.randnLike(p);
    run = () => adam.step();
  } else {
    let x = c.arch === "mlp" ? torch.randn(c.batch, 784) : torch.randn(c.batch, c.channels, c.size, c.size);
    if (c.optimize !== undefined) {
      (model as torch.vision.ResNet).eval().fuseModel().to({ memoryFormat: "channelsLast" });
      const laid = x.contiguous({ memoryFormat: "channelsLast" });
      x.dispose();
      x = laid;
    }
    held.push(x);
    if (c.kind === "eval") {
      model.eval();
      run = () => torch.noGrad(() => model.call(x).dispose());
    } else {
      const y = torch.randint(c.classes, [c.batch]);
      held.push(y);
      const adam = (opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 }));
      const lossFn = new torch.nn.CrossEntropyLoss();
      run = () => {
        adam.zeroGrad();
        torch.tidy(() => lossFn.call(model.call(x), y).backward());
        adam.step();
      };
    }
  }
  await peer.setup({ ...c, threads });
  const p = await paired(run, peer, c.rounds, c.perRound, { settle: true });
  report(c.name, p, c.rounds);
  // Free this case's model and optimizer state before the next, as Python's refcount does.
  const params = [...model.parameters()];
  torch.dispose(held, params.map((q) => q.grad), params, [...model.buffers()], [...(opt?.state.values() ?? [])].map((s) => [...s.values()]));
}
peer.close();

/**
 * Whether both sides started from the same weights (per-parameter sums, bitwise) and their
 * first step's loss agrees (same data, dropout masks and ops): "" when so, else a note.
 */
function sameWork(ours: { firstLoss: number; paramSums: number[] }, theirs: Record<string, unknown>): string {
  const sums = theirs.paramSums as number[];
  const loss = theirs.firstLoss as number;
  const weights = sums.length === ours.paramSums.length && sums.every((s, i) => s === ours.paramSums[i]);
  const lossOk = Math.abs(loss - ours.firstLoss) <= 1e-4 * Math.abs(loss);
  if (weights && lossOk) return "";
  return `   [differs from Python: ${weights ? "" : "initial weights, "}first loss ${ours.firstLoss} vs ${loss}]`;
}
