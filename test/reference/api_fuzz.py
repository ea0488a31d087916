# Reference for scripts/soak/api_fuzz.ts (the standing API fuzzer): evaluates the PyTorch
# equivalent of the fuzzer's oracle calls with Debian's torch. One long-lived process
# (test/reference/session.ts): one JSON request per line, one JSON reply per line.
# request: {"calls": [{"id", "op", "self"?, "args", "kwargs"}]}; op is "torch.<name>" or
#          "method:<name>"; values are {"f": x | "nan" | "inf" | "-inf" | "-0"}, {"i": "digits"},
#          {"b": bool}, {"s": str}, {"l": [...]}, {"dt": dtype}, {"t": {"data", "dtype"}}, null.
# reply:   {"results": {id: {"shape", "dtype", "values"} | [...] | scalar | {"error": "..."}}}
import json
import math
import sys

import torch

torch.set_num_threads(1)


def decode(v):
    if v is None:
        return None
    if "f" in v:
        f = v["f"]
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "-0": -0.0}.get(f, f) if isinstance(f, str) else float(f)
    if "i" in v:
        return int(v["i"])
    if "b" in v:
        return bool(v["b"])
    if "s" in v:
        return v["s"]
    if "l" in v:
        return [decode(x) for x in v["l"]]
    if "dt" in v:
        return getattr(torch, v["dt"])
    if "t" in v:
        return torch.tensor(decode(v["t"]["data"]), dtype=getattr(torch, v["t"]["dtype"]))
    raise ValueError(f"unknown value {v}")


def enc_float(x):
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def encode(r):
    if isinstance(r, torch.Tensor):
        t = r.detach().reshape(-1)
        floating = t.is_floating_point()
        if t.dtype in (torch.float16, torch.bfloat16):
            t = t.float()
        vals = t.tolist()
        if floating:
            vals = [enc_float(x) for x in vals]
        elif r.dtype == torch.bool:
            vals = [int(x) for x in vals]
        else:
            vals = [str(x) for x in vals]
        return {"shape": list(r.shape), "dtype": str(r.dtype).replace("torch.", ""), "values": vals}
    if isinstance(r, (tuple, list)):
        return [encode(x) for x in r]
    if isinstance(r, float):
        return enc_float(r)
    if isinstance(r, bool) or r is None:
        return r
    if isinstance(r, int):
        return str(r)
    return repr(r)


def run(call):
    args = [decode(a) for a in call["args"]]
    kwargs = {k: decode(v) for k, v in call["kwargs"].items()}
    op = call["op"]
    if op.startswith("method:"):
        return getattr(decode(call["self"]), op[7:])(*args, **kwargs)
    return getattr(torch, op[6:])(*args, **kwargs)


def main():
    for line in sys.stdin:
        request = json.loads(line)
        results = {}
        for call in request["calls"]:
            try:
                results[call["id"]] = encode(run(call))
            except Exception as err:  # PyTorch refusing is data here: TypeError, RuntimeError, …
                results[call["id"]] = {"error": f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"}
        print(json.dumps({"results": results}), flush=True)


main()
