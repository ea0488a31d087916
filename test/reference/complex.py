# Reference for test/complex.test.ts: complex64 / complex128 as Debian's torch computes,
# prints, saves and loads them. One long-lived process (test/reference/session.ts): a JSON
# request per line on stdin, one JSON reply per line on stdout ({"error": traceback} on failure).
# Tensors cross as {"dtype", "shape", "hex"}: the contiguous little-endian element bytes (for a
# complex tensor, its view_as_real bytes: re, im per element), so NaN, -0.0 and every bit travel.
#   {"cmd": "repr", "cases": [{name, t, conj?, requiresGrad?, options?}]} -> {name: repr(t)}
#   {"cmd": "ops", "inputs": {name: enc}} -> {name: enc | [enc...] | {"item": [re, im]} | ...}
#   {"cmd": "grad", "inputs": {name: enc}} -> {case: {input: enc grad}}
#   {"cmd": "save", "dir"} -> {file: {key: enc}}: checkpoints written by torch.save
#   {"cmd": "inspect", "file"} -> {key: enc + requiresGrad}: a torch-ts checkpoint as torch.load reads it
#   {"cmd": "safetensors", "file"} -> {key: enc}: a torch-ts safetensors file, parsed by the spec
#   {"cmd": "opinfo_encode", "inputs": {name: enc}} -> {name: the value as opinfo.py encodes it}
#   {"cmd": "module", "inputs": {x, weight, bias}} -> {"dtypes": state_dict dtypes after .to(complex64), "linear"}
import base64
import collections
import json
import os
import struct
import sys
import traceback
import warnings

import torch

torch.set_num_threads(1)
warnings.filterwarnings("ignore")  # "Casting complex values to real discards the imaginary part"


def dec(e):
    dtype = getattr(torch, e["dtype"])
    raw = bytearray.fromhex(e["hex"])
    if dtype.is_complex:
        part = torch.float32 if dtype == torch.complex64 else torch.float64
        flat = torch.frombuffer(raw, dtype=part).clone() if raw else torch.empty(0, dtype=part)
        return torch.view_as_complex(flat.reshape(-1, 2)).reshape(e["shape"])
    flat = torch.frombuffer(raw, dtype=dtype).clone() if raw else torch.empty(0, dtype=dtype)
    return flat.reshape(e["shape"])


def enc(t):
    flat = t.detach().resolve_conj().resolve_neg().reshape(-1).contiguous()
    if flat.is_complex():
        flat = torch.view_as_real(flat)
    return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "hex": flat.numpy().tobytes().hex()}


def reprs(req):
    out = {}
    for case in req["cases"]:
        t = dec(case["t"])
        if case.get("conj"):
            t = t.conj()
        if case.get("requiresGrad"):
            t.requires_grad_(True)
        opts = case.get("options") or {}
        torch.set_printoptions(**opts)
        try:
            out[case["name"]] = repr(t)
        finally:
            torch.set_printoptions(profile="default")
            torch.set_printoptions(sci_mode=None)
    return out


def pair(c):
    return [c.real, c.imag]


def ops(req):
    i = {k: dec(v) for k, v in req["inputs"].items()}
    x, c, c2, a, re, im = i["x"], i["c"], i["c2"], i["a"], i["re"], i["im"]
    evals, evecs = torch.linalg.eig(a)
    torch.manual_seed(0)
    randn = torch.randn(3, 2, dtype=torch.complex64)
    torch.manual_seed(0)
    randn128 = torch.randn(5, dtype=torch.complex128)
    torch.manual_seed(0)
    rand = torch.rand(4, dtype=torch.complex64)
    res = {
        "fft": torch.fft.fft(x), "rfft": torch.fft.rfft(x), "ifft": torch.fft.ifft(c), "fft2": torch.fft.fft2(c2),
        "irfft": torch.fft.irfft(torch.fft.rfft(x)), "complex": torch.complex(re, im), "polar": torch.polar(re.abs(), im),
        "viewAsComplex": torch.view_as_complex(torch.stack([re, im], -1)), "viewAsReal": torch.view_as_real(c),
        "eigvals": evals, "eigvecs": evecs, "linalgEigvals": torch.linalg.eigvals(a),
        "abs": c.abs(), "angle": c.angle(), "real": torch.real(c), "imag": torch.imag(c), "conj": c.conj(),
        "mul": c * c, "matmul": c2 @ c2, "sum": c.sum(), "exp": c.exp(), "sqrt": c.sqrt(), "div": c / c.flip(0),
        "zeros": torch.zeros(2, 3, dtype=torch.complex64), "ones": torch.ones(2, dtype=torch.complex128),
        "full": torch.full((2,), complex(1.5, -2)), "randn": randn, "randn128": randn128, "rand": rand,
        "to128": c.to(torch.complex128), "fromReal": x.to(torch.complex64), "toReal": c.to(torch.float32),
        "cat": torch.cat([c, c.conj()]), "index": c2[1], "transpose": c2.t().contiguous(),
    }
    out = {k: enc(v) for k, v in res.items()}
    out["item"] = pair(c.sum().item())
    out["tolist"] = [pair(v) for v in c.tolist()]
    return out


