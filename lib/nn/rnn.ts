// nn.RNN, nn.LSTM, nn.GRU (PyTorch 1.13 torch/nn/modules/rnn.py): the weights registered under
// Python's names in Python's order and run by ATen's fused multi-layer ops (aten::lstm, gru,
// rnn_tanh, rnn_relu), the padded and the packed-sequence overloads, as RNNBase.forward does.
import { TorchError } from "../errors.js";
import { tidy } from "../memory.js";
import type { Device } from "../device.js";
import type { DType } from "../dtype.js";
import { empty, zeros } from "../tensor/creation.js";
import { Tensor } from "../tensor/index.js";
import * as ops from "../tensor/ops.generated.js";
import { argError, checkBool, checkNonNegInt, checkPositiveInt } from "../validate.js";
import { factoryOptions } from "./factory.js";
import { bindArgs, choice, type PyArgs } from "./functional_util.js";
import { uniform_ } from "./init.js";
import { Module } from "./module.js";
import { py, pyFloat } from "./repr.js";
import { initEnabled } from "./skip_init.js";
import { named } from "./rnn_named.js";
import { PackedSequence } from "./utils_rnn.js";

type Mode = "LSTM" | "GRU" | "RNN_TANH" | "RNN_RELU";
const GATES: Record<Mode, number> = { LSTM: 4, GRU: 3, RNN_TANH: 1, RNN_RELU: 1 };

/** The options of nn.GRU (and nn.RNN, which adds nonlinearity; nn.LSTM adds projSize). */
export interface RNNBaseOptions {
  numLayers: number;
  bias: boolean;
  batchFirst: boolean;
  dropout: number;
  bidirectional: boolean;
  device: Device;
  dtype: DType;
}
export interface RNNOptions extends RNNBaseOptions { nonlinearity: "tanh" | "relu" }
export interface LSTMOptions extends RNNBaseOptions { projSize: number }
/** Python's positional parameters after (input_size, hidden_size). */
type BaseArgs = [numLayers: number, bias: boolean, batchFirst: boolean, dropout: number, bidirectional: boolean];
const BASE_NAMES = ["inputSize", "hiddenSize", "numLayers", "bias", "batchFirst", "dropout", "bidirectional"];

/** Python: `nn.RNNBase`: what RNN, LSTM and GRU share. */
export abstract class RNNBase extends Module {
  readonly mode: Mode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;
  readonly #fn: string;
  /** The layer's name in messages ("nn.LSTM"). */
  protected get fnName(): string {
    return this.#fn;
  }
  readonly #flatWeightsNames: string[] = [];
  readonly #allWeights: string[][] = [];

