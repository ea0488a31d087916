// One training epoch and one evaluation pass: the corrected twin of the tutorial's train()
// and test(). Accuracy and loss are summed over samples (not averaged over batch means),
// and evaluation runs in eval mode under noGrad with no optimizer call.
import { noGrad } from "../autograd.js";
import type { Device } from "../device.js";
import { autocast, type GradScaler } from "../amp.js";
import { tidy, yieldToEventLoop } from "../memory.js";
import type { Module } from "../nn/module.js";
import type { Optimizer, Hyper } from "../optim/optimizer.js";
import type { Tensor } from "../tensor/index.js";
import { DTYPES } from "../dtype.js";
import { stack } from "../tensor/functions.js";
import type { DataLoader } from "../data/dataloader.js";

export interface EpochStats {
  loss: number;
  acc: number;
  samples: number;
  seconds: number;
}

export interface Progress {
  batch: number;
  batches: number;
  loss: number;
  acc: number;
  imagesPerSecond: number;
}

/**
 * The loss, or a weight, became NaN or infinite: training stops before anything is saved, so
 * the last good checkpoint stays. `epoch` and `batch` count from 1, as the progress shows.
 */
export class NonFiniteError extends Error {
  constructor(readonly what: string, readonly epoch: number, readonly batch: number, detail: string) {
    super(`${what} ${detail} at epoch ${epoch}, batch ${batch}: training stopped`);
    this.name = "NonFiniteError";
  }
}

/**
 * The first parameter or floating-point buffer holding NaN or ±Inf, as "parameter fc.weight" or
 * "buffer bn1.running_var", or null. `t - t` is 0 where t is finite and NaN elsewhere, so one
 * sum over all of them (one sync per call) says whether any is bad; only then is each looked at.
 */
export function firstNonFinite(model: Module): string | null {
  const named = [
    ...[...model.namedParameters()].map(([n, t]) => [`parameter ${n}`, t] as const),
    ...[...model.namedBuffers()].map(([n, t]) => [`buffer ${n}`, t] as const),
  ].filter(([, t]) => DTYPES[t.dtype].isFloatingPoint);
  if (named.length === 0) return null;
  const bad = (ts: Tensor[]) => tidy(() => noGrad(() => !Number.isFinite(stack(ts.map((t) => t.sub(t).sum(null, { dtype: "float32" }))).sum().item())));
  if (!bad(named.map(([, t]) => t))) return null;
  return named.find(([, t]) => bad([t]))?.[0] ?? null;
}

type Loss = Module & { forward(input: Tensor, target: Tensor): Tensor };

/**
 * One turn of the event loop. An in-memory dataset resolves every `await` as a microtask, so
 * without this an epoch never lets signals (Ctrl-C), pipe writes or GC finalizers run.
 */


/** Mixed precision and memory layout of a run (train.ts --amp, --channels-last). */
export interface Precision {
  /** Forward passes under torch.autocast in this dtype; float32 when absent. */
  amp?: "bfloat16" | "float16";
  /** Loss scaling (float16): scale before backward, step and update through it. */
  scaler?: GradScaler;
  /** Inputs (and, set by the caller, the model) in channels-last layout. */
  channelsLast?: boolean;
}

/**
 * A batch onto the device: to CUDA through pinned memory with a non-blocking copy (the copy
 * overlaps the previous step's kernels, as DataLoader(pin_memory=True) + .to(non_blocking)).
 */
function onDevice(t: Tensor, device: Device, channelsLast = false): Tensor {
  let moved: Tensor;
  if (device.startsWith("cuda")) {
    const pinned = t.pinMemory();
    moved = pinned.to(device, { nonBlocking: true });
    pinned.dispose(); // safe: the caching host allocator holds the block until the copy is done
  } else {
    moved = t.to(device);
  }
  if (channelsLast && moved.ndim === 4) {
    const laid = moved.contiguous({ memoryFormat: "channelsLast" });
    if (moved !== t) moved.dispose();
    moved = laid;
  }
  if (moved !== t) t.dispose();
  return moved;
}

/** model(x) and its loss, under autocast when the run asks for it. */
function forwardLoss(model: Module, lossFn: Loss, x: Tensor, y: Tensor, device: Device, precision?: Precision): [Tensor, Tensor] {
  const run = (): [Tensor, Tensor] => {
    const out = model.call(x) as Tensor;
    return [out, lossFn.call(out, y) as Tensor];
  };
  if (precision?.amp === undefined) return run();
  return autocast(device.startsWith("cuda") ? "cuda" : "cpu", run, { dtype: precision.amp });
}

/** Running sums of one pass, so an interrupted epoch can be saved and resumed. */
export interface Totals {
  lossSum: number;
  correct: number;
  samples: number;
  batches: number;
}
export const emptyTotals = (): Totals => ({ lossSum: 0, correct: 0, samples: 0, batches: 0 });

