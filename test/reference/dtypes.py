# Reference for test/dtype.test.ts: what Debian's torch makes of the same values per dtype.
# stdin: {"lists": [{name, dtype, values}], "bigints": [decimal strings],
#         "sources": {dtype: values}}   (NaN/Infinity/-Infinity travel as strings)
# stdout: {"lists": {name: {tolist, hex, frombuffer}}, "bigints_hex",
#          "to": {src: {dst: {tolist, hex}}}}
import json
import math
import sys

import torch

SPECIAL_IN = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def decode(v):
    return SPECIAL_IN.get(v, v) if isinstance(v, str) else v


def encode(v):
    # tolist() output, nested; JSON cannot hold NaN/Inf so they go back as strings.
    if isinstance(v, list):
        return [encode(x) for x in v]
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    if isinstance(v, float) and math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def raw_hex(t):
    # The little-endian element bytes, as toTypedArray() exposes them.
    return bytes(t.contiguous().reshape(-1).view(torch.uint8).tolist()).hex()


def make(values, dtype_name):
    return torch.tensor([decode(v) for v in values] if not isinstance(values[0], list)
                        else [[decode(v) for v in row] for row in values], dtype=getattr(torch, dtype_name))


def main():
    req = json.load(sys.stdin)
    out = {"lists": {}, "to": {}}
    for case in req["lists"]:
        dtype = getattr(torch, case["dtype"])
        t = make(case["values"], case["dtype"])
        raw = bytearray.fromhex(raw_hex(t))
        out["lists"][case["name"]] = {
            "tolist": encode(t.tolist()),
            "hex": raw_hex(t),
            "frombuffer": encode(torch.frombuffer(raw, dtype=dtype).tolist()),
        }
    out["bigints_hex"] = raw_hex(torch.tensor([int(s) for s in req["bigints"]], dtype=torch.int64))
    for src, values in req["sources"].items():
        t = make(values, src)
        out["to"][src] = {}
        for dst in req["sources"]:
            r = t.to(getattr(torch, dst))
            out["to"][src][dst] = {"tolist": encode(r.tolist()), "hex": raw_hex(r)}
    json.dump(out, sys.stdout, allow_nan=False)


main()
