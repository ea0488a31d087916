# Reference for test/nn_functional.test.ts: each case's functional op in Debian's torch.
# stdin: {name: {op, kw, inputs: {n: Spec}, grad: [n...], after: [n...], seed}}.
# stdout: {name: {out, cot, grads: {n: ...}, after: {n: ...}}}: the output, the gradient
# fed to backward (cot), the input gradients, and inputs read back after the call
# (BatchNorm's running statistics, updated in place); or {error} for a case that must raise.
import json
import sys

import torch
import torch.nn.functional as F

from nn_common import cotangent, enc, error_of, from_spec, tupled

torch.set_num_threads(1)


def relu_inplace(t, kw):
    y = t["x"].mul(2)  # a non-leaf: in-place on a leaf that requires grad is an error
    out = F.relu(y, inplace=True)
    assert out is y
    return out


def softmax_like(fn):
    def run(t, kw):
        dtype = kw.pop("dtype", None)
        return fn(t["x"], dim=kw["dim"], dtype=None if dtype is None else getattr(torch, dtype))
    return run


OPS = {
    "conv2d": lambda t, kw: F.conv2d(t["x"], t["w"], t.get("b"), **kw),
    "batch_norm": lambda t, kw: F.batch_norm(t["x"], t.get("rm"), t.get("rv"), t.get("w"), t.get("b"), **kw),
    "relu": lambda t, kw: F.relu(t["x"]),
    "relu_inplace": relu_inplace,
    "max_pool2d": lambda t, kw: F.max_pool2d(t["x"], **kw),
    "avg_pool2d": lambda t, kw: F.avg_pool2d(t["x"], **kw),
    "adaptive_avg_pool2d": lambda t, kw: F.adaptive_avg_pool2d(t["x"], **kw),
    "linear": lambda t, kw: F.linear(t["x"], t["w"], t.get("b")),
    "flatten": lambda t, kw: torch.flatten(t["x"], **kw),
    "dropout": lambda t, kw: F.dropout(t["x"], **kw),
    "softmax": softmax_like(F.softmax),
    "log_softmax": softmax_like(F.log_softmax),
    "nll_loss": lambda t, kw: F.nll_loss(t["x"], t["target"], weight=t.get("weight"), **kw),
    "cross_entropy": lambda t, kw: F.cross_entropy(t["x"], t["target"], weight=t.get("weight"), **kw),
    "mse_loss": lambda t, kw: F.mse_loss(t["x"], t["target"], **kw),
}


def run_case(case):
    t = {n: from_spec(s, requires_grad=n in case["grad"]) for n, s in case["inputs"].items()}
    kw = {k: tupled(v) for k, v in case["kw"].items()}
    if case["error"]:
        return {"error": error_of(lambda: OPS[case["op"]](t, kw))}
    if case.get("seed") is not None:
        torch.manual_seed(case["seed"])
    out = OPS[case["op"]](t, kw)
    res = {"out": enc(out)}
    if case["grad"]:
        cot = cotangent(out.shape, out.dtype)
        out.backward(cot)
        res["cot"] = enc(cot)
        res["grads"] = {n: enc(t[n].grad) for n in case["grad"]}
    res["after"] = {n: enc(t[n]) for n in case.get("after", [])}
    return res


def main():
    cases = json.load(sys.stdin)
    json.dump({name: run_case(case) for name, case in cases.items()}, sys.stdout, allow_nan=False)


main()
