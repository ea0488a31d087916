# Reference for test/amp.test.ts: CPU autocast (bfloat16) and channels_last in Debian's torch.
# stdin: {x, w, b, lw, lb, bn_w, bn_b: Spec}. stdout: outputs (enc), dtypes and strides.
import json
import sys

import torch
import torch.nn.functional as F

from nn_common import enc, from_spec

torch.set_num_threads(1)
inp = json.load(sys.stdin)
t = {k: from_spec(v) for k, v in inp.items()}
x, w, b = t["x"], t["w"], t["b"]

out = {}
with torch.autocast("cpu"):
    conv = F.conv2d(x, w, b, padding=1)
    relu = F.relu(conv)
    pooled = F.adaptive_avg_pool2d(relu, 1).flatten(1)
    lin = F.linear(pooled, t["lw"], t["lb"])
    mm = torch.matmul(x.flatten(1), x.flatten(1).t())
    added = x + 1
    logits_ce = F.cross_entropy(lin, torch.tensor([0, 1], dtype=torch.int64))
    nested_off = None
    with torch.autocast("cpu", enabled=False):
        nested_off = F.conv2d(x, w, b, padding=1)
out["autocast"] = {
    "conv": enc(conv), "relu": enc(relu), "lin": enc(lin), "mm": enc(mm), "added": enc(added),
    "ce": enc(logits_ce), "nested_off": enc(nested_off),
}

cl = x.contiguous(memory_format=torch.channels_last)
conv_cl = F.conv2d(cl, w, b, padding=1)
model = torch.nn.Conv2d(w.shape[1], w.shape[0], w.shape[2], padding=1)
model.to(memory_format=torch.channels_last)
lin_model = torch.nn.Linear(4, 3).to(memory_format=torch.channels_last)
out["channels_last"] = {
    "x_strides": list(cl.stride()),
    "x_is_cl": cl.is_contiguous(memory_format=torch.channels_last),
    "x_is_contig": cl.is_contiguous(),
    "conv_strides": list(conv_cl.stride()),
    "conv": enc(conv_cl),
    "module_weight_strides": list(model.weight.stride()),
    "module_bias_strides": list(model.bias.stride()),
    "linear_weight_strides": list(lin_model.weight.stride()),
}
json.dump(out, sys.stdout)
