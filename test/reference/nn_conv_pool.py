# Reference for test/nn_conv_pool.test.ts: torch.nn's convolution and pooling modules built in
# Debian's torch from the same case table the TS test builds them from. One long-lived process
# (test/reference/session.ts): one JSON request per line on stdin, one JSON reply per line.
#   {"cmd": "modules", "cases": {name: case}} -> {name: {repr, state, out, cot, x_grad, param_grads}}
#   {"cmd": "errors", "cases": {name: case}} -> {name: message or None}
#   {"cmd": "functional", "cases": {name: {fn, args, kw}}} -> {name: output(s)} (a tensor arg is {"spec": Spec})
# A case: {cls, args, kw (camelCase keys), dtype, x (Spec), seed, samples?, forward_kw?, unpool?}.
import json
import re
import sys
import traceback

import torch
from torch import nn

from nn_common import cotangent, enc, error_of, from_spec, tupled

torch.set_num_threads(1)

DTYPES = {"float32": torch.float32, "float64": torch.float64}
FACTORY = {"Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"}


def snake(name):
    return "_random_samples" if name == "randomSamples" else re.sub(r"[A-Z]", lambda m: "_" + m.group(0).lower(), name)


def build(case):
    dtype = DTYPES[case["dtype"]]
    kw = {snake(k): tupled(v) for k, v in case["kw"].items()}
    if case.get("samples") is not None:
        kw["_random_samples"] = from_spec(case["samples"]).to(dtype)
    if case["cls"] in FACTORY:
        kw["dtype"] = dtype
    torch.manual_seed(case["seed"])
    return getattr(nn, case["cls"])(*[tupled(a) for a in case["args"]], **kw)


def run(case):
    dtype = DTYPES[case["dtype"]]
    m = build(case)
    res = {"repr": repr(m), "state": [[k, enc(v)] for k, v in m.state_dict().items()]}
    x = from_spec(case["x"]).to(dtype).requires_grad_(True)
    fkw = {snake(k): v for k, v in (case.get("forward_kw") or {}).items()}
    torch.manual_seed(case["seed"] + 1)
    if case.get("unpool") is not None:
        # MaxUnpool undoes the MaxPool of the same sizes: its input is that pool's (output, indices).
        pool = getattr(nn, case["cls"].replace("Unpool", "Pool"))(*[tupled(a) for a in case["unpool"]], return_indices=True)
        pooled, indices = pool(x)
        res["pooled"] = [enc(pooled), enc(indices)]
        out = m(pooled, indices, **fkw)
    else:
        out = m(x, **fkw)
    if isinstance(out, tuple):
        res["out"] = [enc(out[0]), enc(out[1])]
        out = out[0]
    else:
        res["out"] = enc(out)
    cot = cotangent(out.shape, out.dtype)
    out.backward(cot)
    res.update(cot=enc(cot), x_grad=enc(x.grad), param_grads=[[k, enc(p.grad)] for k, p in m.named_parameters()])
    return res


def error_case(case):
    def go():
        m = build(case)
        x = from_spec(case["x"]).to(DTYPES[case["dtype"]])
        m(x, **{snake(k): v for k, v in (case.get("forward_kw") or {}).items()})
    return error_of(go)


def value(v):
    return from_spec(v["spec"]) if isinstance(v, dict) and "spec" in v else tupled(v)


def functional(case):
    out = getattr(torch.nn.functional, case["fn"])(*[value(a) for a in case["args"]], **{snake(k): value(v) for k, v in case["kw"].items()})
    return [enc(t) for t in out] if isinstance(out, tuple) else enc(out)


HANDLERS = {
    "functional": lambda req: {name: functional(c) for name, c in req["cases"].items()},
    "modules": lambda req: {name: run(c) for name, c in req["cases"].items()},
    "errors": lambda req: {name: error_case(c) for name, c in req["cases"].items()},
}

if __name__ == "__main__":
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
