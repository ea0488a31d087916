// The TypeScript twin of the tutorial's train.py, with its bugs fixed: evaluation runs in
// eval mode under noGrad and never steps the optimizer; accuracy counts samples; the curves'
// axes are labelled the right way round. Default: ResNet-18 on Fashion-MNIST, on the CPU.
//   npm run train -- [--dataset fashion-mnist | --data DIR] [--arch resnet18] [--epochs N] …
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as torch from "../lib/index.js";
import { parseTrainArgs, UsageError } from "../lib/train/args.js";
import { anyRank, explainDistributed, joinGroup, launchRanks, leaveGroup, shardIndices, sumOverRanks, syncBuffers, underLauncher, type DistContext } from "../lib/train/distributed.js";
import { evaluate, NonFiniteError, trainEpoch, type Precision, type Totals } from "../lib/train/loop.js";
import { writeLineChart } from "../lib/train/plot.js";
import { ProgressReporter } from "../lib/train/progress.js";

const { nn, optim, vision, data } = torch;
const T = vision.transforms;

const HELP = `usage: npm run train -- [options]
  --dataset fashion-mnist     the default: Debian's dataset-fashion-mnist (28x28 grayscale, 10 classes)
  --data DIR                  an ImageFolder tree with DIR/train/<class>/… and DIR/test/<class>/…
  --arch NAME                 ${Object.keys(vision.architectures).join(", ")} (default resnet18)
  --num-classes N             default: the dataset's class count
  --epochs N                  default 3 on Fashion-MNIST, 20 on --data
  --batch-size N              default 32
  --lr X                      default 1e-3
  --optimizer adam|adamw|sgd  default adam
  --scheduler none|step|cosine|onecycle   default cosine on Fashion-MNIST, none on --data (the tutorial's)
  --image-size N              default 28 on Fashion-MNIST (native), 224 on --data
  --device auto|cpu|cuda|cuda:N           default auto (CUDA when available)
  --amp none|bf16|fp16        mixed precision: autocast to bfloat16, or float16 with loss scaling (CUDA)
  --channels-last             model and inputs in channels-last (NHWC) memory format
  --workers N                 data loading threads (default 0 on Fashion-MNIST, 2 on --data)
  --seed N                    default 0
  --limit N                   use only the first N training and test samples
  --out DIR                   default save_model
  --resume FILE               continue from a last.pth
  --nproc N                   train on N processes of this host with DistributedDataParallel (Gloo)
  --init-method URL           under torchrun or --nproc: env:// (default) or tcp://HOST:PORT (RANK, WORLD_SIZE from the environment)
  --dist-timeout S            seconds a rendezvous or collective may wait for the other ranks (default 1800)
  --help
across processes: torchrun -r 2 -t 1 --log_dir DIR --nproc_per_node N --no_python npx tsx scripts/train.ts [options]`;

function fail(message: string): never {
  console.error(`train: ${message}\n\n${HELP}`);
  process.exit(2);
}

let parsed: ReturnType<typeof parseTrainArgs>;
try {
  parsed = parseTrainArgs(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) fail(err.message);
  throw err;
}
if (parsed.help) {
  console.log(HELP);
  process.exit(0);
}
const args = parsed;

// ---- processes: --nproc starts the ranks; torchrun's (or --nproc's) ranks join one group ----
if (args.nproc !== undefined && underLauncher()) fail("--nproc starts the ranks itself: leave it out under torchrun (RANK and WORLD_SIZE are set)");
if (args.nproc !== undefined && args.nproc > 1) {
  const argv = process.argv.slice(2);
  const rest = argv.filter((a, i) => !(a === "--nproc" || a.startsWith("--nproc=") || (argv[i - 1] === "--nproc" && !a.startsWith("--"))));
  process.exit(await launchRanks({ nproc: args.nproc, script: process.argv[1]!, args: rest }));
}
let dist: DistContext | null = null;
if (underLauncher() || args.initMethod !== "env://") {
  try {
    dist = joinGroup(args.initMethod, args.distTimeout * 1000);
  } catch (err) {
    console.error(`train: rank ${process.env.RANK ?? "?"}: ${(err as Error).message}`);
    process.exit(1);
  }
}
/** Rank 0 alone prints, writes checkpoints, metrics and plots. */
const main = dist === null || dist.rank === 0;
if (!main) console.log = () => {};
const fashion = args.data === undefined;
const { arch, epochs, batchSize, lr, imageSize, workers, seed, limit } = args;
// One CUDA device per rank of a host, as torchrun's LOCAL_RANK says.
const device: torch.Device = dist !== null && args.device === "cuda" ? `cuda:${dist.localRank}` : args.device;
const outDir = args.out;

