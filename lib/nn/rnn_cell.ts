// nn.RNNCell, nn.LSTMCell, nn.GRUCell (PyTorch 1.13 torch/nn/modules/rnn.py): one time step,
// run by ATen's rnn_tanh_cell / rnn_relu_cell / lstm_cell / gru_cell; 1-D (unbatched) input too.
import { TorchError } from "../errors.js";
import { tidy } from "../memory.js";
import type { Device } from "../device.js";
import type { DType } from "../dtype.js";
import { empty, zeros } from "../tensor/creation.js";
import { Tensor } from "../tensor/index.js";
import * as ops from "../tensor/ops.generated.js";
import { argError, checkNonNegInt } from "../validate.js";
import { factoryOptions } from "./factory.js";
import { bindArgs, bool, choice, type PyArgs } from "./functional_util.js";
import { uniform_ } from "./init.js";
import { Module } from "./module.js";
import { named } from "./rnn_named.js";
import { initEnabled } from "./skip_init.js";

export interface RNNCellBaseOptions {
  bias: boolean;
  device: Device;
  dtype: DType;
}
export interface RNNCellOptions extends RNNCellBaseOptions { nonlinearity: "tanh" | "relu" }

/** Python: `nn.RNNCellBase`: weight_ih, weight_hh, bias_ih, bias_hh (null without bias). */
export abstract class RNNCellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  protected readonly fn: string;

  protected constructor(fn: string, a: Record<string, unknown>, numChunks: number) {
    super();
    this.fn = fn;
    this.inputSize = checkNonNegInt(fn, "inputSize", a.inputSize);
    this.hiddenSize = checkNonNegInt(fn, "hiddenSize", a.hiddenSize);
    this.bias = bool(fn, "bias", a.bias, true);
    const factory = factoryOptions(fn, a);
    const gates = numChunks * this.hiddenSize;
    // Made in one tidy: if one allocation fails, the ones made before it are freed.
    const [wIh, wHh, bIh, bHh] = tidy(() => [
      empty([gates, this.inputSize], factory), empty([gates, this.hiddenSize], factory),
      this.bias ? empty([gates], factory) : null, this.bias ? empty([gates], factory) : null,
    ] as const);
    this.registerParameter("weight_ih", wIh);
    this.registerParameter("weight_hh", wHh);
    this.registerParameter("bias_ih", bIh);
    this.registerParameter("bias_hh", bHh);
    if (initEnabled()) this.resetParameters();
  }

  /** Python: `weight_ih`. */
  get weightIh(): Tensor {
    return this.getAttr("weight_ih") as Tensor;
  }
  /** Python: `weight_hh`. */
  get weightHh(): Tensor {
    return this.getAttr("weight_hh") as Tensor;
  }
  /** Python: `bias_ih` (null when bias is false). */
  get biasIh(): Tensor | null {
    return (this.getAttr("bias_ih") ?? null) as Tensor | null;
  }
  /** Python: `bias_hh` (null when bias is false). */
  get biasHh(): Tensor | null {
    return (this.getAttr("bias_hh") ?? null) as Tensor | null;
  }

  /** Every weight and bias from U(-1/√hidden, 1/√hidden), in parameter order, as PyTorch. */
  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const w of this.parameters()) uniform_(w, -stdv, stdv);
  }

  /** The input as a batch (a 1-D one gains a batch of 1), and whether it was batched. */
  protected batchOf(input: unknown): [Tensor, boolean] {
    if (!(input instanceof Tensor)) throw argError(this.fn, "input", "a Tensor", input);
    if (input.ndim !== 1 && input.ndim !== 2) {
      throw new TorchError(`${this.fn}: Expected input to be 1-D or 2-D but received ${input.ndim}-D tensor`);
    }
    return input.ndim === 2 ? [input, true] : [input.unsqueeze(0), false];
  }

  /** A given state (unsqueezed for unbatched input), or zeros like Python's default. */
  protected stateOf(hx: unknown, x: Tensor, batched: boolean, arg: string): Tensor {
    if (hx === undefined || hx === null) return zeros([x.size(0), this.hiddenSize], { dtype: x.dtype, device: x.device });
    if (!(hx instanceof Tensor)) throw argError(this.fn, arg, "a Tensor or null", hx);
    // ATen's own check says "hidden0 has inconsistent hidden_size"; this one names the layer and the argument.
    const want = batched ? [x.size(0), this.hiddenSize] : [this.hiddenSize];
    if (hx.ndim !== want.length || hx.shape.some((d, i) => d !== want[i])) {
      throw new TorchError(`${this.fn}: Expected ${arg} of size [${want.join(", ")}], got [${hx.shape.join(", ")}]`);
    }
    return batched ? hx : hx.unsqueeze(0);
  }

  protected checkInputSize(x: Tensor): void {
    if (x.size(1) !== this.inputSize) throw new TorchError(`${this.fn}: input has inconsistent input_size: got ${x.size(1)} expected ${this.inputSize}`);
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (!this.bias) s += ", bias=False";
    return s;
  }
}

