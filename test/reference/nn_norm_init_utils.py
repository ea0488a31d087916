# Reference for test/nn_norm_init_utils.test.ts: normalization layers, parameter containers,
# nn.init and the gradient-clipping / parameter-vector utils in Debian's torch, one process
# answering JSON lines. Modules and calls are Python expressions the test names per case.
import json
import math
import os
import sys
import traceback
import warnings

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nn_common import cotangent, enc, error_of, from_spec  # noqa: E402

torch.set_num_threads(1)
warnings.simplefilter("ignore")
SCOPE = {"nn": nn, "torch": torch, "math": math, "error_of": error_of}


def step(m, spec, dtype):
    x = from_spec(spec).to(dtype).requires_grad_()
    y = m(x)
    cot = cotangent(y.shape, y.dtype)
    y.backward(cot)
    res = {"out": enc(y), "cot": enc(cot), "x_grad": enc(x.grad),
           "param_grads": [[k, enc(p.grad)] for k, p in m.named_parameters()]}
    m.zero_grad()
    return res


def module_case(case):
    dtype = getattr(torch, case["dtype"])
    torch.manual_seed(case["seed"])
    m = eval(case["build"], SCOPE).to(dtype)
    res = {"repr": repr(m), "init": [[k, enc(v)] for k, v in m.state_dict().items()]}
    if case.get("set"):  # non-default affine parameters, so gradients are not trivially uniform
        with torch.no_grad():
            for k, spec in case["set"].items():
                m.get_parameter(k).copy_(from_spec(spec))
    res["train"] = [step(m, s, dtype) for s in case["train"]]
    res["buffers"] = [[k, enc(b)] for k, b in m.named_buffers()]
    m.eval()
    res["eval"] = [step(m, s, dtype) for s in case["eval"]]
    res["eval_buffers"] = [[k, enc(b)] for k, b in m.named_buffers()]
    return res


def init_case(case):
    t = torch.empty(case["shape"], dtype=getattr(torch, case["dtype"]))
    torch.manual_seed(case["seed"])
    out = eval(case["call"], {**SCOPE, "t": t, "init": nn.init})
    assert out is t
    return {"value": enc(t), "next": enc(torch.rand(3))}


def clip_case(case):
    """A small MLP's real gradients (float64 or float32), then a clip call on them."""
    torch.manual_seed(case["seed"])
    dtype = getattr(torch, case["dtype"])
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3)).to(dtype)
    x = torch.randn(5, 4, dtype=dtype) * case.get("scale", 1.0)
    (model(x) ** 2).sum().mul(case.get("scale", 1.0)).backward()
    params = list(model.parameters())
    for i in case.get("no_grad", []):
        params[i].grad = None
    before = [None if p.grad is None else enc(p.grad) for p in params]
    ret = eval(case["call"], {**SCOPE, "params": params, "utils": nn.utils})
    return {"shapes": [list(p.shape) for p in params], "before": before,
            "after": [None if p.grad is None else enc(p.grad) for p in params], "ret": None if ret is None else enc(ret)}


def vector_case(case):
    torch.manual_seed(case["seed"])
    model = eval(case["build"], SCOPE)
    vec = nn.utils.parameters_to_vector(model.parameters())
    new = torch.arange(vec.numel(), dtype=vec.dtype) / 7
    nn.utils.vector_to_parameters(new, model.parameters())
    return {"vec": enc(vec), "after": [[k, enc(p)] for k, p in model.named_parameters()]}


def errors(req):
    return [error_of(lambda: eval(code, SCOPE)) for code in req["codes"]]


def reprs(req):
    out = []
    for code in req["codes"]:
        torch.manual_seed(0)
        out.append(repr(eval(code, SCOPE)))
    return out


def build(req):
    """Runs each code block (statements) after manual_seed(0); reports its `m` and its `out`."""
    res = []
    for code in req["codes"]:
        torch.manual_seed(0)
        ns = dict(SCOPE)
        exec(code, ns)  # noqa: S102 - the test's own statements
        m = ns["m"]
        res.append({"state": [[k, enc(v)] for k, v in m.state_dict().items()], "repr": repr(m), "out": ns.get("out")})
    return res


def serve(handlers):
    """Answers {"cmd": name, ...} JSON lines with handlers[name]'s reply (a Python error: {"error"})."""
    reply_to, sys.stdout = sys.stdout, sys.stderr  # stray prints must not corrupt the replies
    for line in sys.stdin:
        try:
            req = json.loads(line)
            res = handlers[req["cmd"]](req)
        except Exception:  # noqa: BLE001 - the test shows the traceback
            res = {"error": traceback.format_exc()}
        reply_to.write(json.dumps(res, allow_nan=False) + "\n")
        reply_to.flush()


serve({
    "modules": lambda req: [module_case(c) for c in req["cases"]],
    "init": lambda req: [init_case(c) for c in req["cases"]],
    "clip": lambda req: [clip_case(c) for c in req["cases"]],
    "vector": lambda req: [vector_case(c) for c in req["cases"]],
    "errors": errors,
    "reprs": reprs,
    "build": build,
    "exec": lambda req: eval(req["code"], SCOPE),
})
