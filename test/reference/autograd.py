# Reference for test/autograd.test.ts: the same graphs, values and gradients in Debian's torch.
# stdin: {name: {shape, data}} float32 leaves; stdout: the results named as the TS test reads them.
import json
import sys

import torch

torch.set_num_threads(1)


def enc(t):
    t = t.detach()
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "values": t.reshape(-1).tolist()}


def leaves(spec, names):
    return [torch.tensor(spec[n]["data"], dtype=torch.float32).reshape(spec[n]["shape"]).requires_grad_() for n in names]


def error_of(fn):
    try:
        fn()
    except RuntimeError as err:
        return str(err).split("\n")[0]
    return None


def main():
    spec = json.load(sys.stdin)
    out = {}

    # Composite: matmul -> +bias -> tanh -> *scale -> sigmoid -> pow -> mean, plus exp().sum()*0.01.
    x, w, b, s = leaves(spec, ["x", "w", "b", "s"])
    h = x.matmul(w).add(b).tanh()
    h.retain_grad()
    loss = h.mul(s).sigmoid().pow(2).mean().add(x.exp().sum().mul(0.01))
    loss.backward()
    out["composite"] = {"loss": enc(loss), "h_grad": enc(h.grad),
                        "grads": {n: enc(t.grad) for n, t in zip("xwbs", [x, w, b, s])}}

    # backward(gradient) on a non-scalar output.
    x, c, g = leaves(spec, ["x", "c", "g"])
    y = x.pow(3).mul(c)
    y.backward(g.detach())
    out["explicit"] = {"y": enc(y), "x": enc(x.grad), "c": enc(c.grad)}

    # Accumulation over two backward calls through a retained graph.
    (x,) = leaves(spec, ["x"])
    loss = x.sin().mul(x).sum()
    loss.backward(retain_graph=True)
    once = x.grad.clone()
    loss.backward()
    out["accumulate"] = {"once": enc(once), "twice": enc(x.grad)}

    # A second backward through a freed graph raises.
    (x,) = leaves(spec, ["x"])
    loss = x.exp().sum()
    loss.backward()
    out["second_backward_error"] = error_of(lambda: loss.backward())

    out["int_requires_grad_error"] = error_of(lambda: torch.tensor([1, 2]).requires_grad_())

    (x,) = leaves(spec, ["x"])
    with torch.no_grad():
        in_no_grad = x.mul(2).requires_grad
        with torch.enable_grad():
            in_enable = x.mul(2).requires_grad
    # detach: no gradient flows through the detached factor, and storage is shared.
    x.mul(x.detach()).sum().backward()
    d = x.detach()
    d.mul_(2)
    out["flags"] = {"no_grad": in_no_grad, "enable_in_no_grad": in_enable, "detach": d.requires_grad}
    out["detach"] = {"grad": enc(x.grad), "after_mul_": enc(x)}
    json.dump(out, sys.stdout, allow_nan=False)


main()
