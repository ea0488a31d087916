// pytorch/examples word_language_model/model.py: RNNModel (an embedding, an LSTM/GRU/RNN and a
// decoder, optionally with tied weights, Press & Wolf 2016 / Inan et al. 2016).
import * as torch from "../../../lib/index.js";

const { nn } = torch;
const F = torch.nn.functional;
type Tensor = torch.Tensor;

export type RnnType = "LSTM" | "GRU" | "RNN_TANH" | "RNN_RELU";
export type Hidden = Tensor | [Tensor, Tensor];

/** Container module with an encoder, a recurrent module, and a decoder. */
export class RNNModel extends nn.Module {
  readonly ntoken: number;
  readonly drop: torch.nn.Dropout;
  readonly encoder: torch.nn.Embedding;
  readonly rnn: torch.nn.LSTM | torch.nn.GRU | torch.nn.RNN;
  readonly decoder: torch.nn.Linear;
  readonly rnn_type: RnnType;
  readonly nhid: number;
  readonly nlayers: number;

  constructor(rnnType: string, ntoken: number, ninp: number, nhid: number, nlayers: number, dropout = 0.5, tieWeights = false) {
    super();
    this.ntoken = ntoken;
    this.drop = this.registerModule("drop", new nn.Dropout(dropout));
    this.encoder = this.registerModule("encoder", new nn.Embedding(ntoken, ninp));
    if (rnnType === "LSTM") this.rnn = this.registerModule("rnn", new nn.LSTM(ninp, nhid, nlayers, { dropout }));
    else if (rnnType === "GRU") this.rnn = this.registerModule("rnn", new nn.GRU(ninp, nhid, nlayers, { dropout }));
    else {
      const nonlinearity = ({ RNN_TANH: "tanh", RNN_RELU: "relu" } as const)[rnnType as "RNN_TANH" | "RNN_RELU"];
      if (nonlinearity === undefined) throw new TypeError("An invalid option for `--model` was supplied, options are ['LSTM', 'GRU', 'RNN_TANH' or 'RNN_RELU']");
      this.rnn = this.registerModule("rnn", new nn.RNN(ninp, nhid, nlayers, { nonlinearity, dropout }));
    }
    this.decoder = this.registerModule("decoder", new nn.Linear(nhid, ntoken));
    if (tieWeights) {
      if (nhid !== ninp) throw new TypeError("When using the tied flag, nhid must be equal to emsize");
      // Python: self.decoder.weight = self.encoder.weight (a field write, so the decoder registers it).
      Object.assign(this.decoder, { weight: this.encoder.weight });
    }
    this.initWeights();
    this.rnn_type = rnnType as RnnType;
    this.nhid = nhid;
    this.nlayers = nlayers;
  }

  initWeights(): void {
    const initrange = 0.1;
    nn.init.uniform_(this.encoder.weight, -initrange, initrange);
    nn.init.zeros_(this.decoder.bias!);
    nn.init.uniform_(this.decoder.weight, -initrange, initrange);
  }

  forward(input: Tensor, hidden: Hidden): [Tensor, Hidden] {
    const emb = this.drop.call(this.encoder.call(input));
    let output: Tensor;
    let next: Hidden;
    if (this.rnn instanceof nn.LSTM) [output, next] = this.rnn.call(emb, hidden as [Tensor, Tensor]);
    else [output, next] = (this.rnn as torch.nn.GRU).call(emb, hidden as Tensor);
    output = this.drop.call(output);
    const decoded = this.decoder.call(output).view(-1, this.ntoken);
    return [F.logSoftmax(decoded, { dim: 1 }), next];
  }

  initHidden(bsz: number): Hidden {
    const [weight] = this.parameters() as Generator<Tensor>; // Python: next(self.parameters())
    if (weight === undefined) throw new Error("RNNModel has no parameters");
    const zeros = () => torch.zeros([this.nlayers, bsz, this.nhid], { dtype: weight.dtype, device: weight.device });
    return this.rnn_type === "LSTM" ? [zeros(), zeros()] : zeros();
  }
}
