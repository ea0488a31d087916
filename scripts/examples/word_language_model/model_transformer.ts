// pytorch/examples word_language_model/model.py's Transformer side: PositionalEncoding and
// TransformerModel, an nn.Transformer whose encoder alone runs (causal mask), between a word
// embedding scaled by sqrt(ninp) and a Linear decoder that takes the place of nn.Transformer's.
import * as torch from "../../../lib/index.js";

const { nn } = torch;
const F = torch.nn.functional;
type Tensor = torch.Tensor;

/**
 * Injects the tokens' positions: sines and cosines of different frequencies, summed with the
 * embeddings. PosEncoder(pos, 2i) = sin(pos / 10000^(2i / d_model)), PosEncoder(pos, 2i + 1) = cos(…).
 */
export class PositionalEncoding extends nn.Module {
  readonly dropout: torch.nn.Dropout;
  readonly pe: Tensor;

  constructor(dModel: number, dropout = 0.1, maxLen = 5000) {
    super();
    this.dropout = this.registerModule("dropout", new nn.Dropout({ p: dropout }));
    const pe = torch.tidy(() => {
      const position = torch.arange(0, maxLen, { dtype: "float32" }).unsqueeze(1);
      const divTerm = torch.exp(torch.arange(0, dModel, 2).float().mul(-Math.log(10000.0) / dModel));
      // Python: pe[:, 0::2] = sin(position * div_term); pe[:, 1::2] = cos(position * div_term)
      const angles = position.mul(divTerm);
      const interleaved = torch.stack([torch.sin(angles), torch.cos(angles)], 2).view(maxLen, -1).slice(1, 0, dModel);
      return interleaved.contiguous().unsqueeze(0).transpose(0, 1);
    });
    this.pe = this.registerBuffer("pe", pe);
  }

  /** x: [sequence length, batch size, embed dim]. */
  forward(x: Tensor): Tensor {
    return this.dropout.call(x.add(this.pe.slice(0, 0, x.size(0))));
  }
}

/** Container module with an encoder, a recurrent or transformer module, and a decoder. */
export class TransformerModel extends nn.Transformer {
  readonly model_type = "Transformer";
  src_mask: Tensor | null = null;
  readonly pos_encoder: PositionalEncoding;
  readonly input_emb: torch.nn.Embedding;
  readonly ninp: number;
  declare readonly decoder: torch.nn.Linear;

  constructor(ntoken: number, ninp: number, nhead: number, nhid: number, nlayers: number, dropout = 0.5) {
    super({ dModel: ninp, nhead, dimFeedforward: nhid, numEncoderLayers: nlayers });
    this.pos_encoder = this.registerModule("pos_encoder", new PositionalEncoding(ninp, dropout));
    this.input_emb = this.registerModule("input_emb", new nn.Embedding(ntoken, ninp));
    this.ninp = ninp;
    // Python: self.decoder = nn.Linear(...): replaces nn.Transformer's decoder in place.
    Object.assign(this, { decoder: new nn.Linear(ninp, ntoken) });
    this.initWeights();
  }

  generateSquareSubsequentMask(sz: number): Tensor {
    return torch.log(torch.tril(torch.ones(sz, sz)));
  }

  initWeights(): void {
    const initrange = 0.1;
    nn.init.uniform_(this.input_emb.weight, -initrange, initrange);
    nn.init.zeros_(this.decoder.bias!);
    nn.init.uniform_(this.decoder.weight, -initrange, initrange);
  }

  // @ts-expect-error: Python's TransformerModel.forward(src, has_mask) replaces nn.Transformer's forward(src, tgt, …).
  override forward(src: Tensor, hasMask = true): Tensor {
    if (hasMask) {
      if (this.src_mask === null || this.src_mask.size(0) !== src.size(0)) {
        this.src_mask?.dispose();
        // kept past this call's tidy: it is reused while the sequence length stays the same
        this.src_mask = torch.keep(this.generateSquareSubsequentMask(src.size(0)));
      }
    } else {
      this.src_mask?.dispose();
      this.src_mask = null;
    }
    let x = this.input_emb.call(src).mul(Math.sqrt(this.ninp));
    x = this.pos_encoder.call(x);
    const output = (this.encoder as torch.nn.TransformerEncoder).call(x, { mask: this.src_mask });
    return F.logSoftmax(this.decoder.call(output), { dim: -1 });
  }
}
