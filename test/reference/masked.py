# Reference for test/masked.test.ts: torch.masked (torch/masked/_ops.py) as Debian's torch computes
# it. One long-lived process (test/reference/session.ts), JSON request per line on stdin, one JSON
# reply per line on stdout; {"error": traceback} is a failed request. It serves OpInfo's own
# samples of every masked.* entry through opinfo.py (imported, so the encoding is one), plus the
# calls OpInfo's samples leave out: the dtype keyword, integer and uint8 inputs, rows that are
# fully masked out, non-bool masks, positional unbiased, and PyTorch's own refusals.
#   {"cmd": "catalog"} -> {"ops": [catalog entries of op_db whose name starts with "masked."]}
#   {"cmd": "samples", ...} -> opinfo.py's samples reply
#   {"cmd": "cases"} -> {"cases": [{"fn", "dtype", "tolerance", ...a sample as opinfo.py encodes it}]}
import os
import sys
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import opinfo  # noqa: E402  (puts the expecttest stub on sys.path and imports op_db)
from encoding import dtype_name  # noqa: E402
import torch  # noqa: E402
from torch.testing import make_tensor  # noqa: E402


def catalog(_req):
    return {"ops": [op for op in opinfo.catalog(_req)["ops"] if op["name"].startswith("masked.")]}


