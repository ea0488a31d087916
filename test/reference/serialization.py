# Reference for test/serialization.test.ts: one long-lived process that answers JSON-line
# requests on stdin with JSON lines on stdout (test/reference/session.ts drives it).
#   {"cmd": "generate", "dir": D}  -> writes Python checkpoints into D; returns {case: {file, expect}}
#   {"cmd": "inspect", "files": [{"name", "path", "kind"}]} -> how PyTorch reads files TS wrote
# `describe` is the common language: a JSON tree of every value (tensors as dtype, shape,
# stride, offset, requires_grad, storage group, SHA-256 of their elements).
import collections
import hashlib
import io
import json
import math
import os
import pickle
import pickletools
import struct
import sys
import traceback
import types
import zipfile

import torch
import torchvision

torch.set_num_threads(1)
DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def tensor_sha(t):
    flat = t.detach().reshape(-1).contiguous()
    return hashlib.sha256(flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b"").hexdigest()


def storage_ptr(t):
    get = getattr(t, "untyped_storage", None)
    s = get() if get is not None else t.storage()
    return s.data_ptr(), s.nbytes()


def describe(v, groups):
    """groups: data_ptr -> group number, in order of first appearance (shared storages)."""
    if isinstance(v, torch.Tensor):
        ptr, nbytes = storage_ptr(v)
        group = None
        if nbytes > 0:
            group = groups.setdefault(ptr, len(groups))
        return {"t": "tensor", "dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape),
                "stride": list(v.stride()), "offset": v.storage_offset(), "requires_grad": v.requires_grad,
                "storage": group, "storage_nbytes": nbytes, "sha256": tensor_sha(v)}
    if isinstance(v, collections.OrderedDict):
        out = {"t": "odict", "items": [[describe(k, groups), describe(x, groups)] for k, x in v.items()]}
        if hasattr(v, "_metadata"):
            out["metadata"] = describe(v._metadata, groups)
        return out
    if isinstance(v, dict):
        return {"t": "dict", "items": [[describe(k, groups), describe(x, groups)] for k, x in v.items()]}
    if isinstance(v, list):
        return {"t": "list", "items": [describe(x, groups) for x in v]}
    if isinstance(v, tuple):
        return {"t": "tuple", "items": [describe(x, groups) for x in v]}
    if isinstance(v, bool):
        return {"t": "bool", "v": v}
    if isinstance(v, int):
        return {"t": "int", "v": str(v)}
    if isinstance(v, float):
        return {"t": "float", "v": v if math.isfinite(v) else repr(v)}
    if isinstance(v, str):
        return {"t": "str", "v": v}
    if isinstance(v, (bytes, bytearray)):
        return {"t": "bytes", "hex": bytes(v).hex()}
    if v is None:
        return {"t": "none"}
    if isinstance(v, (torch.device, torch.dtype)):
        # torch-ts reads them as strings: "cpu", "cuda:0", "float16".
        return {"t": "str", "v": str(v).replace("torch.", "")}
    raise TypeError(f"describe: unexpected {type(v)}")


def desc(v):
    return describe(v, {})


def special_floats(t):
    if t.dtype.is_floating_point and t.numel() >= 4:
        flat = t.view(-1)
        flat[0], flat[1], flat[2] = math.nan, math.inf, -math.inf
    return t


def make_dtypes():
    torch.manual_seed(1)
    out = collections.OrderedDict()
    for name in DTYPES:
        dt = getattr(torch, name)
        if dt.is_floating_point:
            t = special_floats((torch.randn(3, 4) * 100).to(dt))
        elif dt == torch.bool:
            t = torch.randn(3, 4) > 0
        else:
            info = torch.iinfo(dt)
            t = torch.randint(info.min, info.max, (3, 4), dtype=dt)
            t.view(-1)[0], t.view(-1)[1] = info.min, info.max
        out[name] = t
    return out


def make_views():
    base = torch.arange(48, dtype=torch.float32).reshape(6, 8)
    return collections.OrderedDict(
        base=base, t=base.t(), slice=base[1:5:2, 2:7], row=base[3], col=base[:, 5],
        expanded=base[0:1].expand(4, 8), tail=base.view(-1)[40:], diag=base.diagonal(),
    )


def make_scalars():
    torch.manual_seed(2)
    return {"scalar": torch.tensor(3.5), "scalar_int": torch.tensor(7), "scalar_bf16": torch.tensor(-1.25, dtype=torch.bfloat16),
            "empty": torch.empty(0), "empty2d": torch.zeros(3, 0, dtype=torch.int64), "one": torch.ones(1, 1, 1)}