  protected constructor(fn: string, mode: Mode, a: Record<string, unknown>) {
    super();
    this.#fn = fn;
    this.mode = mode;
    this.inputSize = checkNonNegInt(fn, "inputSize", a.inputSize);
    this.hiddenSize = checkNonNegInt(fn, "hiddenSize", a.hiddenSize);
    // Python fails on 0 layers too (flatten_parameters indexes the first weight).
    this.numLayers = a.numLayers === undefined ? 1 : checkPositiveInt(fn, "numLayers", a.numLayers);
    this.bias = a.bias === undefined ? true : checkBool(fn, "bias", a.bias);
    this.batchFirst = a.batchFirst === undefined ? false : checkBool(fn, "batchFirst", a.batchFirst);
    const dropout = a.dropout === undefined ? 0 : a.dropout;
    if (typeof dropout !== "number" || !(dropout >= 0 && dropout <= 1)) {
      throw argError(fn, "dropout", "a number in range [0, 1] representing the probability of an element being zeroed", dropout);
    }
    this.dropout = dropout;
    this.bidirectional = a.bidirectional === undefined ? false : checkBool(fn, "bidirectional", a.bidirectional);
    this.projSize = a.projSize === undefined ? 0 : checkNonNegInt(fn, "projSize", a.projSize);
    if (dropout > 0 && this.numLayers === 1) {
      process.emitWarning(`${fn}: dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects ` +
        `num_layers greater than 1, but got dropout=${pyFloat(dropout)} and num_layers=${this.numLayers}`, "UserWarning");
    }
    // As Python, hiddenSize 0 fails this too (proj_size 0 is not smaller than it).
    if (this.projSize >= this.hiddenSize) {
      throw new TypeError(`${fn}: proj_size has to be smaller than hidden_size (projSize ${this.projSize}, hiddenSize ${this.hiddenSize})`);
    }
    const factory = factoryOptions(fn, a);

    const gateSize = GATES[mode] * this.hiddenSize;
    const directions = this.bidirectional ? 2 : 1;
    const realHidden = this.projSize > 0 ? this.projSize : this.hiddenSize;
    const shapes: [string, number[]][] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let direction = 0; direction < directions; direction++) {
        const layerInput = layer === 0 ? this.inputSize : realHidden * directions;
        const suffix = direction === 1 ? "_reverse" : "";
        const names: [string, number[]][] = [[`weight_ih_l${layer}${suffix}`, [gateSize, layerInput]], [`weight_hh_l${layer}${suffix}`, [gateSize, realHidden]]];
        if (this.bias) names.push([`bias_ih_l${layer}${suffix}`, [gateSize]], [`bias_hh_l${layer}${suffix}`, [gateSize]]);
        if (this.projSize > 0) names.push([`weight_hr_l${layer}${suffix}`, [this.projSize, this.hiddenSize]]);
        shapes.push(...names);
        this.#allWeights.push(names.map(([n]) => n));
      }
    }
    // Made in one tidy: if one allocation fails, the ones made before it are freed.
    const made = tidy(() => shapes.map(([, shape]) => empty(shape, factory)));
    shapes.forEach(([name], i) => this.registerParameter(name, made[i]!));
    this.#flatWeightsNames.push(...shapes.map(([n]) => n));
    if (initEnabled()) this.resetParameters();
  }

  /**
   * Python: `_flat_weights`: the weights in ATen's order, read from the registered parameters
   * at each call (so a loadStateDict or a replaced parameter is what runs, as Python's __setattr__ keeps it).
   */
  get flatWeights(): Tensor[] {
    return this.#flatWeightsNames.map((n) => this.getAttr(n) as Tensor);
  }
  /** Python: `_flat_weights_names`. */
  get flatWeightsNames(): string[] {
    return [...this.#flatWeightsNames];
  }
  /** Python: `all_weights`: per layer and direction, [w_ih, w_hh, (b_ih, b_hh), (w_hr)]. */
  get allWeights(): Tensor[][] {
    return this.#allWeights.map((names) => names.map((n) => this.getAttr(n) as Tensor));
  }

  /**
   * Python: `flatten_parameters()`. In PyTorch it packs the weights into one cuDNN buffer and
   * is a no-op elsewhere; here it is always a no-op (ATen's non-cuDNN path takes the weight list).
   */
  flattenParameters(): void {}

  /** Every weight and bias from U(-1/√hidden, 1/√hidden), in parameter order, as PyTorch. */
  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const w of this.parameters()) uniform_(w, -stdv, stdv);
  }

  protected checkInput(input: Tensor, batchSizes: Tensor | null): void {
    const expected = batchSizes !== null ? 2 : 3;
    if (input.ndim !== expected) throw new TorchError(`${this.#fn}: input must have ${expected} dimensions, got ${input.ndim}`);
    if (this.inputSize !== input.size(-1)) {
      throw new TorchError(`${this.#fn}: input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${input.size(-1)}`);
    }
  }

  protected expectedHiddenSize(input: Tensor, batchSizes: Tensor | null, cell = false): number[] {
    const miniBatch = batchSizes !== null ? firstBatchSize(batchSizes) : input.size(this.batchFirst ? 0 : 1);
    const size = !cell && this.projSize > 0 ? this.projSize : this.hiddenSize;
    return [this.numLayers * (this.bidirectional ? 2 : 1), miniBatch, size];
  }

  protected checkHiddenSize(hx: Tensor, expected: number[], what = "hidden size"): void {
    const got = hx.shape;
    if (got.length !== expected.length || got.some((d, i) => d !== expected[i])) {
      throw new TorchError(`${this.#fn}: Expected ${what} ${py(expected)}, got [${got.join(", ")}]`);
    }
  }

  /** The shared prologue of RNNBase.forward: unpacking, unbatched input, default state. */
  protected prepare(input: unknown, hx: unknown, stateCount: 1 | 2): Prepared {
    const fn = this.#fn;
    if (input instanceof PackedSequence) {
      const { data, batchSizes, sortedIndices, unsortedIndices } = input;
      const states = hx === undefined || hx === null ? null : this.states(hx, stateCount);
      // Each batch of the given state follows the caller's order: permute it to the sorted one.
      const permuted = states === null || sortedIndices === null ? states : states.map((h) => h.indexSelect(1, sortedIndices));
      return { input: data, batchSizes, sortedIndices, unsortedIndices, batched: true, batchDim: 1, states: permuted ?? this.zeroStates(data, firstBatchSize(batchSizes), stateCount) };
    }
    if (!(input instanceof Tensor)) throw argError(fn, "input", "a Tensor or a PackedSequence", input);
    const batched = input.ndim === 3;
    const batchDim = this.batchFirst ? 0 : 1;
    const x = batched ? input : input.unsqueeze(batchDim);
    let states = hx === undefined || hx === null ? null : this.states(hx, stateCount);
    if (states !== null) {
      const want = batched ? 3 : 2;
      if (states.some((h) => h.ndim !== want)) {
        const dims = states.map((h) => `${h.ndim}-D`);
        throw new TorchError(stateCount === 1
          ? `${fn}: For ${batched ? "batched 3-D" : "unbatched 2-D"} input, hx should also be ${want}-D but got ${dims[0]} tensor`
          : `${fn}: For ${batched ? "batched 3-D" : "unbatched 2-D"} input, hx and cx should also be ${want}-D but got (${dims.join(", ")}) tensors`);
      }
      if (!batched) states = states.map((h) => h.unsqueeze(1));
    }
    return { input: x, batchSizes: null, sortedIndices: null, unsortedIndices: null, batched, batchDim, states: states ?? this.zeroStates(x, x.size(batchDim), stateCount) };
  }

  private states(hx: unknown, count: 1 | 2): Tensor[] {
    if (count === 1) {
      if (!(hx instanceof Tensor)) throw argError(this.#fn, "hx", "a Tensor or null", hx);
      return [hx];
    }
    if (!Array.isArray(hx) || hx.length !== 2 || !hx.every((h) => h instanceof Tensor)) throw argError(this.#fn, "hx", "an array [h_0, c_0] of Tensors, or null", hx);
    return hx as Tensor[];
  }

  private zeroStates(input: Tensor, batch: number, count: 1 | 2): Tensor[] {
    const layers = this.numLayers * (this.bidirectional ? 2 : 1);
    const opts = { dtype: input.dtype, device: input.device };
    const h = zeros([layers, batch, this.projSize > 0 ? this.projSize : this.hiddenSize], opts);
    return count === 1 ? [h] : [h, zeros([layers, batch, this.hiddenSize], opts)];
  }

  /** The shared epilogue: repack, squeeze unbatched output, state back in the caller's order. */
  protected finish(p: Prepared, output: Tensor, states: Tensor[]): [Tensor | PackedSequence, Tensor[]] {
    const unsort = (h: Tensor) => (p.unsortedIndices === null ? h : h.indexSelect(1, p.unsortedIndices));
    if (p.batchSizes !== null) {
      // New handles on the input's batch sizes and permutations (same storage, as Python shares
      // them), so disposing the output never frees what the input still holds.
      const alias = (t: Tensor | null) => (t === null ? null : t.detach());
      return [new PackedSequence(output, alias(p.batchSizes), alias(p.sortedIndices), alias(p.unsortedIndices)), states.map(unsort)];
    }
    if (!p.batched) return [output.squeeze(p.batchDim), states.map((h) => h.squeeze(1))];
    return [output, states];
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += ", bias=False";
    if (this.batchFirst) s += ", batch_first=True";
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += ", bidirectional=True";
    return s;
  }
}

interface Prepared {
  input: Tensor;
  batchSizes: Tensor | null;
  sortedIndices: Tensor | null;
  unsortedIndices: Tensor | null;
  batched: boolean;
  batchDim: number;
  states: Tensor[];
}

function firstBatchSize(batchSizes: Tensor): number {
  return Number(tidy(() => batchSizes.select(0, 0).item()));
}

function bindLayer(fn: string, args: readonly unknown[], names: readonly string[]): Record<string, unknown> {
  const last = args[args.length - 1];
  if (!names.includes("projSize") && last !== null && typeof last === "object" && !(last instanceof Tensor) && "projSize" in last) {
    throw new TypeError(`${fn}: proj_size argument is only supported for LSTM, not RNN or GRU`);
  }
  return bindArgs(fn, names, args, 2, []);
}

/** The forward of RNN/GRU/LSTM over `I`, the input's kind: a Tensor or a PackedSequence. */
type Out<I, S> = [I extends PackedSequence ? PackedSequence : Tensor, S];

/**
 * Python: `nn.RNN(input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
 * dropout=0.0, bidirectional=False, *, nonlinearity="tanh")`: an Elman RNN. Forward takes
 * (input, h_0?) and returns `[output, h_n]`; a PackedSequence in gives one out.
 */
export class RNN extends RNNBase {
  readonly nonlinearity: "tanh" | "relu";

  // Python's 8th positional parameter would be RNNBase's proj_size, which RNN refuses: device
  // and dtype go in the options.
  constructor(inputSize: number, hiddenSize: number, ...args: PyArgs<BaseArgs, RNNOptions>) {
    const fn = "nn.RNN";
    const a = bindLayer(fn, [inputSize, hiddenSize, ...args], [...BASE_NAMES, "device", "dtype", "nonlinearity"]);
    const nonlinearity = choice(fn, "nonlinearity", a.nonlinearity, ["tanh", "relu"] as const, "tanh");
    super(fn, nonlinearity === "tanh" ? "RNN_TANH" : "RNN_RELU", a);
    this.nonlinearity = nonlinearity;
  }

  /**
   * Python: `rnn(input, h_0=None)`: forward() in a tidy() scope. Typed by the input's kind (Module.call's own
   * type would give the Tensor | PackedSequence union).
   */
  override call<I extends Tensor | PackedSequence>(input: I, hx?: Tensor | null): Out<I, Tensor>;
  override call(...args: Parameters<this["forward"]>): ReturnType<this["forward"]>;
  override call(...args: unknown[]): unknown {
    return super.call(...(args as Parameters<this["forward"]>));
  }

  forward<I extends Tensor | PackedSequence>(input: I, hx?: Tensor | null): Out<I, Tensor> {
    const p = this.prepare(input, hx, 1);
    this.checkInput(p.input, p.batchSizes);
    this.checkHiddenSize(p.states[0]!, this.expectedHiddenSize(p.input, p.batchSizes));
    const op = this.mode === "RNN_TANH" ? ops.rnnTanh : ops.rnnRelu;
    const [output, h] = named(this.fnName, () => p.batchSizes === null
      ? op(p.input, p.states[0]!, this.flatWeights, this.bias, this.numLayers, this.dropout, this.training, this.bidirectional, this.batchFirst)
      : op(p.input, p.batchSizes, p.states[0]!, this.flatWeights, this.bias, this.numLayers, this.dropout, this.training, this.bidirectional));
    const [out, states] = this.finish(p, output, [h]);
    return [out, states[0]!] as Out<I, Tensor>;
  }
}

/**
 * Python: `nn.LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
 * dropout=0.0, bidirectional=False, proj_size=0)`. Forward takes (input, [h_0, c_0]?) and
 * returns `[output, [h_n, c_n]]` (Python's tuples are arrays).
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, ...args: PyArgs<[...BaseArgs, projSize: number, device: Device, dtype: DType], LSTMOptions>) {
    const fn = "nn.LSTM";
    super(fn, "LSTM", bindLayer(fn, [inputSize, hiddenSize, ...args], [...BASE_NAMES, "projSize", "device", "dtype"]));
  }

  /**
   * Python: `lstm(input, (h_0, c_0)=None)`: forward() in a tidy() scope. Typed by the input's kind (Module.call's own
   * type would give the Tensor | PackedSequence union).
   */
  override call<I extends Tensor | PackedSequence>(input: I, hx?: readonly [Tensor, Tensor] | null): Out<I, [Tensor, Tensor]>;
  override call(...args: Parameters<this["forward"]>): ReturnType<this["forward"]>;
  override call(...args: unknown[]): unknown {
    return super.call(...(args as Parameters<this["forward"]>));
  }

  forward<I extends Tensor | PackedSequence>(input: I, hx?: readonly [Tensor, Tensor] | null): Out<I, [Tensor, Tensor]> {
    const p = this.prepare(input, hx, 2);
    this.checkInput(p.input, p.batchSizes);
    this.checkHiddenSize(p.states[0]!, this.expectedHiddenSize(p.input, p.batchSizes), "hidden[0] size");
    this.checkHiddenSize(p.states[1]!, this.expectedHiddenSize(p.input, p.batchSizes, true), "hidden[1] size");
    const [output, h, c] = named(this.fnName, () => p.batchSizes === null
      ? ops.lstm(p.input, p.states, this.flatWeights, this.bias, this.numLayers, this.dropout, this.training, this.bidirectional, this.batchFirst)
      : ops.lstm(p.input, p.batchSizes, p.states, this.flatWeights, this.bias, this.numLayers, this.dropout, this.training, this.bidirectional));
    const [out, states] = this.finish(p, output, [h, c]);
    return [out, [states[0]!, states[1]!]] as Out<I, [Tensor, Tensor]>;
  }
}