// ---- data ----
let trainSet: torch.data.Dataset;
let testSet: torch.data.Dataset;
let classes: readonly string[];
let inChannels: number;
if (fashion) {
  // Fashion-MNIST's per-pixel mean and std (of the training images, in [0, 1]).
  const resize = imageSize === 28 ? [] : [new T.Resize([imageSize, imageSize])];
  const base = [new T.ToTensor(), new T.Normalize([0.286], [0.353])];
  try {
    trainSet = new vision.FashionMNIST(undefined, { train: true, transform: new T.Compose([...resize, ...base]) });
    testSet = new vision.FashionMNIST(undefined, { train: false, transform: new T.Compose([...resize, ...base]) });
  } catch (err) {
    fail((err as Error).message);
  }
  classes = vision.FashionMNIST.classes;
  inChannels = 1;
} else {
  // The tutorial's transforms: RandomResizedCrop + flip for training, a plain resize for testing.
  const norm = new T.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]);
  try {
    const train = new vision.ImageFolder(path.join(args.data!, "train"), {
      transform: new T.Compose([new T.RandomResizedCrop(imageSize), new T.RandomHorizontalFlip(), new T.ToTensor(), norm]),
    });
    const test = new vision.ImageFolder(path.join(args.data!, "test"), {
      transform: new T.Compose([new T.Resize([imageSize, imageSize]), new T.ToTensor(), norm]),
    });
    if (train.classes.join("\n") !== test.classes.join("\n")) fail(`${args.data}/train and ${args.data}/test have different class folders`);
    trainSet = train;
    testSet = test;
    classes = train.classes;
  } catch (err) {
    fail((err as Error).message);
  }
  inChannels = 3;
}
if (limit !== undefined) {
  const first = (n: number) => Array.from({ length: Math.min(n, limit) }, (_, i) => i);
  trainSet = new data.Subset(trainSet, first(trainSet.length));
  testSet = new data.Subset(testSet, first(testSet.length));
}
const numClasses = args.numClasses ?? classes.length;
// Across processes each rank trains on its DistributedSampler share (Python's order) and tests
// on every worldSize-th image, so the summed test counts are exactly the whole test set's.
const trainSampler = dist === null ? null : new data.DistributedSampler(trainSet, { numReplicas: dist.worldSize, rank: dist.rank, shuffle: true, seed });
const testShard = dist === null ? testSet : new data.Subset(testSet, shardIndices(testSet.length, dist.rank, dist.worldSize));
const trainLoader = trainSampler === null ? new data.DataLoader(trainSet, { batchSize, shuffle: true, seed, numWorkers: workers })
  : new data.DataLoader(trainSet, { batchSize, sampler: trainSampler, numWorkers: workers });
const testLoader = new data.DataLoader(testShard, { batchSize: Math.max(batchSize, 64), numWorkers: workers });

// ---- model, loss, optimizer, scheduler ----
torch.manualSeed(seed);
const model = vision.architectures[arch]({ numClasses, inChannels }).to(device);
// --amp / --channels-last: autocast (bf16, or fp16 with loss scaling) and NHWC layout; cuDNN
// picks its fastest algorithms for the (fixed) input shapes, as torch.backends.cudnn.benchmark.
const precision: Precision = {
  amp: args.amp === "bf16" ? "bfloat16" : args.amp === "fp16" ? "float16" : undefined,
  scaler: args.amp === "fp16" ? new torch.amp.GradScaler() : undefined,
  channelsLast: args.channelsLast,
};
if (args.channelsLast) model.to({ memoryFormat: "channelsLast" });
if (device.startsWith("cuda")) torch.backends.cudnn.benchmark = true;
const lossFn = new nn.CrossEntropyLoss();
const optimizer = args.optimizer === "sgd" ? new optim.SGD(model.parameters(), { lr, momentum: 0.9 })
  : args.optimizer === "adamw" ? new optim.AdamW(model.parameters(), { lr }) : new optim.Adam(model.parameters(), { lr });