def make_nested():
    torch.manual_seed(3)
    shared = torch.randn(4, 5)
    return {
        "epoch": 5, "best_acc": 0.9312, "lr": 1e-3, "nan": math.nan, "inf": -math.inf,
        "name": "héllo ☃ 𝄞", "flag": True, "nothing": None, "big": 2 ** 70, "neg": -(2 ** 40), "negsmall": -5,
        "bytes": b"\x00\xffabc", "size": torch.Size([2, 3]), "device": torch.device("cpu"), "cuda_device": torch.device("cuda", 1), "dtype": torch.float16,
        "int_keys": {0: "a", 1: "b", -1: "c", 2 ** 40: "d", 300: "e"},
        "tuple_key": {(1, 2): "pair"},
        "nested": {"list": [1, 2.5, "three", None, True, (4, 5), [shared, {"x": shared[1]}]], "tuple": (shared.t(), 3)},
        "param": torch.nn.Parameter(torch.randn(3)),
        "grad_tensor": torch.randn(2).requires_grad_(),
        "long_list": list(range(2500)),
    }


def make_model():
    torch.manual_seed(4)
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 5))


def make_optimizer_state():
    model = make_model()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(2):
        opt.zero_grad()
        model(torch.randn(2, 3, 8, 8)).sum().backward()
        opt.step()
    return model, opt


def rezip(src, dst, prefix, mutate=lambda name, data: data, extra=(), compression=zipfile.ZIP_STORED, zip64=False, rename=None):
    """Rewrites a torch.save zip with Python's zipfile: another writer, prefix and options.
    zip64: every size and offset goes through zip64 fields (zipfile's limit lowered)."""
    limit = zipfile.ZIP64_LIMIT
    if zip64:
        zipfile.ZIP64_LIMIT = 16
    try:
        _rezip(src, dst, prefix, mutate, extra, compression, zip64, rename)
    finally:
        zipfile.ZIP64_LIMIT = limit


def _rezip(src, dst, prefix, mutate, extra, compression, zip64, rename):
    replaced = {name for name, _ in extra}  # newer PyTorch writes byteorder and .data/serialization_id itself
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            name = info.filename.split("/", 1)[1]
            if name in replaced:
                continue
            data = mutate(name, zin.read(info))
            if rename and name in rename:
                name = rename[name]
            with zout.open(zipfile.ZipInfo(f"{prefix}/{name}"), "w", force_zip64=zip64) as f:
                f.write(data)
        for name, data in extra:
            zout.writestr(zipfile.ZipInfo(f"{prefix}/{name}"), data, compress_type=compression)
    if compression != zipfile.ZIP_STORED:  # recompress every record
        tmp = dst + ".tmp"
        with zipfile.ZipFile(dst) as zin, zipfile.ZipFile(tmp, "w", compression=compression) as zout:
            for info in zin.infolist():
                zout.writestr(info.filename, zin.read(info), compress_type=compression)
        os.replace(tmp, dst)


