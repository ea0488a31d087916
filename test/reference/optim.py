# Reference for test/optim.test.ts: the same small regression trained by torch.optim, and
# learning-rate schedules, from the inputs the test sends.
import json, sys
import torch

req = json.loads(sys.stdin.read())
torch.set_num_threads(1)

def tensor(spec):
    return torch.tensor(spec["data"], dtype=torch.float32).reshape(spec["shape"])

def plain(v):
    if isinstance(v, torch.Tensor):
        return {"shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", ""), "data": v.detach().reshape(-1).tolist()}
    if isinstance(v, tuple):
        return [plain(x) for x in v]
    return v

def make(kind, params, opts):
    return {"Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW, "SGD": torch.optim.SGD}[kind](params, **opts)

runs = []
for case in req["optim"]:
    w = tensor(req["w"]).requires_grad_(True)
    b = tensor(req["b"]).requires_grad_(True)
    x, y = tensor(req["x"]), tensor(req["y"])
    opt = make(case["kind"], [w, b], case["python"])
    for _ in range(req["steps"]):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(torch.tanh(x @ w.t() + b), y)
        loss.backward()
        opt.step()
    sd = opt.state_dict()
    runs.append({
        "w": plain(w), "b": plain(b),
        "state": {str(k): {kk: plain(vv) for kk, vv in v.items()} for k, v in sd["state"].items()},
        "param_groups": [{k: plain(v) for k, v in g.items()} for g in sd["param_groups"]],
    })

schedules = []
for case in req["schedules"]:
    p = torch.zeros(1, requires_grad=True)
    opt = make(case["optimizer"], [p], case["optimizerOptions"])
    sched = getattr(torch.optim.lr_scheduler, case["kind"])(opt, **case["python"])
    lrs, moms = [], []
    for _ in range(case["steps"]):
        lrs.append(opt.param_groups[0]["lr"])
        g = opt.param_groups[0]
        moms.append(g["betas"][0] if "betas" in g else g.get("momentum"))
        opt.step()
        sched.step()
    schedules.append({"lrs": lrs, "momentums": moms})

print(json.dumps({"runs": runs, "schedules": schedules}))