const scheduler = args.scheduler === "step" ? new optim.StepLR(optimizer, { stepSize: Math.max(1, Math.floor(epochs / 3)) })
  : args.scheduler === "cosine" ? new optim.CosineAnnealingLR(optimizer, { tMax: epochs })
  : args.scheduler === "onecycle" ? new optim.OneCycleLR(optimizer, { maxLr: lr * 10, epochs, stepsPerEpoch: trainLoader.length })
  : null;

// ---- outputs ----
if (main) mkdirSync(outDir, { recursive: true });
const files = {
  best: path.join(outDir, "resnet-best-model.pth"), last: path.join(outDir, "last.pth"), csv: path.join(outDir, "metrics.csv"),
  jsonl: path.join(outDir, "metrics.jsonl"), loss: path.join(outDir, "loss.png"), acc: path.join(outDir, "acc.png"),
  classes: path.join(outDir, "classes.json"),
};
function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
interface Row { epoch: number; train_loss: number; train_acc: number; test_loss: number; test_acc: number; lr: number; seconds: number }
let history: Row[] = [];
let bestAcc = 0;
let startEpoch = 0;
let resumeTotals: Totals | undefined;
/** Where the last good state is on disk, for the message when a NaN stops the run. */
let lastGood: string | null = null;

if (args.resume !== undefined) {
  let ckpt: Map<string, unknown>;
  try {
    ckpt = torch.load(args.resume, { mapLocation: device === "cpu" ? "cpu" : device }) as Map<string, unknown>;
  } catch (err) {
    fail(`cannot resume from ${args.resume}: ${(err as Error).message}`);
  }
  model.loadStateDict(ckpt.get("model") as Map<string, torch.Tensor>);
  optimizer.loadStateDict(ckpt.get("optimizer") as Map<string, unknown>);
  if (scheduler && ckpt.get("scheduler")) scheduler.loadStateDict(ckpt.get("scheduler") as Map<string, unknown>);
  if (precision.scaler && ckpt.get("scaler")) precision.scaler.loadStateDict(ckpt.get("scaler") as Map<string, unknown>);
  startEpoch = Number(ckpt.get("epoch"));
  bestAcc = Number(ckpt.get("best_acc"));
  history = JSON.parse(String(ckpt.get("history") ?? "[]")) as Row[];
  const partial = ckpt.get("partial") as Map<string, number> | null;
  const savedWorld = ckpt.has("world_size") ? Number(ckpt.get("world_size")) : 1;
  if (partial && savedWorld !== (dist?.worldSize ?? 1)) {
    fail(`${args.resume} was saved mid-epoch by ${savedWorld} process(es): resume it with ${savedWorld === 1 ? "one process" : `--nproc ${savedWorld} (or torchrun with ${savedWorld} ranks)`}, or from an end-of-epoch last.pth`);
  }
  // The saved sums are the whole group's: rank 0 carries them on, the others only skip the batches.
  if (partial) resumeTotals = main ? { lossSum: partial.get("loss_sum")!, correct: partial.get("correct")!, samples: partial.get("samples")!, batches: partial.get("batches")! }
    : { lossSum: 0, correct: 0, samples: 0, batches: partial.get("batches")! };
  torch.dispose(ckpt);
  lastGood = `${args.resume} (resumed from)`;
  console.log(`resumed from ${args.resume}: epoch ${startEpoch + 1}${resumeTotals ? `, batch ${resumeTotals.batches + 1}` : ""}`);
}