def generate(d, small=False):
    cases = {}

    def save(name, obj, legacy=False, expect=None, protocol=2):
        path = os.path.join(d, name)
        torch.save(obj, path, _use_new_zipfile_serialization=not legacy, pickle_protocol=protocol)
        cases[name] = {"file": path, "expect": desc(obj if expect is None else expect)}
        return path

    dtypes = make_dtypes()
    save("dtypes.pth", dtypes)
    save("dtypes_legacy.pt", dtypes, legacy=True)
    views = make_views()
    save("views.pth", views)
    save("views_legacy.pt", views, legacy=True)
    views["slice"].mul_(10)  # what the test does to its loaded copy
    cases["views_after_mul"] = {"expect": desc(views)}
    save("scalars.pth", make_scalars())
    save("scalars_legacy.pt", make_scalars(), legacy=True)
    nested = make_nested()
    save("nested.pth", nested)
    save("nested_legacy.pt", nested, legacy=True)
    save("nested_proto4.pth", nested, protocol=4)  # FRAME, SHORT_BINUNICODE, STACK_GLOBAL, MEMOIZE
    save("nested_proto5.pth", nested, protocol=5)
    model, opt = make_optimizer_state()
    save("optimizer.pth", opt.state_dict())
    save("model.pth", model.state_dict())
    save("checkpoint.pth", {"epoch": 2, "model_state_dict": model.state_dict(), "optimizer_state_dict": opt.state_dict(), "best_acc": 0.5})
    ddp = collections.OrderedDict(("module." + k, v) for k, v in model.state_dict().items())
    ddp._metadata = collections.OrderedDict(("module" + ("." + k if k else ""), v) for k, v in model.state_dict()._metadata.items())
    save("ddp.pth", {"state_dict": ddp})
    cases["model_metadata"] = {"expect": desc(model.state_dict())}
    if not small:
        torch.manual_seed(5)
        save("resnet50.pth", torchvision.models.resnet50().state_dict())

    # The same bytes through other zip writers and layouts PyTorch also reads.
    order = list(dtypes.values())  # storage key i holds the i-th tensor here

    def big_endian(name, data):
        if name.startswith("data/"):
            t = order[int(name[5:])]
            size = t.element_size()
            return bytes(torch.frombuffer(bytearray(data), dtype=torch.uint8).reshape(-1, size).flip(1).reshape(-1).tolist()) if data else data
        return data

    src = os.path.join(d, "dtypes.pth")
    rezip(src, os.path.join(d, "dtypes_bigendian.pth"), "be_archive", big_endian, extra=[("byteorder", b"big")])
    cases["dtypes_bigendian.pth"] = {"file": os.path.join(d, "dtypes_bigendian.pth"), "expect": cases["dtypes.pth"]["expect"]}
    rezip(os.path.join(d, "nested.pth"), os.path.join(d, "nested_deflated.pth"), "renamed", compression=zipfile.ZIP_DEFLATED,
          extra=[("extra/notes.txt", b"ignored"), (".data/serialization_id", b"1234")], rename={"version": ".data/version"})
    cases["nested_deflated.pth"] = {"file": os.path.join(d, "nested_deflated.pth"), "expect": cases["nested.pth"]["expect"]}
    rezip(os.path.join(d, "views.pth"), os.path.join(d, "views_zip64.pth"), "z64", zip64=True)
    cases["views_zip64.pth"] = {"file": os.path.join(d, "views_zip64.pth"), "expect": cases["views.pth"]["expect"]}
    buf = io.BytesIO()
    torch.save(views, buf)
    with open(os.path.join(d, "bytesio.bin"), "wb") as f:
        f.write(buf.getvalue())
    cases["bytesio.bin"] = {"file": os.path.join(d, "bytesio.bin"), "expect": desc(views)}

    # A checkpoint saved "on CUDA": the location tag is what torch.load sees.
    real_tag = torch.serialization.location_tag
    torch.serialization.location_tag = lambda storage: "cuda:0"
    try:
        save("cuda_tagged.pth", collections.OrderedDict(w=torch.arange(4.0)))
    finally:
        torch.serialization.location_tag = real_tag

    # Layout reference for the writer: a simple state dict, and its records.
    torch.manual_seed(6)
    simple = collections.OrderedDict(weight=torch.randn(3, 4), bias=torch.randn(3), steps=torch.tensor(7))
    save("simple.pth", simple)
    return cases


class StrictUnpickler(pickle.Unpickler):
    """weights_only's allowlist with the stock unpickler: torch 1.13's weights-only
    unpickler lacks BINFLOAT, so files holding Python floats need this to be checked."""

    def find_class(self, module, name):
        allowed = torch._weights_only_unpickler._get_allowed_globals()
        full = f"{module}.{name}"
        if full in allowed:
            return allowed[full]
        raise pickle.UnpicklingError(f"global {full} is not allowed")


STRICT = types.SimpleNamespace(__name__="strict_pickle", Unpickler=StrictUnpickler, load=None)


def globals_in(path):
    with zipfile.ZipFile(path) as z:
        pkl = next(n for n in z.namelist() if n.endswith("/data.pkl"))
        data = z.read(pkl)
    names = set()
    for op, arg, _ in pickletools.genops(data):
        if op.name == "GLOBAL":
            names.add(arg.replace(" ", "."))
    return sorted(names)


def inspect_torch(path):
    try:
        obj = torch.load(path, weights_only=True)
        loader = "weights_only"
    except Exception as e:  # noqa: BLE001
        if "Unsupported operand 71" not in str(e):  # 71 = BINFLOAT
            raise
        obj = torch.load(path, pickle_module=STRICT)
        loader = "strict"
    allowed = set(torch._weights_only_unpickler._get_allowed_globals())
    # bytes: protocol 2 pickles them as _codecs.encode(text, "latin1"), which PyTorch 2.x's
    # weights-only list allows (a device run loads such files with weights_only=True on 2.11).
    # torch 1.13's list predates it: that version refuses bytes in any encoding.
    allowed.add("_codecs.encode")
    used = globals_in(path)
    params = []

    def walk(v, where):
        if isinstance(v, torch.nn.Parameter):
            params.append(where)
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(x, f"{where}/{k}")
        elif isinstance(v, (list, tuple)):
            for i, x in enumerate(v):
                walk(x, f"{where}/{i}")
    walk(obj, "")
    return obj, {"loader": loader, "globals": used, "disallowed": [g for g in used if g not in allowed],
                 "describe": desc(obj), "parameters": params}


