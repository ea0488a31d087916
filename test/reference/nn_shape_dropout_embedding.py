# Reference for test/nn_shape_dropout_embedding.test.ts: padding, upsampling, pixel shuffle,
# fold/unfold, channel shuffle, unflatten, the dropout family and embeddings in Debian's torch.
# Serves JSON lines: {"cmd": "cases", "cases": [...]} builds each module from its
# Python expression under torch.manual_seed(seed) and returns repr, the initial state_dict, the
# forward (seed + 1 before it, for the random ones), the gradients and the state after;
# {"cmd": "rejects", "exprs": [...]} returns the message each expression raises (None if none).
import json
import os
import sys
import traceback

import torch
from torch import nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from nn_common import cotangent, enc, error_of, from_spec  # noqa: E402

torch.set_num_threads(1)


def dense(g):
    return None if g is None else enc(g.to_dense() if g.is_sparse else g)


def run_case(c):
    tensors = {k: from_spec(v) for k, v in c.get("tensors", {}).items()}
    torch.manual_seed(c["seed"])
    m = eval(c["py"], {"nn": nn, "torch": torch, "F": F, **tensors})  # noqa: S307 - the test's own expressions
    res = {"repr": repr(m), "init": [[k, enc(v)] for k, v in m.state_dict().items()]}
    f64 = c.get("dtype") == "float64"
    if f64:
        m = m.double()
    m.train(c.get("train", True))
    grad = c.get("grad", True)
    xs = []
    for s in c["inputs"]:
        t = from_spec(s)
        if t.is_floating_point():
            t = (t.double() if f64 else t).requires_grad_(grad)
        xs.append(t)
    args = [x.clone() if c.get("clone") and x.is_floating_point() else x for x in xs]
    torch.manual_seed(c["seed"] + 1)
    out = m(*args)
    res["out"] = enc(out)
    if grad and out.requires_grad:
        cot = cotangent(out.shape, out.dtype)
        out.backward(cot)
        res["cot"] = enc(cot)
        res["x_grads"] = [dense(x.grad) if x.is_floating_point() else None for x in xs]
        res["param_grads"] = [[k, dense(p.grad)] for k, p in m.named_parameters()]
    res["after"] = [[k, enc(v)] for k, v in m.state_dict().items()]
    return res


def sparse_sgd(req):
    """Embedding(sparse=True) trained by SGD with momentum on the sparse weight gradient."""
    torch.manual_seed(req["seed"])
    m = nn.Embedding(10, 3, sparse=True)
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    for batch in req["batches"]:
        opt.zero_grad()
        m(from_spec(batch)).pow(2).sum().backward()
        opt.step()
    return enc(m.weight)


def rejects(req):
    ns = {"nn": nn, "torch": torch, "F": F}
    return [error_of(lambda e=e: eval(e, ns)) for e in req["exprs"]]  # noqa: S307


def serve(handlers):
    """opinfo.serve's loop, without importing op_db (seconds of start-up this file does not need)."""
    reply_to, sys.stdout = sys.stdout, sys.stderr
    for line in sys.stdin:
        try:
            req = json.loads(line)
            res = handlers[req["cmd"]](req)
        except Exception:  # noqa: BLE001
            res = {"error": traceback.format_exc()}
        reply_to.write(json.dumps(res, allow_nan=False) + "\n")
        reply_to.flush()


serve({
    "cases": lambda req: [run_case(c) for c in req["cases"]],
    "sparse_sgd": sparse_sgd,
    "rejects": lambda req: [None if m is None else str(m) for m in rejects(req)],
})
