# Reference for the OpInfo replay: PyTorch's own operator database
# (torch.testing._internal.common_methods_invocations.op_db) served to TS, so torch-ts can be
# checked on every op's sample inputs against Debian's torch. One long-lived process
# (test/reference/session.ts, driven by test/reference/opinfo.ts): JSON request per line on
# stdin, one JSON reply per line on stdout; a reply {"error": traceback} is a failed request.
#   {"cmd": "catalog"} -> {"torch", "entries", "names", "ops": [{name, variant, atenName, ns, fn,
#        kind, source?, plan?, method, inplace, autograd, dtypes, backwardDtypes}]} (plan: the
#        call an OpInfo-written wrapper makes, see opinfo_plan.py)
#   {"cmd": "samples", "name", "variant", "dtype", "maxSamples", "grad"} -> {"tolerance":
#        {rtol, atol}, "supported", "samples": [{input, args, kwargs, output | outputError,
#        varies?, grad?: {cotangents, paths, grads | error, varies?}}], "skipped": [{index, reason}], "generationError"?}
# Values: as encoding.py encodes them; a value it cannot carry skips the sample, with the reason.
import inspect
import itertools
import json
import math
import os
import sys
import traceback
import warnings

import torch

# Debian has no python3-expecttest, which torch.testing._internal imports; the stub stands in
# (appended, so a real expecttest, as on the GPU machine, wins).
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "stubs"))
from torch.testing._comparison import default_tolerances  # noqa: E402
from torch.testing._internal.common_methods_invocations import op_db  # noqa: E402

from encoding import encode, first_line, Unencodable  # noqa: E402
from opinfo_plan import plan_of  # noqa: E402

torch.set_num_threads(1)
warnings.filterwarnings("ignore")  # deprecation notes from the samples; stderr stays for errors
DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64, "bool": torch.bool}
CATALOG_DTYPES = list(DTYPES)
OPS = {(op.name, op.variant_test_name): op for op in op_db}


def tensors_in(v, path, out):
    """(path, tensor) for every tensor in v, depth-first: "input", "args.1.0", "kwargs.weight"."""
    if isinstance(v, torch.Tensor):
        out.append((path, v))
    elif isinstance(v, (tuple, list)):
        for i, x in enumerate(v):
            tensors_in(x, f"{path}.{i}", out)
    elif isinstance(v, dict):
        for k, x in v.items():
            tensors_in(x, f"{path}.{k}", out)
    return out


def same(a, b):
    """Outputs of two runs agree exactly (NaNs equal): detects ops that draw random numbers."""
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        if a.shape != b.shape or a.dtype != b.dtype or a.layout != torch.strided:
            return a.shape == b.shape and a.dtype == b.dtype
        return bool(torch.equal(a, b) or (a.is_floating_point() and torch.allclose(a, b, rtol=0, atol=0, equal_nan=True)))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return False


def namespace_of(op):
    """("nn.functional", "conv2d") from the OpInfo name; kind says whether torch.<name> is op.op."""
    ns, _, fn = op.name.rpartition(".")
    target = torch
    for part in op.name.split("."):
        target = getattr(target, part, None)
    f = op.op
    qual = getattr(f, "__qualname__", None) or getattr(f, "__name__", None) or type(f).__name__
    if target is not None and target is f:
        kind = "function"  # torch.<name> is exactly the function variant
    elif qual == "<lambda>" or getattr(f, "__module__", "").startswith("torch.testing"):
        kind = "lambda"  # a wrapper written in OpInfo itself: see "source"
    elif qual.startswith(("_TensorBase.", "Tensor.")):
        kind = "tensor_method"  # e.g. __radd__: only a Tensor method
    elif isinstance(f, torch._ops.OpOverload):
        kind = "aten"  # torch.ops.aten.<overload>
    elif "jiterator" in (getattr(f, "__module__", "") or ""):
        kind = "jiterator"  # CUDA-only generated kernels
    else:
        kind = "other"
    return ns, fn, kind, f"{getattr(f, '__module__', None)}.{qual}"


def source_of(f):
    """A lambda's definition, whitespace collapsed: its lines until the brackets balance."""
    try:
        if f.__name__ != "<lambda>":
            return " ".join(inspect.getsource(f).split())[:400]
        lines, _ = inspect.findsource(f)
        first = f.__code__.co_firstlineno - 1
    except (OSError, TypeError, AttributeError):
        return None
    text, depth = "", 0
    for line in lines[first:first + 12]:
        text += " " + line.strip()
        depth += line.count("(") + line.count("[") - line.count(")") - line.count("]")
        if depth <= 0 and not line.rstrip().endswith(":"):
            break
    return " ".join(text.split())[:400]


def catalog(_req):
    ops = []
    for op in op_db:
        ns, fn, kind, where = namespace_of(op)
        entry = {
            "name": op.name, "variant": op.variant_test_name, "atenName": op.aten_name, "ns": ns, "fn": fn,
            "kind": kind, "pyFunction": where, "method": op.method_variant is not None,
            "inplace": op.inplace_variant is not None, "autograd": bool(op.supports_autograd),
            "dtypes": [d for d in CATALOG_DTYPES if DTYPES[d] in op.supported_dtypes("cpu")],
            "backwardDtypes": [d for d in CATALOG_DTYPES if DTYPES[d] in op.supported_backward_dtypes("cpu")],
        }
        if kind in ("lambda", "other"):
            entry["source"] = source_of(op.op)
            entry["plan"] = plan_of(op.op, encode)
        ops.append(entry)
    return {"torch": torch.__version__, "entries": len(ops), "names": len({o["name"] for o in ops}), "ops": ops}