def cases(_req):
    torch.manual_seed(0)
    f32, f64, i64 = torch.float32, torch.float64, torch.int64

    def t(shape, dtype=f32, grad=False, low=None, high=None):
        return make_tensor(shape, dtype=dtype, device="cpu", requires_grad=grad and dtype.is_floating_point, low=low, high=high)

    def m(shape):
        return make_tensor(shape, dtype=torch.bool, device="cpu")

    def row_out(shape):
        """A random mask whose first row is masked out entirely."""
        mask = m(shape)
        mask[0] = False
        return mask

    def full_rows(shape):
        """A random mask that keeps at least one element of every row (the last column)."""
        mask = m(shape)
        mask[..., -1] = True
        return mask

    # (function, input, args, kwargs, grad): grad asks for float32 gradients of a random cotangent.
    calls = [
        ("sum", t((3, 4), torch.int32), (1,), dict(mask=m((3, 4))), False),
        ("sum", t((3, 4), torch.uint8), (), dict(mask=m((3, 4))), False),
        ("sum", t((2, 3, 4), grad=True), ((0, 2),), dict(keepdim=True, dtype=f64, mask=m((3, 4))), True),
        ("sum", t((3, 4)), (), dict(dim=(1, -1), mask=m((3, 4))), False),
        ("sum", t(()), (), dict(mask=torch.tensor(False)), False),
        ("sum", t((3, 4)), (1,), dict(mask=m((2, 3, 4))), False),
        ("sum", t((3, 4)), ((0, 0),), dict(mask=m((3, 4))), False),
        ("sum", t((3, 4)), (2,), dict(mask=m((3, 4))), False),
        ("sum", t((3, 4), grad=True), (1,), dict(mask=make_tensor((3, 4), dtype=i64, device="cpu", low=0, high=2)), True),
        ("prod", t((3, 4), torch.int16), (0,), dict(mask=m((3, 4))), False),
        ("prod", t((2, 3, 4), grad=True), ((0, 1),), dict(dtype=f64, mask=m((3, 1))), True),
        ("prod", t((), grad=True), (), dict(mask=None), True),
        ("amax", t((3, 4), torch.uint8), (1,), dict(mask=m((3, 4))), False),
        ("amax", t((3, 4), grad=True), (1,), dict(dtype=f64, mask=full_rows((3, 4))), True),
        ("amax", t(()), (), dict(mask=torch.tensor(False)), False),
        ("amin", t((3, 4), torch.int32), (0,), dict(keepdim=True, mask=m((3, 4))), False),
        ("argmax", t((3, 4)), (), dict(mask=m((3, 4))), False),
        ("argmax", t((3, 4)), (1,), dict(dtype=i64, mask=m((3, 4))), False),
        ("argmin", t((3, 4), i64), (0,), dict(keepdim=True, mask=m((4,))), False),
        ("mean", t((3, 4), i64), (1,), dict(mask=m((3, 4))), False),
        ("mean", t((3, 4), torch.bool), (0,), dict(), False),
        ("mean", t((3, 4), grad=True), (1,), dict(dtype=f64, mask=full_rows((3, 4))), True),
        ("mean", t((3, 4)), (1,), dict(mask=row_out((3, 4))), False),
        ("median", t((3, 4), i64), (1,), dict(mask=full_rows((3, 4))), False),
        ("median", t((3, 4), i64), (1,), dict(mask=row_out((3, 4))), False),
        ("median", t((3, 4), grad=True), (0,), dict(keepdim=True, dtype=f64, mask=full_rows((4, 3)).T), True),
        ("median", t((3, 4)), (), dict(mask=row_out((3, 4))), False),
        ("logsumexp", t((3, 4), i64), (1,), dict(mask=m((3, 4))), False),
        ("logsumexp", t((3, 4), grad=True), ((0, 1),), dict(dtype=f64, mask=m((3, 4))), True),
        ("norm", t((3, 4), grad=True), (3.5, 1), dict(mask=full_rows((3, 4))), True),
        ("norm", t((3, 4)), (float("-inf"), 1), dict(mask=row_out((3, 4))), False),
        ("norm", t((3, 4), grad=True), (1, (0, 1)), dict(keepdim=True, dtype=f64, mask=m((3, 4))), True),
        ("norm", t((3, 4)), (), dict(mask=m((3, 4))), False),
        ("var", t((3, 5), grad=True), (1, True), dict(mask=full_rows((3, 5))), True),
        ("var", t((3, 4), i64), (0,), dict(mask=m((3, 4))), False),
        ("var", t((3, 4)), (1,), dict(unbiased=True, mask=row_out((3, 4))), False),
        ("var", t((3, 4)), (1,), dict(dtype=i64, mask=m((3, 4))), False),
        ("std", t((3, 6), grad=True), (None, True), dict(dtype=f64), True),
        ("std", t((2, 3, 4)), ((0, 2),), dict(keepdim=True, unbiased=False, mask=m((3, 1))), False),
        ("softmax", t((3, 4), grad=True), (1,), dict(dtype=f64, mask=full_rows((3, 4))), True),
        ("log_softmax", t((3, 4)), (1,), dict(mask=row_out((3, 4))), False),
        ("softmin", t((2, 3, 4), grad=True), (-1,), dict(mask=full_rows((3, 4))), True),
        ("softmax", t((3, 4)), (3,), dict(mask=m((3, 4))), False),
        ("normalize", t((3, 4), grad=True), (2, 1), dict(eps=0.5, mask=m((3, 4))), True),
        ("normalize", t((3, 4), grad=True), (1, 0), dict(dtype=f64, mask=m((1, 4))), True),
        ("normalize", t((3, 4)), (float("inf"), -1), dict(mask=row_out((3, 4))), False),
        ("cumsum", t((3, 4), i64), (1,), dict(mask=m((3, 4))), False),
        ("cumsum", t((3, 4), grad=True), (0,), dict(dtype=f64, mask=m((3, 4))), True),
        ("cumprod", t((3, 4), grad=True), (-1,), dict(mask=m((4,))), True),
        ("logaddexp", t((3, 4), grad=True), (t((3, 4), grad=True),), dict(dtype=f64, input_mask=m((3, 4)), other_mask=m((4,))), True),
        ("logaddexp", t((3, 4)), (t((3, 4)),), dict(input_mask=row_out((3, 4)), other_mask=row_out((3, 4))), False),
    ]
    out = []
    for fn, x, args, kwargs, grad in calls:
        op = types.SimpleNamespace(op=getattr(torch.masked, fn))
        sample = types.SimpleNamespace(input=x, args=args, kwargs=kwargs, name="")
        res = opinfo.run_sample(op, sample, grad)
        result = getattr(torch.masked, fn)(x, *args, **kwargs) if "output" in res else None
        dtype = result.dtype if isinstance(result, torch.Tensor) else x.dtype
        rtol, atol = opinfo.default_tolerances(dtype)
        out.append({"fn": fn, "dtype": dtype_name(x.dtype), "tolerance": {"rtol": rtol, "atol": atol}, **res})
    return {"cases": out}


HANDLERS = {"catalog": catalog, "samples": opinfo.samples, "cases": cases}


if __name__ == "__main__":
    opinfo.serve(HANDLERS)
