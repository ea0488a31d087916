// nn.AdaptiveLogSoftmaxWithLoss (torch/nn/modules/adaptive.py, 1.13): a head over the
// shortlist of frequent classes plus one entry per tail cluster, each cluster a low-rank
// two-layer projection. Children head / tail.<i>.0|1, as Python's state-dict keys.
import type { Device } from "../device.js";
import type { DType } from "../dtype.js";
import { TorchError } from "../errors.js";
import { tidy } from "../memory.js";
import type { NamedReturns } from "../tensor/ops.js";
import { cat } from "../tensor/ops.generated.js";
import type { Tensor } from "../tensor/index.js";
import { tensorArg } from "../tensor/index.js";
import { argError, checkPositiveInt } from "../validate.js";
import { ModuleList, Sequential } from "./container.js";
import * as F from "./functional.js";
import { bindArgs, bool, int, num, type PyArgs } from "./functional_util.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";

/** Python's `_ASMoutput(output, loss)`: an array with the names as well. */
export type ASMOutput = NamedReturns<[Tensor, Tensor], ["output", "loss"]>;

type AdaptiveP = [inFeatures: number, nClasses: number, cutoffs: number[], divValue: number, headBias: boolean];
type AdaptiveO = { inFeatures: number; nClasses: number; cutoffs: number[]; divValue: number; headBias: boolean; device: Device; dtype: DType };

/**
 * Python: `nn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, cutoffs, div_value=4.0,
 * head_bias=False)`. forward(input, target) gives [output, loss] (also `.output`, `.loss`):
 * each target's log-probability and the mean negative one.
 */
export class AdaptiveLogSoftmaxWithLoss extends Module {
  readonly inFeatures: number;
  readonly nClasses: number;
  /** The cutoffs with nClasses appended, as Python keeps them. */
  readonly cutoffs: number[];
  readonly divValue: number;
  readonly headBias: boolean;
  readonly shortlistSize: number;
  readonly nClusters: number;
  readonly headSize: number;
  readonly head: Linear;
  readonly tail: ModuleList;

  constructor(...args: PyArgs<AdaptiveP, AdaptiveO>) {
    super();
    const fn = "nn.AdaptiveLogSoftmaxWithLoss";
    const a = bindArgs(fn, ["inFeatures", "nClasses", "cutoffs", "divValue", "headBias", "device", "dtype"], args, 3, []);
    this.inFeatures = checkPositiveInt(fn, "inFeatures", a.inFeatures);
    this.nClasses = int(fn, "nClasses", a.nClasses, 0);
    const c = a.cutoffs;
    const ok = Array.isArray(c) && c.length > 0 && c.every((v, i) => Number.isInteger(v) && v > 0 && v <= this.nClasses - 1 && (i === 0 || v > c[i - 1]));
    if (!ok) {
      throw argError(fn, "cutoffs", "a sequence of unique, positive integers sorted in an increasing order, where each value is between 1 and nClasses-1", c);
    }
    this.cutoffs = [...(c as number[]), this.nClasses];
    this.divValue = num(fn, "divValue", a.divValue, 4);
    this.headBias = bool(fn, "headBias", a.headBias, false);
    this.shortlistSize = this.cutoffs[0]!;
    this.nClusters = this.cutoffs.length - 1;
    this.headSize = this.shortlistSize + this.nClusters;
    const factory = { device: a.device as Device | undefined, dtype: a.dtype as DType | undefined };
    // Built in Python's order (head, then each cluster's two layers), so seeded init matches.
    this.head = this.registerModule("head", new Linear(this.inFeatures, this.headSize, { bias: this.headBias, ...factory }));
    const tail = new ModuleList();
    for (let i = 0; i < this.nClusters; i++) {
      const hsz = Math.floor(this.inFeatures / this.divValue ** (i + 1));
      const osz = this.cutoffs[i + 1]! - this.cutoffs[i]!;
      tail.append(new Sequential(new Linear(this.inFeatures, hsz, { bias: false, ...factory }), new Linear(hsz, osz, { bias: false, ...factory })));
    }
    this.tail = this.registerModule("tail", tail);
  }

  resetParameters(): void {
    this.head.resetParameters();
    for (const cluster of this.tail) for (const layer of cluster.children()) (layer as Linear).resetParameters();
  }