def run_sample(op, s, grad):
    """Encodes one sample (before the op can mutate it) and its reference output / gradients."""
    out = {"input": encode(s.input), "args": encode(list(s.args)), "kwargs": encode(s.kwargs)}
    if s.name:
        out["name"] = s.name
    try:
        torch.manual_seed(2)
        with torch.set_grad_enabled(grad):
            result = op.op(s.input, *s.args, **s.kwargs)
    except Exception as err:  # noqa: BLE001 - PyTorch refusing a sample is data
        out["outputError"] = first_line(err)
        return out
    try:
        out["output"] = encode(result, allow_complex=True)  # complex outputs (fft) still travel
    except Unencodable as err:
        raise Unencodable(f"output: {err}") from None
    try:  # a second run on another seed: "varies" when the outputs differ (empty, LAPACK)
        torch.manual_seed(3)
        with torch.set_grad_enabled(grad):  # same mode: grad and no-grad kernels may round apart
            again = op.op(s.input, *s.args, **s.kwargs)
        if not same(result, again):
            out["varies"] = True
    except Exception:  # noqa: BLE001 - e.g. in-place ops that cannot run twice
        pass
    if not grad:
        return out
    outs = [t for _, t in tensors_in(result, "output", []) if t.is_floating_point() and t.requires_grad]
    ins = tensors_in(s.input, "input", []) + tensors_in(list(s.args), "args", []) + tensors_in(s.kwargs, "kwargs", [])
    ins = [(p, t) for p, t in ins if t.requires_grad]
    if not outs or not ins:
        out["grad"] = None  # nothing differentiable (integer outputs, or no input requires grad)
        return out
    torch.manual_seed(1)
    cot = [torch.randn_like(t) for t in outs]
    paths = [p for p, _ in ins]
    try:
        grads = torch.autograd.grad(outs, [t for _, t in ins], cot, allow_unused=True)
        out["grad"] = {"cotangents": [encode(c) for c in cot], "paths": paths, "grads": [encode(g) for g in grads]}
        # Once more: a backward that reads uninitialised memory (1.13's as_strided_scatter) gives
        # other gradients each time, and is then no oracle for them.
        torch.manual_seed(2)
        again = op.op(s.input, *s.args, **s.kwargs)
        outs2 = [t for _, t in tensors_in(again, "output", []) if t.is_floating_point() and t.requires_grad]
        if not same(list(grads), list(torch.autograd.grad(outs2, [t for _, t in ins], cot, allow_unused=True))):
            out["grad"]["varies"] = True
    except Exception as err:  # noqa: BLE001
        out["grad"] = {"cotangents": [encode(c) for c in cot], "paths": paths, "error": first_line(err)}
    return out


def samples(req):
    key = (req["name"], req.get("variant", ""))
    if key not in OPS:
        variants = [v for n, v in OPS if n == key[0]]
        raise KeyError(f"no OpInfo {key}; variants of {key[0]!r}: {variants}")
    op = OPS[key]
    dtype = DTYPES[req["dtype"]]
    grad = bool(req.get("grad", False)) and op.supports_autograd and dtype.is_floating_point
    rtol, atol = default_tolerances(dtype)
    res = {"tolerance": {"rtol": rtol, "atol": atol}, "supported": dtype in op.supported_dtypes("cpu"),
           "samples": [], "skipped": []}
    if not res["supported"]:
        return res
    torch.manual_seed(0)
    index = 0
    try:
        gen = op.sample_inputs("cpu", dtype, requires_grad=grad)
        for index, s in enumerate(itertools.islice(gen, int(req.get("maxSamples", 20)))):
            try:
                sample = run_sample(op, s, grad)
                json.dumps(sample, allow_nan=False)  # e.g. a float('nan') deep in a dict key
                res["samples"].append(sample)
            except Unencodable as err:
                res["skipped"].append({"index": index, "reason": str(err)})
    except Exception as err:  # noqa: BLE001 - the generator itself failed; keep what came before
        res["generationError"] = first_line(err)
    return res


HANDLERS = {"catalog": catalog, "samples": samples}


def serve(handlers):
    """Answers {"cmd": name, ...} JSON lines on stdin with handlers[name]'s JSON reply (masked.py serves its own)."""
    reply_to = sys.stdout
    sys.stdout = sys.stderr  # stray prints from op code must not corrupt the JSON lines
    for line in sys.stdin:
        try:
            req = json.loads(line)
            res = handlers[req["cmd"]](req)
        except Exception:  # noqa: BLE001
            res = {"error": traceback.format_exc()}
        reply_to.write(json.dumps(res, allow_nan=False) + "\n")
        reply_to.flush()


if __name__ == "__main__":
    serve(HANDLERS)
