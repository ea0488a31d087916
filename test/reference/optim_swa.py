# Reference for test/optim_swa.test.ts: torch.optim.swa_utils over a small BatchNorm model.
# stdin: {seed, x, batches, rounds, swalr: [{python, steps}]}; stdout: the model's initial state
# dict, the AveragedModel's state dict after the rounds (and after update_bn), SWALR's lrs.
import json
import sys

import torch
from torch import nn
from torch.optim import swa_utils

from nn_common import enc, from_spec

torch.set_num_threads(1)
req = json.loads(sys.stdin.read())


def build():
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))


torch.manual_seed(req["seed"])
model = build()
initial = [[k, enc(v)] for k, v in model.state_dict().items()]
x = from_spec(req["x"])
out = {"initial": initial}
for use_buffers in (False, True):
    m = build()
    m.load_state_dict(dict((k, v.clone()) for k, v in model.state_dict().items()))
    avg = swa_utils.AveragedModel(m, use_buffers=use_buffers)
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    for _ in range(req["rounds"]):
        opt.zero_grad()
        m(x).pow(2).mean().backward()
        opt.step()
        avg.update_parameters(m)
    key = "buffers" if use_buffers else "params"
    out[key] = [[k, enc(v)] for k, v in avg.state_dict().items()]
    swa_utils.update_bn([from_spec(b) for b in req["batches"]], avg)
    out[key + "_bn"] = [[k, enc(v)] for k, v in avg.state_dict().items()]
    out[key + "_training"] = avg.training

out["swalr"] = []
for case in req["swalr"]:
    p = torch.zeros(2, requires_grad=True)
    opt = torch.optim.SGD([{"params": [p], "lr": 0.1}, {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.2}])
    sched = swa_utils.SWALR(opt, **case["python"])
    lrs = []
    for _ in range(case["steps"]):
        lrs.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()
    out["swalr"].append({"lrs": lrs, "state": [[k, v] for k, v in sched.state_dict().items() if k != "anneal_func"]})
print(json.dumps(out))