/**
 * Python: `nn.GRU(input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
 * dropout=0.0, bidirectional=False)`. Forward takes (input, h_0?) and returns `[output, h_n]`.
 */
export class GRU extends RNNBase {
  // As nn.RNN: device and dtype go in the options.
  constructor(inputSize: number, hiddenSize: number, ...args: PyArgs<BaseArgs, RNNBaseOptions>) {
    const fn = "nn.GRU";
    super(fn, "GRU", bindLayer(fn, [inputSize, hiddenSize, ...args], [...BASE_NAMES, "device", "dtype"]));
  }

  /**
   * Python: `gru(input, h_0=None)`: forward() in a tidy() scope. Typed by the input's kind (Module.call's own
   * type would give the Tensor | PackedSequence union).
   */
  override call<I extends Tensor | PackedSequence>(input: I, hx?: Tensor | null): Out<I, Tensor>;
  override call(...args: Parameters<this["forward"]>): ReturnType<this["forward"]>;
  override call(...args: unknown[]): unknown {
    return super.call(...(args as Parameters<this["forward"]>));
  }

  forward<I extends Tensor | PackedSequence>(input: I, hx?: Tensor | null): Out<I, Tensor> {
    const p = this.prepare(input, hx, 1);
    this.checkInput(p.input, p.batchSizes);
    this.checkHiddenSize(p.states[0]!, this.expectedHiddenSize(p.input, p.batchSizes));
    const [output, h] = named(this.fnName, () => p.batchSizes === null
      ? ops.gru(p.input, p.states[0]!, this.flatWeights, this.bias, this.numLayers, this.dropout, this.training, this.bidirectional, this.batchFirst)
      : ops.gru(p.input, p.batchSizes, p.states[0]!, this.flatWeights, this.bias, this.numLayers, this.dropout, this.training, this.bidirectional));
    const [out, states] = this.finish(p, output, [h]);
    return [out, states[0]!] as Out<I, Tensor>;
  }
}

