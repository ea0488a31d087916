# Reference for test/nn_weight_spectral_norm.test.ts: torch.nn.utils.weight_norm and
# spectral_norm (and their removal) on seeded Linear, Conv2d and ConvTranspose2d layers.
# stdin: {"cases": [...], "spectral": [...]}. stdout: per case the state-dict keys, forward
# outputs over two steps with an update between, gradients, buffers, and the state after removal.
import json
import sys

import torch
from torch import nn
from torch.nn.utils import remove_spectral_norm, remove_weight_norm, spectral_norm, weight_norm

torch.set_num_threads(1)


def flat(t):
    return t.detach().flatten().tolist()


def run(case):
    torch.manual_seed(3)
    m = nn.Linear(4, 3) if case["kind"] == "linear" else nn.Conv2d(2, 3, 3)
    weight_norm(m, "weight", case["dim"])
    x = torch.tensor(case["x"], dtype=torch.float32).reshape(case["shape"])
    out = {"keys": list(m.state_dict().keys()), "g_shape": list(m.weight_g.shape)}
    for step in range(2):
        y = m(x)
        (y * y).sum().backward()
        out[f"y{step}"] = flat(y)
        with torch.no_grad():
            m.weight_v.sub_(0.1 * m.weight_v.grad)
    out["grad_g"] = flat(m.weight_g.grad)
    out["grad_v"] = flat(m.weight_v.grad)
    out["grad_bias"] = flat(m.bias.grad)
    remove_weight_norm(m)
    out["removed_keys"] = list(m.state_dict().keys())
    out["removed_weight"] = flat(m.weight)
    out["removed_is_param"] = isinstance(m.weight, nn.Parameter)
    return out


def layer(kind):
    if kind == "linear":
        return nn.Linear(4, 3)
    if kind == "conv":
        return nn.Conv2d(2, 3, 3)
    return nn.ConvTranspose2d(2, 3, 3)


def run_spectral(case):
    torch.manual_seed(5)
    m = layer(case["kind"])
    spectral_norm(m, n_power_iterations=case["iters"], dim=case["dim"])
    x = torch.tensor(case["x"], dtype=torch.float32).reshape(case["shape"])
    out = {"keys": list(m.state_dict().keys()), "u0": flat(m.weight_u), "v0": flat(m.weight_v)}
    for step in range(3):
        if step == 2:
            m.eval()
        y = m(x)
        (y * y).sum().backward()
        out[f"y{step}"] = flat(y)
        with torch.no_grad():
            m.weight_orig.sub_(0.05 * m.weight_orig.grad)
    out["grad_orig"] = flat(m.weight_orig.grad)
    out["u"] = flat(m.weight_u)
    out["v"] = flat(m.weight_v)
    remove_spectral_norm(m)
    out["removed_keys"] = list(m.state_dict().keys())
    out["removed_weight"] = flat(m.weight)
    return out


req = json.load(sys.stdin)
print(json.dumps({"weight": [run(c) for c in req["cases"]], "spectral": [run_spectral(c) for c in req["spectral"]]}))
