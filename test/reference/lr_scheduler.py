# Reference for test/lr_scheduler.test.ts: every torch.optim.lr_scheduler of 1.13 stepped over
# the same schedule the test runs, its state dict, and state dicts crossing both ways.
# Requests (one JSON line each, see opinfo.serve):
#   run:    {case, steps, more, save?} -> lrs/momenta per step, state dict and param_groups after
#           `steps`, lrs of `more` further steps; with save, torch.save of the state dict there.
#   resume: {case, steps, more, param_groups, state | file} -> loads the TS state dict (JSON or a
#           torch.save file) into a fresh optimizer + scheduler and steps `more` times: lrs.
import math
from collections import Counter

import torch
from torch.optim import lr_scheduler as L

from opinfo import serve

DROPPED = {"_scale_fn_ref", "_scale_fn_custom", "anneal_func"}  # a weakref and functions: no checkpoint holds them
LAMBDAS = {"inv": lambda e: 1 / (1 + e), "third": lambda e: 0.9 if e % 3 == 0 else 1.0}


def optimizer(case):
    ps = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    groups = [{"params": [ps[0]], "lr": 0.1}, {"params": [ps[1]], "lr": 0.05}]
    if case["optimizer"] == "Adam":
        return torch.optim.Adam(groups)
    return torch.optim.SGD(groups, lr=0.1, momentum=0.9)


def build(spec, opt):
    kind, kw = spec["kind"], dict(spec.get("python", {}))
    if kind in ("LambdaLR", "MultiplicativeLR"):
        return getattr(L, kind)(opt, LAMBDAS[spec["lambda"]], **kw)
    if kind == "SequentialLR":
        return L.SequentialLR(opt, [build(s, opt) for s in spec["children"]], **kw)
    if kind == "ChainedScheduler":
        return L.ChainedScheduler([build(s, opt) for s in spec["children"]])
    if spec.get("scaleFn"):
        kw["scale_fn"] = LAMBDAS[spec["scaleFn"]]
    return getattr(L, kind)(opt, **kw)


def drive(case, opt, sched, start, n):
    lrs, moms = [], []
    for k in range(start, start + n):
        lrs.append([g["lr"] for g in opt.param_groups])
        g = opt.param_groups[0]
        moms.append(g["betas"][0] if "betas" in g else g.get("momentum"))
        opt.step()
        if "metrics" in case:
            sched.step(case["metrics"][k])
        elif "epochs" in case:
            sched.step(case["epochs"][k])
        else:
            sched.step()
    return lrs, moms


def enc(v):
    if isinstance(v, float) and math.isinf(v):
        return {"$f": "inf" if v > 0 else "-inf"}
    if isinstance(v, dict):
        return {str(k): enc(x) for k, x in v.items() if k not in DROPPED}
    if isinstance(v, (list, tuple)):
        return [enc(x) for x in v]
    return v


def dec(v, key=None):
    if isinstance(v, dict):
        if "$f" in v:
            return float(v["$f"])
        if key == "milestones":
            return Counter({int(k): x for k, x in v.items()})
        return {k: dec(x, k) for k, x in v.items()}
    if isinstance(v, list):
        return [dec(x) for x in v]
    return v


def groups_of(opt):
    return [{k: enc(v) for k, v in g.items() if k != "params"} for g in opt.state_dict()["param_groups"]]


def run(req):
    case = req["case"]
    opt = optimizer(case)
    sched = build(case["scheduler"], opt)
    lrs, moms = drive(case, opt, sched, 0, req["steps"])
    sd = sched.state_dict()
    out = {"lrs": lrs, "momenta": moms, "state": [[k, enc(v)] for k, v in sd.items() if k not in DROPPED],
           "param_groups": groups_of(opt)}
    if req.get("save"):
        torch.save(sd, req["save"])
    out["more"], out["more_momenta"] = drive(case, opt, sched, req["steps"], req["more"])
    return out


def resume(req):
    case = req["case"]
    opt = optimizer(case)
    sched = build(case["scheduler"], opt)
    saved = opt.state_dict()
    for g, want in zip(saved["param_groups"], req["param_groups"]):
        g.update(dec(want))
    opt.load_state_dict(saved)
    sched.load_state_dict(torch.load(req["file"]) if "file" in req else dec(req["state"]))
    lrs, moms = drive(case, opt, sched, req["steps"], req["more"])
    return {"more": lrs, "more_momenta": moms}


if __name__ == "__main__":
    serve({"run": run, "resume": resume})
