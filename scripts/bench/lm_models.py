# Python twin of scripts/bench/lm_models.ts: pytorch/examples word_language_model's RNNModel
# (LSTM), PositionalEncoding and TransformerModel, and one step of main.py's train().
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def _init_weights(encoder, decoder):
    initrange = 0.1
    nn.init.uniform_(encoder.weight, -initrange, initrange)
    nn.init.zeros_(decoder.bias)
    nn.init.uniform_(decoder.weight, -initrange, initrange)


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers, dropout):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        _init_weights(self.encoder, self.decoder)
        self.nhid = nhid
        self.nlayers = nlayers

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        decoded = self.decoder(self.drop(output)).view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (weight.new_zeros(self.nlayers, bsz, self.nhid), weight.new_zeros(self.nlayers, bsz, self.nhid))


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.1, max_len=5000):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        pe = torch.zeros(max_len, d_model)
        position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe.unsqueeze(0).transpose(0, 1))

    def forward(self, x):
        return self.dropout(x + self.pe[:x.size(0), :])


class TransformerModel(nn.Module):
    def __init__(self, ntoken, ninp, nhead, nhid, nlayers, dropout):
        super().__init__()
        self.src_mask = None
        self.pos_encoder = PositionalEncoding(ninp, dropout)
        encoder_layers = nn.TransformerEncoderLayer(ninp, nhead, nhid, dropout)
        self.transformer_encoder = nn.TransformerEncoder(encoder_layers, nlayers)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.ninp = ninp
        self.decoder = nn.Linear(ninp, ntoken)
        _init_weights(self.encoder, self.decoder)

    def forward(self, src):
        if self.src_mask is None or self.src_mask.size(0) != len(src):
            self.src_mask = nn.Transformer.generate_square_subsequent_mask(len(src))
        src = self.pos_encoder(self.encoder(src) * math.sqrt(self.ninp))
        output = self.decoder(self.transformer_encoder(src, self.src_mask))
        return F.log_softmax(output, dim=-1)


def build_lm_train_step(c, mark=lambda phase: None):
    """As lm_models.ts's buildLMTrainStep: returns (run, info with firstLoss and paramSums);
    mark(phase) is called as each phase of a step ends (lm_profile.py)."""
    torch.manual_seed(0)
    if c["model"] == "LSTM":
        model = RNNModel(c["ntokens"], c["emsize"], c["nhid"], c["nlayers"], c["dropout"])
    else:
        model = TransformerModel(c["ntokens"], c["emsize"], c["nhead"], c["nhid"], c["nlayers"], c["dropout"])
    param_sums = [p.double().sum().item() for p in model.parameters()]
    data = torch.randint(c["ntokens"], (c["bptt"], c["batch"]))
    targets = torch.randint(c["ntokens"], (c["bptt"] * c["batch"],))
    criterion = nn.NLLLoss()
    model.train()
    state = {"hidden": model.init_hidden(c["batch"]) if c["model"] == "LSTM" else None}

    def step():
        model.zero_grad()
        mark("zero_grad")
        if state["hidden"] is None:
            output = model(data).view(-1, c["ntokens"])
        else:
            hidden = tuple(h.detach() for h in state["hidden"])  # main.py's repackage_hidden
            output, state["hidden"] = model(data, hidden)
        mark("forward")
        loss = criterion(output, targets)
        mark("loss")
        loss.backward()
        mark("backward")
        torch.nn.utils.clip_grad_norm_(model.parameters(), c["clip"])
        mark("clip")
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-c["lr"])
        value = loss.item()
        mark("update")
        return value

    first_loss = step()
    return (lambda: step()), {"firstLoss": first_loss, "paramSums": param_sums}
