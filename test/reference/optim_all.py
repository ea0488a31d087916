# Reference for test/optim_all.test.ts: every torch.optim optimizer trained on the same small
# model from the inputs the test sends, its state dict, and state dicts crossing both ways.
# Requests (one JSON line each, see opinfo.serve):
#   run:  {case, model, steps, more, save}  -> params and state after `steps`, params after
#         `more` further steps; the state dict after `steps` is torch.save'd to `save`.
#   load: {case, model, params, more, file} -> loads the TS-saved state dict `file` into a fresh
#         optimizer over `params`, steps `more` times: params, and the state dict as loaded.
import torch
import torch.nn.functional as F

from nn_common import enc, from_enc, from_spec, tupled
from opinfo import serve

torch.set_num_threads(1)
TUPLES = {"betas", "etas", "step_sizes"}


def make(case, params):
    opts = {k: tupled(v) if k in TUPLES else v for k, v in case["python"].items()}
    return getattr(torch.optim, case["kind"])(params, **opts)


def model_params(model):
    return [from_spec(s, requires_grad=True) for s in model["params"]]


def loss_of(model, ps):
    if model["kind"] == "embedding":
        idx = from_spec(model["idx"])
        out = F.embedding(idx, ps[0], sparse=True)
        return F.mse_loss(out, from_spec(model["y"]))
    w1, b1, w2, b2 = ps
    x, y = from_spec(model["x"]), from_spec(model["y"])
    return F.mse_loss(torch.tanh(x @ w1.t() + b1) @ w2.t() + b2, y)


def train(case, model, opt, ps, steps):
    for _ in range(steps):
        def closure():
            opt.zero_grad()
            loss = loss_of(model, ps)
            loss.backward()
            return loss
        if case["kind"] == "LBFGS":
            opt.step(closure)
        else:
            closure()
            opt.step()


def plain(v):
    if isinstance(v, torch.Tensor):
        return enc(v)
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


def state_of(opt):
    sd = opt.state_dict()
    return {
        "state": [[int(k), [[kk, plain(vv)] for kk, vv in s.items()]] for k, s in sd["state"].items()],
        "param_groups": [[[k, plain(v)] for k, v in g.items()] for g in sd["param_groups"]],
    }


def run(req):
    ps = model_params(req["model"])
    opt = make(req["case"], ps)
    train(req["case"], req["model"], opt, ps, req["steps"])
    out = {"params": [enc(p) for p in ps], **state_of(opt)}
    torch.save(opt.state_dict(), req["save"])
    train(req["case"], req["model"], opt, ps, req["more"])
    out["after"] = [enc(p) for p in ps]
    return out


def load(req):
    ps = [from_enc(e).requires_grad_(True) for e in req["params"]]
    opt = make(req["case"], ps)
    opt.load_state_dict(torch.load(req["file"]))
    loaded = state_of(opt)
    train(req["case"], req["model"], opt, ps, req["more"])
    return {"after": [enc(p) for p in ps], **loaded}


if __name__ == "__main__":
    serve({"run": run, "load": load})