/** last.pth: everything --resume needs to continue exactly (mid-epoch too, after Ctrl-C). */
function saveLast(epoch: number, partial: Totals | null): void {
  if (main) torch.tidy(() => {
    torch.save(new Map<string, unknown>([
      ["epoch", epoch], ["model", model.stateDict()], ["optimizer", optimizer.stateDict()],
      ["scheduler", scheduler ? scheduler.stateDict() : null], ["scaler", precision.scaler ? precision.scaler.stateDict() : null],
      ["best_acc", bestAcc], ["seed", seed],
      ["arch", arch], ["num_classes", numClasses], ["history", JSON.stringify(history)],
      ["partial", partial ? new Map([["loss_sum", partial.lossSum], ["correct", partial.correct], ["samples", partial.samples], ["batches", partial.batches]]) : null],
      // Only across processes: a mid-epoch state belongs to that many ranks' samplers.
      ...(dist === null ? [] : [["world_size", dist.worldSize] as [string, unknown]]),
    ]), files.last);
  });
  lastGood = `${files.last} (${partial ? `epoch ${epoch + 1}, batch ${partial.batches}` : `end of epoch ${epoch}`})`;
}

/**
 * A NaN/Inf loss or weight: stop without saving, so last.pth and resnet-best-model.pth stay
 * the last good ones. Exit 1 (2 is a bad command line, 130 an interrupt).
 */
function stopNonFinite(message: string): never {
  progress.done("training stopped: not finite");
  const kept = lastGood === null ? `no checkpoint was written by this run (any in ${outDir}/ are untouched)` : `last good checkpoint kept: ${lastGood}`;
  console.error(`train: ${message}; ${kept}. A learning rate that is too high is the usual cause.`);
  process.exit(1);
}

// DDP after --resume loaded the weights (it broadcasts rank 0's anyway); checkpoints hold the
// bare model's state dict, without DDP's "module." prefix, so one process can load them.
const net: torch.nn.Module = dist === null ? model : new nn.parallel.DistributedDataParallel(model);

let interrupted = false;
process.on("SIGINT", () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  console.log("\ninterrupt: saving last.pth after this batch (Ctrl-C again to quit now)");
});

const cfg = torch.config();
console.log(`torch-ts ${arch} on ${fashion ? "Fashion-MNIST" : args.data} (${trainSet.length} train / ${testSet.length} test images, ${numClasses} classes), ` +
  `device ${device}, libtorch ${cfg.libtorchVersion}, ${cfg.numThreads} threads, batch ${batchSize}, ${args.optimizer} lr ${lr} (scheduler ${args.scheduler}), ${epochs} epochs` +
  `${args.amp === "none" ? "" : `, amp ${args.amp}`}${args.channelsLast ? ", channels-last" : ""}`);
if (main) writeAtomic(files.classes, `${JSON.stringify(classes, null, 2)}\n`);
const progress = main ? new ProgressReporter() : ({ update() {}, done() {} } as unknown as ProgressReporter);

/** A collective failed (a rank died, or stopped answering): say which, and end this rank. */
function lostRank(err: unknown): never {
  console.error(`train: rank ${dist!.rank}: ${explainDistributed(err).message}`);
  process.exit(1);
}
/** The whole group's sums of this rank's counts (one process: the counts themselves). */
function overRanks(values: number[]): number[] {
  if (dist === null) return values;
  try {
    return sumOverRanks(values);
  } catch (err) {
    lostRank(err);
  }
}
/** Totals of one pass summed over the ranks; `batches` is each rank's own (the same on all). */
function groupTotals(t: Totals): Totals {
  const [lossSum, correct, samples] = overRanks([t.lossSum, t.correct, t.samples]);
  return { lossSum: lossSum!, correct: correct!, samples: samples!, batches: t.batches };
}
const began = performance.now();

