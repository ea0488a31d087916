# Reference for test/nn_activation_loss.test.ts: activation, loss, distance and Bilinear
# modules of Debian's torch 1.13 built from the same case descriptions the TS side reads.
# One long-lived process (test/reference/session.ts): a JSON request per stdin line, a JSON reply
# per stdout line; {"error": traceback} is a failed request.
#   {"cmd": "cases", "cases": [Case]} -> [{repr, state, outs, cot, input_grads, param_grads} | {error}]
#   {"cmd": "errors", "cases": [Case]} -> [message | None]  (what Python raises building and running it)
# Case: {cls, args, kwargs (camelCase keys), inputs: [Input], dtype, train, seed, method?}.
# Values in args/kwargs: JSON, or {"$t": Input} a tensor, {"$fn": name} a distance function,
# {"$module": cls, "args", "kwargs"} a module. Input: {kind: "float"|"int"|"list", shape, data,
# grad?, clone?}: float data are float32-exact, cast to the case's dtype.
import inspect
import json
import re
import sys
import traceback

import torch
from torch import nn
import torch.nn.functional as F

from nn_common import cotangent, enc, error_of

torch.set_num_threads(1)

DTYPES = {"float32": torch.float32, "float64": torch.float64}
FUNCTIONS = {
    "cosine": lambda a, b: 1 - F.cosine_similarity(a, b),
    "l1": lambda a, b: (a - b).abs().sum(-1),
}


def snake(name):
    return re.sub(r"[A-Z]", lambda m: "_" + m.group(0).lower(), name)


def make_input(spec, dtype):
    if spec["kind"] == "list":
        return list(spec["data"])
    if spec["kind"] == "int":
        return torch.tensor(spec["data"], dtype=torch.int64).reshape(spec["shape"])
    t = torch.tensor(spec["data"], dtype=torch.float32).reshape(spec["shape"]).to(dtype)
    return t.requires_grad_(bool(spec.get("grad")))


def value(v, dtype):
    if isinstance(v, dict):
        if "$t" in v:
            return make_input(v["$t"], dtype)
        if "$fn" in v:
            return FUNCTIONS[v["$fn"]]
        if "$module" in v:
            return build({"cls": v["$module"], "args": v.get("args", []), "kwargs": v.get("kwargs", {})}, dtype)
        return {k: value(x, dtype) for k, x in v.items()}
    if isinstance(v, list):
        return [value(x, dtype) for x in v]
    return v


def as_annotated(cls, args, kwargs):
    """A JSON number for a parameter Python annotates `float` becomes a float, as a Python user
    writes it (ELU(alpha=2.0)): JSON cannot say 2.0, and the repr shows the difference."""
    try:
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    except (TypeError, ValueError):
        return args, kwargs
    floats = {p.name for p in params if p.annotation is float}
    names = [p.name for p in params]
    fix = lambda n, v: float(v) if n in floats and type(v) is int else v
    args = [fix(names[i], v) if i < len(names) else v for i, v in enumerate(args)]
    return args, {k: fix(k, v) for k, v in kwargs.items()}


def build(case, dtype):
    args = [value(a, dtype) for a in case["args"]]
    kwargs = {snake(k): value(v, dtype) for k, v in case["kwargs"].items()}
    cls = getattr(nn, case["cls"])
    args, kwargs = as_annotated(cls, args, kwargs)
    return cls(*args, **kwargs)


def tensors_of(result):
    return list(result) if isinstance(result, tuple) else [result]


def run_case(case):
    dtype = DTYPES[case["dtype"]]
    torch.manual_seed(case["seed"])
    m = build(case, dtype)
    if dtype == torch.float64:
        m = m.double()
    m.train(case["train"])
    res = {"repr": repr(m), "state": [[k, enc(v)] for k, v in m.state_dict().items()]}
    leaves = [make_input(s, dtype) for s in case["inputs"]]
    args = [x.clone() if s.get("clone") else x for x, s in zip(leaves, case["inputs"])]
    torch.manual_seed(case["seed"] + 1)
    fn = getattr(m, case["method"]) if case.get("method") else m
    outs = tensors_of(fn(*args))
    res["outs"] = [enc(o) for o in outs]
    diff = [o for o in outs if o.requires_grad]
    cots = [cotangent(o.shape, o.dtype) for o in diff]
    res["cot"] = [enc(c) for c in cots]
    if diff:
        sum((o * c).sum() for o, c in zip(diff, cots)).backward()
    res["input_grads"] = [enc(x.grad) if isinstance(x, torch.Tensor) and x.grad is not None else None for x in leaves]
    res["param_grads"] = [[k, enc(p.grad) if p.grad is not None else None] for k, p in m.named_parameters()]
    return res


def safe(fn, case):
    try:
        return fn(case)
    except Exception:  # noqa: BLE001 - reported per case, so one bad case names itself
        return {"error": traceback.format_exc()}


def error_case(case):
    def go():
        dtype = DTYPES[case["dtype"]]
        m = build(case, dtype)
        fn = getattr(m, case["method"]) if case.get("method") else m
        fn(*[make_input(s, dtype) for s in case["inputs"]])
    msg = error_of(go)
    return None if msg is None else str(msg)


HANDLERS = {
    "cases": lambda req: [safe(run_case, c) for c in req["cases"]],
    "errors": lambda req: [error_case(c) for c in req["cases"]],
}


def serve():
    reply_to = sys.stdout
    sys.stdout = sys.stderr  # stray prints must not corrupt the JSON lines
    for line in sys.stdin:
        try:
            req = json.loads(line)
            res = HANDLERS[req["cmd"]](req)
        except Exception:  # noqa: BLE001
            res = {"error": traceback.format_exc()}
        reply_to.write(json.dumps(res, allow_nan=False) + "\n")
        reply_to.flush()


if __name__ == "__main__":
    import warnings
    warnings.simplefilter("ignore")  # the deprecated size_average/reduce and implicit dims warn by design
    serve()