export interface TrainEpochOptions {
  epoch: number;
  device: Device;
  /** Resume inside the epoch: the sums so far (their `batches` are skipped). */
  resumeFrom?: Totals;
  onBatch?: (p: Progress) => void;
  /** Checked after every batch: true stops the epoch early (Ctrl-C); the totals say where. */
  shouldStop?: () => boolean;
  /** Called after each optimizer step (a per-batch scheduler such as OneCycleLR). */
  afterStep?: () => void;
  precision?: Precision;
}

/**
 * What trainEpoch needs of an optimizer: zeroGrad(), step() and, for a GradScaler, its
 * parameters. Structural, so SGD, Adam, AdamW or a union of them all fit.
 */
export type TrainOptimizer = Pick<Optimizer<Record<string, Hyper>>, "zeroGrad" | "step"> & { readonly paramGroups: readonly { readonly params: readonly Tensor[] }[] };

/** Trains one epoch; returns the totals (complete unless shouldStop() ended it). */
export async function trainEpoch(model: Module, loader: DataLoader, lossFn: Loss, optimizer: TrainOptimizer,
  options: TrainEpochOptions): Promise<{ totals: Totals; complete: boolean }> {
  model.train();
  const totals = { ...(options.resumeFrom ?? emptyTotals()) };
  const start = performance.now();
  let seen = 0;
  for await (const [xb, yb] of loader.iterate({ epoch: options.epoch, skip: totals.batches })) {
    const precision = options.precision;
    const x = onDevice(xb, options.device, precision?.channelsLast);
    const y = onDevice(yb, options.device);
    optimizer.zeroGrad();
    const [loss, correct] = tidy(() => {
      const [out, l] = forwardLoss(model, lossFn, x, y, options.device, precision);
      // backward outside autocast, as PyTorch recommends (its ops follow the forward's dtypes).
      (precision?.scaler ? precision.scaler.scale(l) : l).backward();
      return [Number(l.item()), Number(out.argmax(1).eq(y).sum().item())] as const;
    });
    const n = y.shape[0]!;
    x.dispose();
    y.dispose();
    // The loss already read for the progress: checking it costs no extra sync. A NaN batch is
    // not stepped on, so the weights stay those of the last finite loss.
    if (!Number.isFinite(loss)) throw new NonFiniteError("loss", options.epoch + 1, totals.batches + 1, `is ${loss}`);
    if (precision?.scaler) {
      precision.scaler.step(optimizer); // skipped when the scaled gradients overflowed
      precision.scaler.update();
    } else {
      optimizer.step();
    }
    options.afterStep?.();
    totals.lossSum += loss * n;
    totals.correct += correct;
    totals.samples += n;
    totals.batches += 1;
    seen += n;
    options.onBatch?.({
      batch: totals.batches, batches: loader.length, loss: totals.lossSum / totals.samples, acc: totals.correct / totals.samples,
      imagesPerSecond: seen / ((performance.now() - start) / 1000),
    });
    await yieldToEventLoop();
    if (options.shouldStop?.()) {
      checkWeights(model, options.epoch + 1, totals.batches);
      return { totals, complete: false };
    }
  }
  checkWeights(model, options.epoch + 1, totals.batches);
  return { totals, complete: true };
}

/**
 * Before the caller saves anything: a step can overflow the weights (an absurd lr) while
 * every loss so far was finite, and such weights must not overwrite a good checkpoint.
 */
function checkWeights(model: Module, epoch: number, batch: number): void {
  const name = firstNonFinite(model);
  if (name !== null) throw new NonFiniteError(name, epoch, batch, "holds NaN or Inf");
}

/** Evaluates in eval mode under noGrad: mean loss and accuracy over the whole set. */
export async function evaluate(model: Module, loader: DataLoader, lossFn: Loss, device: Device,
  onBatch?: (p: Progress) => void, precision?: Precision): Promise<EpochStats> {
  model.eval();
  const start = performance.now();
  let lossSum = 0;
  let correct = 0;
  let samples = 0;
  let batch = 0;
  for await (const [xb, yb] of loader.iterate({ epoch: 0 })) {
    const x = onDevice(xb, device, precision?.channelsLast);
    const y = onDevice(yb, device);
    const [loss, c] = tidy(() => noGrad(() => {
      const [out, mean] = forwardLoss(model, lossFn, x, y, device, precision);
      // Sum, not mean, so the last (smaller) batch weighs what it holds.
      const l = mean.float().mul(y.shape[0]!);
      return [Number(l.item()), Number(out.argmax(1).eq(y).sum().item())] as const;
    }));
    samples += y.shape[0]!;
    x.dispose();
    y.dispose();
    lossSum += loss;
    correct += c;
    batch++;
    await yieldToEventLoop();
    onBatch?.({ batch, batches: loader.length, loss: lossSum / samples, acc: correct / samples, imagesPerSecond: samples / ((performance.now() - start) / 1000) });
  }
  return { loss: lossSum / samples, acc: correct / samples, samples, seconds: (performance.now() - start) / 1000 };
}
