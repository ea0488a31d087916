// pytorch/examples word_language_model, the models (model.py's RNNModel with an LSTM, its
// PositionalEncoding and TransformerModel) and one step of main.py's train(), written as a
// torch-ts user would. The Python twin is scripts/bench/lm_models.py: the same modules built in
// the same order after the same seed, so both sides start from bitwise-equal weights.
import * as torch from "../../lib/index.js";

const { nn } = torch;
const F = torch.nn.functional;
type Tensor = torch.Tensor;

/** The example's defaults for both models, and its train() settings. */
export interface LMConfig {
  model: "LSTM" | "Transformer";
  ntokens: number; emsize: number; nhid: number; nlayers: number; nhead: number; dropout: number;
  bptt: number; batch: number; lr: number; clip: number;
}

/** model.py's init_weights, shared by both models. */
function initWeights(encoder: torch.nn.Embedding, decoder: torch.nn.Linear): void {
  const initrange = 0.1;
  nn.init.uniform_(encoder.weight, -initrange, initrange);
  nn.init.zeros_(decoder.bias!);
  nn.init.uniform_(decoder.weight, -initrange, initrange);
}

/** model.py's RNNModel("LSTM", ...) without tied weights. */
export class RNNModel extends nn.Module {
  readonly drop: torch.nn.Dropout;
  readonly encoder: torch.nn.Embedding;
  readonly rnn: torch.nn.LSTM;
  readonly decoder: torch.nn.Linear;

  constructor(readonly ntoken: number, ninp: number, readonly nhid: number, readonly nlayers: number, dropout: number) {
    super();
    this.drop = this.registerModule("drop", new nn.Dropout(dropout));
    this.encoder = this.registerModule("encoder", new nn.Embedding(ntoken, ninp));
    this.rnn = this.registerModule("rnn", new nn.LSTM(ninp, nhid, nlayers, { dropout }));
    this.decoder = this.registerModule("decoder", new nn.Linear(nhid, ntoken));
    initWeights(this.encoder, this.decoder);
  }

  forward(input: Tensor, hidden: [Tensor, Tensor]): [Tensor, [Tensor, Tensor]] {
    const emb = this.drop.call(this.encoder.call(input));
    const [out, next] = this.rnn.call(emb, hidden);
    const decoded = this.decoder.call(this.drop.call(out)).view(-1, this.ntoken);
    return [F.logSoftmax(decoded, { dim: 1 }), next];
  }

  initHidden(bsz: number): [Tensor, Tensor] {
    const zeros = () => torch.zeros([this.nlayers, bsz, this.nhid]);
    return [zeros(), zeros()];
  }
}

/** model.py's PositionalEncoding: sinusoids in a [maxLen, 1, dModel] buffer "pe", then dropout. */
export class PositionalEncoding extends nn.Module {
  readonly dropout: torch.nn.Dropout;
  readonly pe: Tensor;

  constructor(dModel: number, dropout = 0.1, maxLen = 5000) {
    super();
    this.dropout = this.registerModule("dropout", new nn.Dropout(dropout));
    const pe = torch.tidy(() => {
      const table = torch.zeros(maxLen, dModel);
      const position = torch.arange(0, maxLen, { dtype: "float32" }).unsqueeze(1);
      const divTerm = torch.arange(0, dModel, 2).float().mul(-Math.log(10000.0) / dModel).exp();
      table.indexPut_([":", "0::2"], position.mul(divTerm).sin());
      table.indexPut_([":", "1::2"], position.mul(divTerm).cos());
      return table.unsqueeze(0).transpose(0, 1);
    });
    this.pe = this.registerBuffer("pe", pe)!;
  }

  forward(x: Tensor): Tensor {
    return this.dropout.call(x.add(this.pe.index(`:${x.size(0)}`, ":")));
  }
}

/** model.py's TransformerModel: Embedding * sqrt(ninp), PositionalEncoding, TransformerEncoder, Linear. */
export class TransformerModel extends nn.Module {
  readonly posEncoder: PositionalEncoding;
  readonly transformerEncoder: torch.nn.TransformerEncoder;
  readonly encoder: torch.nn.Embedding;
  readonly decoder: torch.nn.Linear;
  /** Python's `self.src_mask`: a plain attribute (no buffer), made at the first forward. */
  srcMask: Tensor | null = null;