  #cluster(i: number): Sequential {
    return this.tail.get<Sequential>(i);
  }

  forward(input: Tensor, target: Tensor): ASMOutput {
    const fn = "nn.AdaptiveLogSoftmaxWithLoss";
    tensorArg(fn, "input", input);
    tensorArg(fn, "target", target);
    const shape = `torch.Size([${input.shape.join(", ")}])`;
    if (target.ndim === 1) {
      if (input.shape[0] !== target.shape[0]) throw new TorchError("Input and target should have the same size in the batch dimension.");
      if (input.ndim !== 2) throw new TorchError(`1D target tensor expects 2D input tensors, but found inputs with size ${shape}`);
    } else if (target.ndim === 0) {
      if (input.ndim !== 1) throw new TorchError(`0D target tensor expects 1D input tensors, but found inputs with size ${shape}`);
    } else {
      throw new TorchError("0D or 1D target tensor expected, multi-target not supported");
    }
    const batched = target.ndim > 0;
    const x = batched ? input : input.unsqueeze(0);
    const t = batched ? target : target.unsqueeze(0);
    const batchSize = t.shape[0]!;
    let output = x.newZeros([batchSize]);
    let gatherInds = t.newZeros([batchSize]);
    const bounds = [0, ...this.cutoffs];
    let usedRows = 0;
    for (let i = 0; i < bounds.length - 1; i++) {
      const [low, high] = [bounds[i]!, bounds[i + 1]!];
      const mask = t.ge(low).logicalAnd(t.lt(high));
      const rows = mask.nonzero().view(-1);
      const n = rows.shape[0]!;
      if (n === 0) continue;
      if (i === 0) {
        gatherInds = gatherInds.indexCopy(0, rows, t.maskedSelect(mask));
      } else {
        const relative = t.maskedSelect(mask).sub(low);
        const clusterOutput = this.#cluster(i - 1).forward(x.indexSelect(0, rows));
        gatherInds = gatherInds.indexFill(0, rows, this.shortlistSize + i - 1);
        const local = F.logSoftmax(clusterOutput, 1).gather(1, relative.unsqueeze(1));
        output = output.indexCopy(0, rows, local.squeeze(1));
      }
      usedRows += n;
    }
    if (usedRows !== batchSize) {
      throw new TorchError(`Target values should be in [0, ${this.nClasses - 1}], but values in range [${t.min().item()}, ${t.max().item()}] were found. `);
    }
    const headLogprob = F.logSoftmax(this.head.forward(x), 1);
    output = output.add(headLogprob.gather(1, gatherInds.unsqueeze(1)).squeeze());
    const loss = output.neg().mean();
    return named(batched ? output : output.squeeze(0), loss);
  }

  /** The log-probabilities of all nClasses, from the head's output. */
  #fullLogProb(x: Tensor, headOutput: Tensor): Tensor {
    const headLogprob = F.logSoftmax(headOutput, 1);
    const parts = [headLogprob.narrow(1, 0, this.shortlistSize)];
    for (let i = 0; i < this.nClusters; i++) {
      const clusterLogprob = F.logSoftmax(this.#cluster(i).forward(x), 1);
      parts.push(clusterLogprob.add(headLogprob.select(1, this.shortlistSize + i).unsqueeze(1)));
    }
    return cat(parts, 1);
  }

  /** Python: `log_prob(input)`: (N, nClasses) log-probabilities. */
  logProb(input: Tensor): Tensor {
    tensorArg("nn.AdaptiveLogSoftmaxWithLoss.logProb", "input", input);
    return tidy(() => this.#fullLogProb(input, this.head.forward(input)));
  }

  /** Python: `predict(input)`: the most likely class of each row, the full distribution computed only where the head points to a cluster. */
  predict(input: Tensor): Tensor {
    tensorArg("nn.AdaptiveLogSoftmaxWithLoss.predict", "input", input);
    return tidy(() => this.#predict(input));
  }

  #predict(input: Tensor): Tensor {
    const headOutput = this.head.forward(input);
    const output = headOutput.argmax(1);
    const notInShortlist = output.ge(this.shortlistSize);
    if (notInShortlist.any().item() !== true) return output;
    if (notInShortlist.all().item() === true) return this.#fullLogProb(input, headOutput).argmax(1);
    const rows = notInShortlist.nonzero().view(-1);
    const best = this.#fullLogProb(input.indexSelect(0, rows), headOutput.indexSelect(0, rows)).argmax(1);
    return output.indexCopy(0, rows, best);
  }
}

function named(output: Tensor, loss: Tensor): ASMOutput {
  const out = [output, loss];
  Object.defineProperty(out, "output", { value: output });
  Object.defineProperty(out, "loss", { value: loss });
  return out as unknown as ASMOutput;
}