ST_DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64,
             "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}


def inspect_safetensors(path):
    """No safetensors package here: parse the format by hand, as its spec says."""
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header_bytes = raw[8:8 + n]
    header = json.loads(header_bytes)
    data = raw[8 + n:]
    tensors = collections.OrderedDict()
    spans = []
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        dt = ST_DTYPES[info["dtype"]]
        t = torch.frombuffer(bytearray(data[b:e]), dtype=dt).reshape(info["shape"]) if e > b else torch.empty(info["shape"], dtype=dt)
        tensors[name] = t
        spans.append((b, e, torch.empty((), dtype=dt).element_size()))
    spans.sort()
    return {"header_len": n, "padding_ok": n % 8 == 0 and header_bytes.rstrip(b" ").endswith(b"}") and len(header_bytes) - len(header_bytes.rstrip(b" ")) < 8,
            "keys": list(header.keys()), "metadata": header.get("__metadata__"),
            "contiguous": all(spans[i][1] == spans[i + 1][0] for i in range(len(spans) - 1)) and (not spans or (spans[0][0] == 0 and spans[-1][1] == len(data))),
            "aligned": all(b % size == 0 for b, _, size in spans), "describe": desc(tensors)}


def inspect(files):
    out = {}
    for f in files:
        try:
            if f["kind"] == "safetensors":
                out[f["name"]] = inspect_safetensors(f["path"])
                continue
            obj, info = inspect_torch(f["path"])
            if f["kind"] == "resnet50":
                model = torchvision.models.resnet50()
                info["load_state_dict"] = str(model.load_state_dict(obj, strict=True))
            if f["kind"] == "model":
                model = make_model()
                info["load_state_dict"] = str(model.load_state_dict(obj, strict=True))
                info["model_describe"] = desc(model.state_dict())
            if f["kind"] == "optimizer":
                model, opt = make_optimizer_state()
                fresh = torch.optim.Adam(model.parameters(), lr=1e-3)
                fresh.load_state_dict(obj)
                info["optimizer_loaded"] = desc(fresh.state_dict()) == desc(opt.state_dict())
            if f["kind"] == "views":
                v = obj
                info["shares_base"] = {k: storage_ptr(t)[0] == storage_ptr(v["base"])[0] for k, t in v.items()}
                v["slice"].mul_(10)
                info["after_mul"] = desc(v)
            out[f["name"]] = info
        except Exception:  # noqa: BLE001
            out[f["name"]] = {"error": traceback.format_exc()}
    return out


class RunsCode:
    """What a malicious checkpoint pickles: a callable global and its arguments."""

    def __init__(self, fn, arg):
        self.fn, self.arg = fn, arg

    def __reduce__(self):
        return (self.fn, (self.arg,))


def hostile(d):
    """Checkpoints that would run code under plain pickle: os.system / builtins.eval."""
    marker = os.path.join(d, "pwned")
    files = {}
    for name, fn, arg, kw in [
        ("evil_system.pth", os.system, f"touch {marker}", {}),
        ("evil_eval_proto4.pth", eval, f"open({marker!r}, 'w')", {"pickle_protocol": 4}),
        ("evil_system_legacy.pt", os.system, f"touch {marker}", {"_use_new_zipfile_serialization": False}),
    ]:
        path = os.path.join(d, name)
        torch.save({"weights": torch.ones(2), "payload": RunsCode(fn, arg)}, path, **kw)
        files[name] = path
    return {"files": files, "marker": marker}


def main():
    for line in sys.stdin:
        req = json.loads(line)
        try:
            if req["cmd"] == "generate":
                res = {"cases": generate(req["dir"], req.get("small", False)), "version": torch.__version__}
            elif req["cmd"] == "hostile":
                res = hostile(req["dir"])
            elif req["cmd"] == "inspect":
                res = inspect(req["files"])
            else:
                raise ValueError(f"unknown command {req['cmd']}")
        except Exception:  # noqa: BLE001
            res = {"error": traceback.format_exc()}
        sys.stdout.write(json.dumps(res, allow_nan=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