  constructor(ntoken: number, readonly ninp: number, nhead: number, nhid: number, nlayers: number, dropout: number) {
    super();
    this.posEncoder = this.registerModule("pos_encoder", new PositionalEncoding(ninp, dropout));
    const encoderLayers = new nn.TransformerEncoderLayer(ninp, nhead, nhid, dropout);
    this.transformerEncoder = this.registerModule("transformer_encoder", new nn.TransformerEncoder(encoderLayers, nlayers));
    // The template is not part of the model (TransformerEncoder holds deep copies).
    torch.dispose([...encoderLayers.parameters()]);
    this.encoder = this.registerModule("encoder", new nn.Embedding(ntoken, ninp));
    this.decoder = this.registerModule("decoder", new nn.Linear(ninp, ntoken));
    initWeights(this.encoder, this.decoder);
  }

  forward(src: Tensor): Tensor {
    if (this.srcMask === null || this.srcMask.size(0) !== src.size(0)) {
      this.srcMask?.dispose();
      // Made inside call()'s tidy but kept across calls, as Python's cached attribute.
      this.srcMask = torch.keep(nn.Transformer.generateSquareSubsequentMask(src.size(0)));
    }
    const x = this.posEncoder.call(this.encoder.call(src).mul(Math.sqrt(this.ninp)));
    const output = this.decoder.call(this.transformerEncoder.call(x, this.srcMask));
    return F.logSoftmax(output, { dim: -1 });
  }
}

/** The phases of a step, in order: `mark(phase)` is called as each ends (lm_profile.ts). */
export const PHASES = ["zero_grad", "forward", "loss", "backward", "clip", "update"] as const;
export type Phase = (typeof PHASES)[number];

/** A built case: one training step per run(), and what frees the case's tensors. */
export interface LMTrainCase { run: () => void; firstLoss: number; paramSums: number[]; dispose: () => void }

/**
 * Seeds 0, builds the model, a random batch (data [bptt, batch], targets [bptt * batch]), and
 * main.py's train() step: zero_grad, forward (the LSTM's hidden state detached from the last
 * step), NLLLoss, backward, clip_grad_norm_, p -= lr * grad, loss.item(). Runs one step to
 * report its loss, as the Python twin does, so the bench can check both did the same work.
 */
export function buildLMTrainStep(c: LMConfig, mark: (phase: Phase) => void = () => {}): LMTrainCase {
  torch.manualSeed(0);
  const model = c.model === "LSTM"
    ? new RNNModel(c.ntokens, c.emsize, c.nhid, c.nlayers, c.dropout)
    : new TransformerModel(c.ntokens, c.emsize, c.nhead, c.nhid, c.nlayers, c.dropout);
  const paramSums = torch.tidy(() => [...model.parameters()].map((p) => p.double().sum().item()));
  const data = torch.randint(c.ntokens, [c.bptt, c.batch]);
  const targets = torch.randint(c.ntokens, [c.bptt * c.batch]);
  const criterion = new nn.NLLLoss();
  const params = [...model.parameters()];
  model.train();
  let hidden = model instanceof RNNModel ? model.initHidden(c.batch) : null;
  const step = (): number => {
    model.zeroGrad({ setToNone: false }); // PyTorch 1.13's Module.zero_grad() default
    mark("zero_grad");
    const [loss, next] = torch.tidy(() => {
      let output: Tensor;
      let h: [Tensor, Tensor] | null = null;
      if (model instanceof RNNModel) [output, h] = model.call(data, [hidden![0].detach(), hidden![1].detach()]);
      else output = model.call(data).view(-1, c.ntokens);
      mark("forward");
      const l = criterion.call(output, targets);
      mark("loss");
      l.backward();
      mark("backward");
      return [l, h === null ? null : [h[0].detach(), h[1].detach()] as [Tensor, Tensor]] as const;
    });
    if (next !== null) {
      torch.dispose(hidden);
      hidden = next;
    }
    nn.utils.clipGradNorm_(params, c.clip).dispose(); // the total norm it returns, unused as in main.py
    mark("clip");
    // In a tidy: each p.grad read is a new handle on the gradient, to be freed.
    torch.tidy(() => torch.noGrad(() => { for (const p of params) p.add_(p.grad!, { alpha: -c.lr }); }));
    // main.py's total_loss += loss.item(), after the update as there.
    const value = loss.item();
    loss.dispose();
    mark("update");
    return value;
  };
  const firstLoss = step();
  return {
    run: () => void step(),
    firstLoss,
    paramSums,
    dispose: () => {
      torch.dispose(params.map((p) => p.grad), params, [...model.buffers()], hidden, data, targets);
      if (model instanceof TransformerModel) model.srcMask?.dispose();
    },
  };
}