const bindCell = (fn: string, args: readonly unknown[], names: readonly string[]) => bindArgs(fn, names, args, 2, []);

/** Python: `nn.RNNCell(input_size, hidden_size, bias=True, nonlinearity="tanh")`: h' = tanh/relu(W x + b + W h + b). */
export class RNNCell extends RNNCellBase {
  readonly nonlinearity: "tanh" | "relu";

  constructor(inputSize: number, hiddenSize: number, ...args: PyArgs<[bias: boolean, nonlinearity: "tanh" | "relu", device: Device, dtype: DType], RNNCellOptions>) {
    const fn = "nn.RNNCell";
    const a = bindCell(fn, [inputSize, hiddenSize, ...args], ["inputSize", "hiddenSize", "bias", "nonlinearity", "device", "dtype"]);
    const nonlinearity = choice(fn, "nonlinearity", a.nonlinearity, ["tanh", "relu"] as const, "tanh");
    super(fn, a, 1);
    this.nonlinearity = nonlinearity;
  }

  forward(input: Tensor, hx?: Tensor | null): Tensor {
    const [x, batched] = this.batchOf(input);
    this.checkInputSize(x);
    const h = this.stateOf(hx, x, batched, "hx");
    const op = this.nonlinearity === "tanh" ? ops.rnnTanhCell : ops.rnnReluCell;
    const out = named(this.fn, () => op(x, h, this.weightIh, this.weightHh, this.biasIh, this.biasHh));
    return batched ? out : out.squeeze(0);
  }

  override extraRepr(): string {
    return this.nonlinearity !== "tanh" ? `${super.extraRepr()}, nonlinearity=${this.nonlinearity}` : super.extraRepr();
  }
}

/** Python: `nn.LSTMCell(input_size, hidden_size, bias=True)`: forward(input, [h, c]?) → [h', c']. */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, ...args: PyArgs<[bias: boolean, device: Device, dtype: DType], RNNCellBaseOptions>) {
    const fn = "nn.LSTMCell";
    super(fn, bindCell(fn, [inputSize, hiddenSize, ...args], ["inputSize", "hiddenSize", "bias", "device", "dtype"]), 4);
  }

  forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, Tensor] {
    const [x, batched] = this.batchOf(input);
    this.checkInputSize(x);
    let states: [Tensor, Tensor];
    if (hx === undefined || hx === null) {
      const z = this.stateOf(null, x, batched, "hx");
      states = [z, z];
    } else {
      if (!Array.isArray(hx) || hx.length !== 2) throw argError(this.fn, "hx", "an array [h, c] of Tensors, or null", hx);
      states = [this.stateOf(hx[0], x, batched, "hx[0]"), this.stateOf(hx[1], x, batched, "hx[1]")];
    }
    const [h, c] = named(this.fn, () => ops.lstmCell(x, states, this.weightIh, this.weightHh, this.biasIh, this.biasHh));
    return batched ? [h, c] : [h.squeeze(0), c.squeeze(0)];
  }
}

/** Python: `nn.GRUCell(input_size, hidden_size, bias=True)`. */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, ...args: PyArgs<[bias: boolean, device: Device, dtype: DType], RNNCellBaseOptions>) {
    const fn = "nn.GRUCell";
    super(fn, bindCell(fn, [inputSize, hiddenSize, ...args], ["inputSize", "hiddenSize", "bias", "device", "dtype"]), 3);
  }

  forward(input: Tensor, hx?: Tensor | null): Tensor {
    const [x, batched] = this.batchOf(input);
    this.checkInputSize(x);
    const h = this.stateOf(hx, x, batched, "hx");
    const out = named(this.fn, () => ops.gruCell(x, h, this.weightIh, this.weightHh, this.biasIh, this.biasHh));
    return batched ? out : out.squeeze(0);
  }
}
