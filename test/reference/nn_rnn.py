# Reference for test/nn_rnn.test.ts: nn.RNN/LSTM/GRU, their cells and torch.nn.utils.rnn in
# Debian's torch. stdin: {layers, cells, reprs, errors, utils}; stdout: per case the seeded
# state_dict, outputs, final states, gradients, repr and error messages.
import json
import sys

import torch
from torch import nn
from torch.nn.utils import rnn as rnn_utils

from nn_common import cotangent, enc, error_of

torch.set_num_threads(1)
DTYPES = {"float32": torch.float32, "float64": torch.float64}


def tensor_of(spec, dtype, requires_grad=False):
    t = torch.tensor(spec["data"], dtype=dtype).reshape(spec["shape"])
    return t.requires_grad_(requires_grad)


def build(case):
    kw = dict(case["kw"])
    if "dtype" in kw:
        kw["dtype"] = DTYPES[kw["dtype"]]
    return getattr(nn, case["kind"])(*case["args"], **kw)


def loss_of(tensors, cots):
    return sum((t * c).sum() for t, c in zip(tensors, cots))


def layer_case(case):
    dtype = DTYPES[case["dtype"]]
    torch.manual_seed(case["seed"])
    m = build(case)
    res = {"state": [[k, enc(v)] for k, v in m.state_dict().items()], "repr": repr(m)}
    m.train(case["train"])
    x = tensor_of(case["x"], dtype, True)
    states = [tensor_of(s, dtype, True) for s in case["hx"]] if case.get("hx") else None
    hx = None if states is None else (tuple(states) if case["kind"] == "LSTM" else states[0])
    packed = case.get("packed")
    inp = x if packed is None else rnn_utils.pack_padded_sequence(
        x, packed["lengths"], batch_first=packed["batch_first"], enforce_sorted=packed["enforce_sorted"])
    torch.manual_seed(case["seed"] + 1)
    out, h = m(inp, hx)
    finals = list(h) if case["kind"] == "LSTM" else [h]
    if packed is not None:
        res["batch_sizes"] = enc(out.batch_sizes)
        res["padded"] = enc(rnn_utils.pad_packed_sequence(out, batch_first=packed["batch_first"])[0])
        out = out.data
    cots = [cotangent(t.shape, t.dtype) for t in [out, *finals]]
    loss_of([out, *finals], cots).backward()
    res.update({
        "out": enc(out), "finals": [enc(t) for t in finals], "cots": [enc(c) for c in cots],
        "x_grad": enc(x.grad), "hx_grads": [enc(s.grad) for s in states] if states else [],
        "param_grads": [[k, enc(p.grad)] for k, p in m.named_parameters()],
    })
    return res


def cell_case(case):
    dtype = DTYPES[case["dtype"]]
    torch.manual_seed(case["seed"])
    m = build(case)
    res = {"state": [[k, enc(v)] for k, v in m.state_dict().items()], "repr": repr(m)}
    x = tensor_of(case["x"], dtype, True)
    states = [tensor_of(s, dtype, True) for s in case["hx"]] if case.get("hx") else None
    hx = None if states is None else (tuple(states) if case["kind"] == "LSTMCell" else states[0])
    out = m(x, hx)
    outs = list(out) if case["kind"] == "LSTMCell" else [out]
    cots = [cotangent(t.shape, t.dtype) for t in outs]
    loss_of(outs, cots).backward()
    res.update({
        "outs": [enc(t) for t in outs], "cots": [enc(c) for c in cots], "x_grad": enc(x.grad),
        "hx_grads": [enc(s.grad) for s in states] if states else [],
        "param_grads": [[k, enc(p.grad)] for k, p in m.named_parameters()],
    })
    return res


def error_case(case):
    m = build(case)
    x = torch.zeros(case["x"])
    hx = None
    if case.get("hx") is not None:
        hs = [torch.zeros(s) for s in case["hx"]]
        hx = tuple(hs) if case["kind"] in ("LSTM", "LSTMCell") else hs[0]
    return error_of(lambda: m(x, hx))


def packed_dict(p):
    return {"data": enc(p.data), "batch_sizes": enc(p.batch_sizes),
            "sorted_indices": None if p.sorted_indices is None else enc(p.sorted_indices),
            "unsorted_indices": None if p.unsorted_indices is None else enc(p.unsorted_indices)}


def utils_case(case):
    seqs = [tensor_of(s, torch.float32) for s in case["seqs"]]
    bf, pv = case["batch_first"], case["padding_value"]
    padded = rnn_utils.pad_sequence(seqs, batch_first=bf, padding_value=pv)
    packed = rnn_utils.pack_sequence(seqs, enforce_sorted=case["enforce_sorted"])
    lengths = [s.shape[0] for s in seqs]
    packed_padded = rnn_utils.pack_padded_sequence(padded, lengths, batch_first=bf, enforce_sorted=case["enforce_sorted"])
    repadded, lens = rnn_utils.pad_packed_sequence(packed_padded, batch_first=bf, padding_value=pv, total_length=case["total_length"])
    unpacked = rnn_utils.unpack_sequence(packed)
    unpadded = rnn_utils.unpad_sequence(padded.clone(), torch.tensor(lengths), batch_first=bf)
    return {"padded": enc(padded), "packed": packed_dict(packed), "packed_padded": packed_dict(packed_padded),
            "repadded": enc(repadded), "lengths": enc(lens), "unpacked": [enc(t) for t in unpacked],
            "unpadded": [enc(t) for t in unpadded]}


def main():
    spec = json.load(sys.stdin)
    out = {
        "layers": {k: layer_case(c) for k, c in spec["layers"].items()},
        "cells": {k: cell_case(c) for k, c in spec["cells"].items()},
        "reprs": {k: repr(build(c)) for k, c in spec["reprs"].items()},
        "errors": {k: error_case(c) for k, c in spec["errors"].items()},
        "utils": {k: utils_case(c) for k, c in spec["utils"].items()},
        "unsorted_error": error_of(lambda: rnn_utils.pack_padded_sequence(torch.zeros(3, 2, 1), [1, 3])),
        "total_length_error": error_of(lambda: rnn_utils.pad_packed_sequence(
            rnn_utils.pack_sequence([torch.zeros(3, 1)]), total_length=2)),
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
