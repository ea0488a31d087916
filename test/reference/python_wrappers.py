# Reference for test/python_wrappers.test.ts: calls PyTorch's Python-level functions (torch.unique,
# torch.norm, torch.stft, F.conv2d, Tensor.__radd__, ...) on the inputs the test sends.
# stdin:  {name: {fn, args, kwargs, inputs: {n: {shape, dtype, data}}, after: [n...]}}
#   fn: "torch.x", "torch.nn.functional.x" or "Tensor.x" (a method of the first argument);
#   an argument {"$in": n} is input n, {"$tuple": [...]} a tuple, {"$int": "digits"} a big int,
#   {"$dtype": name} torch.<name>.
# stdout: {name: {out, after: {n: ...}} | {error}}: out is {"t": tensor} | {"seq": [...]} | {"n": v};
#   after holds inputs read back after the call (updated in place, as batch_norm's statistics).
import json
import sys
import warnings

import torch

from nn_common import enc, error_of

torch.set_num_threads(1)
warnings.simplefilter("ignore")  # stft's return_complex notice, torch.tensor(tensor)'s copy advice


def tensor_of(spec):
    return torch.tensor(spec["data"], dtype=getattr(torch, spec["dtype"])).reshape(spec["shape"])


def decode(v, inputs):
    if isinstance(v, list):
        return [decode(x, inputs) for x in v]
    if isinstance(v, dict):
        if "$in" in v:
            return inputs[v["$in"]]
        if "$tuple" in v:
            return tuple(decode(x, inputs) for x in v["$tuple"])
        if "$int" in v:
            return int(v["$int"])
        if "$dtype" in v:
            return getattr(torch, v["$dtype"])
        return {k: decode(x, inputs) for k, x in v.items()}
    return v


def encode(v):
    if isinstance(v, torch.Tensor):
        return {"t": enc(v)}
    if isinstance(v, (tuple, list)):  # torch.Size is a tuple
        return {"seq": [encode(x) for x in v]}
    return {"n": v}


def resolve(path, args):
    if path.startswith("Tensor."):
        method = getattr(args[0], path[len("Tensor."):])
        return method, args[1:]
    target = torch
    for part in path.split(".")[1:]:
        target = getattr(target, part)
    return target, args


def run_case(case):
    inputs = {n: tensor_of(s) for n, s in case["inputs"].items()}
    fn, args = resolve(case["fn"], decode(case["args"], inputs))
    kwargs = decode(case["kwargs"], inputs)
    if case.get("error"):
        return {"error": error_of(lambda: fn(*args, **kwargs))}
    out = fn(*args, **kwargs)
    return {"out": encode(out), "after": {n: enc(inputs[n]) for n in case.get("after", [])}}


def main():
    cases = json.load(sys.stdin)
    json.dump({name: run_case(case) for name, case in cases.items()}, sys.stdout, allow_nan=False)


main()
