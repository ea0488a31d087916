# Reference for test/ops.test.ts: evaluates each case's PyTorch expression with Debian's torch.
# stdin:  {"inputs": {name: {shape, dtype, data}}, "cases": [{name, py}]}
# stdout: {case name: result}, result = {shape, dtype, values} | [result, ...] (tuples) | {error}
# Every input is bound by its name; `seeded(s, fn)` is `torch.manual_seed(s); fn()`.
import json
import math
import sys

import torch

torch.set_num_threads(1)


def seeded(seed, fn):
    torch.manual_seed(seed)
    return fn()


def encode_float(v):
    # JSON has no NaN/Infinity: send them as the strings the TS side decodes.
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def encode(result):
    if isinstance(result, (tuple, list)):
        return [encode(r) for r in result]
    if not isinstance(result, torch.Tensor):
        raise TypeError(f"expression gave {type(result).__name__}, not a tensor")
    t = result.detach().cpu().reshape(-1)
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.float()  # exact: every half/bfloat16 value is a float32 value
    values = t.tolist()
    if t.is_floating_point():
        values = [encode_float(v) for v in values]
    return {
        "shape": list(result.shape),
        "dtype": str(result.dtype).replace("torch.", ""),
        "values": values,
    }


def main():
    request = json.load(sys.stdin)
    scope = {"torch": torch, "seeded": seeded}
    for name, spec in request["inputs"].items():
        dtype = getattr(torch, spec["dtype"])
        scope[name] = torch.tensor(spec["data"], dtype=dtype).reshape(spec["shape"])
    out = {}
    for case in request["cases"]:
        # Inputs are rebound per case so an in-place expression cannot leak into the next.
        env = dict(scope)
        env.update({k: v.clone() for k, v in scope.items() if isinstance(v, torch.Tensor)})
        try:
            out[case["name"]] = encode(eval(case["py"], env))
        except RuntimeError as err:
            # Only torch's own RuntimeError counts as an expected failure; anything else
            # (a typo in the expression, a TypeError) crashes the reference loudly.
            out[case["name"]] = {"error": str(err).split("\n")[0]}
    json.dump(out, sys.stdout, allow_nan=False)


main()
