# Values as test/reference/opinfo.ts's decodeValue reads them: tensors {"$t": dtype, "shape",
# "data": base64 of the contiguous little-endian elements, "requiresGrad", "noncontig"?: true
# when the sample was a strided view, "strided"?: {storage, stride, offset}, its layout}; int
# {"$i": "digits"}; float a JSON number or {"$f": "nan" | "inf" | "-inf"}; bool, None, str as
# themselves; tuple and torch.Size {"$tuple": [...]}; list [...]; torch.dtype {"$dtype"};
# torch.device {"$device"}; torch.memory_format {"$memoryFormat": "channels_last"}; slice
# {"$slice": [start, stop, step]}; Ellipsis {"$ellipsis": true}; dict an object with its own
# keys. Anything else raises Unencodable. Shared by opinfo.py and random_exact.py.
import base64
import math

import torch


class Unencodable(Exception):
    """A value the JSON encoding cannot carry (the sample is skipped with this reason)."""


def dtype_name(dtype):
    return str(dtype).replace("torch.", "")


def enc_float(x):
    if math.isnan(x):
        return {"$f": "nan"}
    if math.isinf(x):
        return {"$f": "inf" if x > 0 else "-inf"}
    return x


def enc_tensor(t, allow_complex):
    if t.layout != torch.strided:
        raise Unencodable(f"{t.layout} tensor")
    if t.is_quantized:
        raise Unencodable("quantized tensor")
    if t.is_complex() and not allow_complex:
        raise Unencodable("complex tensor")
    if type(t) is not torch.Tensor and not isinstance(t, torch.nn.Parameter):
        raise Unencodable(f"tensor subclass {type(t).__name__}")
    if t._is_zerotensor():  # autograd's zero gradient: no memory behind it, numpy would read none
        t = torch.zeros(t.shape, dtype=t.dtype).requires_grad_(t.requires_grad)
    out = {"$t": dtype_name(t.dtype), "shape": list(t.shape), "data": raw_bytes(t.detach().reshape(-1)),
           "requiresGrad": t.requires_grad}
    if not t.is_contiguous():
        out["noncontig"] = True
        # The layout too, so the op sees the same strides (as_strided and friends read them,
        # and kernels for strided inputs may round apart from contiguous ones): the storage's
        # elements, with the view's stride and offset. Skipped when the storage is far larger.
        n = t.storage().size()
        if n <= 4 * t.numel() + 4096:
            base = t.detach().as_strided((n,), (1,), 0)
            out["strided"] = {"storage": raw_bytes(base), "stride": list(t.stride()), "offset": t.storage_offset()}
    return out


def raw_bytes(flat):
    """A 1-D tensor's elements as base64 little-endian bytes (complex as pairs, half as raw bits, bool as bytes)."""
    flat = flat.resolve_conj().resolve_neg().contiguous()
    if flat.is_complex():
        flat = torch.view_as_real(flat)
    if flat.dtype in (torch.float16, torch.bfloat16):
        flat = flat.view(torch.int16)  # raw bits: numpy has no bfloat16
    elif flat.dtype == torch.bool:
        flat = flat.to(torch.uint8)
    return base64.b64encode(flat.cpu().numpy().tobytes()).decode("ascii")


def encode(v, allow_complex=False):
    if isinstance(v, torch.Tensor):
        return enc_tensor(v, allow_complex)
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return {"$i": str(v)}
    if isinstance(v, float):
        return enc_float(v)
    if isinstance(v, tuple):  # torch.Size and torch.return_types.* are tuples too
        return {"$tuple": [encode(x, allow_complex) for x in v]}
    if isinstance(v, list):
        return [encode(x, allow_complex) for x in v]
    if isinstance(v, dict):
        return {str(k): encode(x, allow_complex) for k, x in v.items()}
    if isinstance(v, torch.dtype):
        return {"$dtype": dtype_name(v)}
    if isinstance(v, torch.device):
        return {"$device": str(v)}
    if isinstance(v, torch.memory_format):
        return {"$memoryFormat": str(v).replace("torch.", "")}
    if isinstance(v, slice):
        return {"$slice": [encode(v.start), encode(v.stop), encode(v.step)]}
    if v is Ellipsis:
        return {"$ellipsis": True}
    raise Unencodable(f"unsupported value of type {type(v).__name__}")


def first_line(err):
    msg = str(err).strip().splitlines()
    return f"{type(err).__name__}: {msg[0] if msg else ''}"