def grads(req):
    i = {k: dec(v) for k, v in req["inputs"].items()}
    out = {}

    x = i["x"].clone().requires_grad_()
    torch.view_as_real(torch.fft.fft(x)).sum().backward()
    out["fftSum"] = {"x": enc(x.grad)}

    x = i["x"].clone().requires_grad_()
    (torch.view_as_real(torch.fft.rfft(x)) * i["w"]).sum().backward()
    out["rfftWeighted"] = {"x": enc(x.grad)}

    z = i["c"].clone().requires_grad_()
    (z * z).abs().sum().backward()
    out["complexLeaf"] = {"z": enc(z.grad)}

    re, im = i["re"].clone().requires_grad_(), i["im"].clone().requires_grad_()
    torch.complex(re, im).exp().abs().sum().backward()
    out["complexOf"] = {"re": enc(re.grad), "im": enc(im.grad)}

    r, th = i["re"].abs().clone().requires_grad_(), i["im"].clone().requires_grad_()
    (torch.view_as_real(torch.polar(r, th)) * i["w2"]).sum().backward()
    out["polar"] = {"r": enc(r.grad), "th": enc(th.grad)}

    z = i["c"].clone().requires_grad_()
    torch.real(z.conj() * i["c"]).sum().backward()
    out["conjReal"] = {"z": enc(z.grad)}
    return out


def make_checkpoint():
    torch.manual_seed(5)
    c64 = torch.randn(3, 4, dtype=torch.complex64)
    return collections.OrderedDict(
        c64=c64, c128=torch.randn(5, dtype=torch.complex128), view=c64[1:, ::2], scalar=torch.tensor(2.5 - 1j),
        param=torch.nn.Parameter(torch.randn(2, dtype=torch.complex64)), real=torch.randn(3),
    )


def save(req):
    out = {}
    for name, legacy in (("complex.pth", False), ("complex_legacy.pt", True)):
        ck = make_checkpoint()
        path = os.path.join(req["dir"], name)
        torch.save(ck, path, _use_new_zipfile_serialization=not legacy)
        out[name] = {"file": path, "tensors": {k: dict(enc(v), requiresGrad=v.requires_grad) for k, v in ck.items()},
                     "shared": ck["view"].storage().data_ptr() == ck["c64"].storage().data_ptr()}
    return out


def inspect(req):
    ck = torch.load(req["file"], weights_only=True)
    out = {k: dict(enc(v), requiresGrad=v.requires_grad, isConj=bool(v.is_conj())) for k, v in ck.items()}
    if "c64" in ck and "view" in ck:
        out["_shared"] = ck["view"].storage().data_ptr() == ck["c64"].storage().data_ptr()
    return out


SAFETENSORS_DTYPES = {"C64": torch.complex64, "F32": torch.float32, "F64": torch.float64, "I64": torch.int64}


def safetensors(req):
    # Parsed by the format's spec (Debian has no safetensors package): u64 header length,
    # JSON header, then each tensor's little-endian bytes at its data_offsets.
    with open(req["file"], "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = SAFETENSORS_DTYPES[info["dtype"]]
        t = torch.frombuffer(bytearray(body[begin:end]), dtype=dtype).reshape(info["shape"])
        out[name] = dict(enc(t), code=info["dtype"], begin=begin)
    return out


def opinfo_encode(req):
    # The encoding of test/reference/opinfo.py's enc_tensor for a complex tensor.
    out = {}
    for name, e in req["inputs"].items():
        t = dec(e)
        flat = torch.view_as_real(t.reshape(-1).contiguous())
        out[name] = {"$t": str(t.dtype).replace("torch.", ""), "shape": list(t.shape),
                     "data": base64.b64encode(flat.numpy().tobytes()).decode("ascii"), "requiresGrad": False}
    return out


def module(req):
    # Module.to(complex64): which entries change dtype, and a complex Linear's forward.
    m = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2)).to(torch.complex64)
    i = {k: dec(v) for k, v in req["inputs"].items()}
    y = torch.nn.functional.linear(i["x"], i["weight"], i["bias"])
    return {"dtypes": {k: str(v.dtype).replace("torch.", "") for k, v in m.state_dict().items()}, "linear": enc(y)}


COMMANDS = {"repr": reprs, "ops": ops, "grad": grads, "save": save, "inspect": inspect, "safetensors": safetensors,
            "opinfo_encode": opinfo_encode, "module": module}


def main():
    for line in sys.stdin:
        req = json.loads(line)
        try:
            res = COMMANDS[req["cmd"]](req)
        except Exception:  # noqa: BLE001
            res = {"error": traceback.format_exc()}
        sys.stdout.write(json.dumps(res, allow_nan=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