for (let epoch = startEpoch; epoch < epochs; epoch++) {
  const t0 = performance.now();
  let result: { totals: Totals; complete: boolean };
  trainSampler?.setEpoch(epoch);
  try {
    result = await trainEpoch(net, trainLoader, lossFn, optimizer, {
      // Across processes every rank stops at the same batch, or the others would wait on it.
      epoch, device, resumeFrom: resumeTotals, shouldStop: dist === null ? () => interrupted : () => anyRank(interrupted),
      onBatch: (p) => progress.update(`epoch ${epoch + 1}/${epochs} train`, p),
      afterStep: args.scheduler === "onecycle" ? () => scheduler!.step() : undefined, precision,
    });
  } catch (err) {
    if (err instanceof NonFiniteError) stopNonFinite(err.message);
    if (dist !== null) lostRank(err);
    throw err;
  }
  resumeTotals = undefined;
  if (dist !== null) result.totals = groupTotals(result.totals);
  if (!result.complete) {
    saveLast(epoch, result.totals);
    progress.done(`stopped in epoch ${epoch + 1} at batch ${result.totals.batches}; ${files.last} saved: resume with --resume ${files.last}`);
    process.exit(130);
  }
  const tr = result.totals;
  progress.done(`epoch ${epoch + 1}/${epochs} train  loss ${(tr.lossSum / tr.samples).toFixed(4)}  acc ${((100 * tr.correct) / tr.samples).toFixed(2)}%`);
  if (dist !== null) {
    try {
      syncBuffers(model);
    } catch (err) {
      lostRank(err);
    }
  }
  // The bare model, not DDP: evaluation needs no collective, and the ranks' shares may differ by one batch.
  let test: { loss: number; acc: number } = dist !== null && testShard.length === 0 ? { loss: 0, acc: 0 }
    : await evaluate(model, testLoader, lossFn, device, (p) => progress.update(`epoch ${epoch + 1}/${epochs} test `, p), precision);
  if (dist !== null) {
    const n = testShard.length;
    const [lossSum, correct, samples] = overRanks([n === 0 ? 0 : test.loss * n, Math.round(test.acc * n), n]);
    test = { loss: lossSum! / samples!, acc: correct! / samples! };
  }
  // Finite weights can still overflow the logits: such a model is not saved either.
  if (!Number.isFinite(test.loss)) stopNonFinite(`test loss is ${test.loss} after epoch ${epoch + 1}: training stopped`);
  const currentLr = (optimizer.paramGroups[0] as { lr: number }).lr;
  if (scheduler && args.scheduler !== "onecycle") scheduler.step();
  const row: Row = {
    epoch: epoch + 1, train_loss: tr.lossSum / tr.samples, train_acc: tr.correct / tr.samples, test_loss: test.loss, test_acc: test.acc,
    lr: currentLr, seconds: (performance.now() - t0) / 1000,
  };
  history.push(row);
  const improved = test.acc > bestAcc;
  if (improved) {
    bestAcc = test.acc;
    if (main) torch.tidy(() => torch.save(model.stateDict(), files.best));
  }
  progress.done(`epoch ${epoch + 1}/${epochs} test   loss ${test.loss.toFixed(4)}  acc ${(100 * test.acc).toFixed(2)}%${improved ? "  (best: saved)" : ""}  ${row.seconds.toFixed(0)} s`);
  saveLast(epoch + 1, null);
  if (!main) continue;
  const keys = Object.keys(row) as (keyof Row)[];
  writeAtomic(files.csv, [keys.join(","), ...history.map((r) => keys.map((k) => r[k]).join(","))].join("\n") + "\n");
  writeAtomic(files.jsonl, history.map((r) => JSON.stringify(r)).join("\n") + "\n");
  await writeLineChart(files.loss, "Loss per epoch: train vs test", "loss", [
    { label: "train loss", values: history.map((r) => r.train_loss), color: "#1f77b4" },
    { label: "test loss", values: history.map((r) => r.test_loss), color: "#ff7f0e" },
  ]);
  await writeLineChart(files.acc, "Accuracy per epoch: train vs test", "accuracy", [
    { label: "train accuracy", values: history.map((r) => r.train_acc), color: "#1f77b4" },
    { label: "test accuracy", values: history.map((r) => r.test_acc), color: "#ff7f0e" },
  ]);
}

await trainLoader.close();
await testLoader.close();
if (dist !== null) {
  try {
    leaveGroup();
  } catch (err) {
    lostRank(err);
  }
}
const minutes = (performance.now() - began) / 60000;
console.log(`done in ${minutes.toFixed(1)} min: best test accuracy ${(100 * bestAcc).toFixed(2)}%`);
console.log(`outputs in ${outDir}/: ${Object.values(files).map((f) => path.basename(f)).join(", ")}`);
