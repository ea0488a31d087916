# Helpers shared by the nn reference scripts (the oracle side of test/reference/nn_common.ts).
import torch


def enc(t):
    """A tensor as the TS tests read it: shape, dtype name and flat values."""
    t = t.detach()
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "values": t.reshape(-1).tolist()}


def from_spec(spec, requires_grad=False):
    """The tensor of a TS Spec: float32-exact floats or int64 integers."""
    if spec["dtype"] == "int64":
        return torch.tensor(spec["data"], dtype=torch.int64).reshape(spec["shape"])
    t = torch.tensor(spec["data"], dtype=torch.float32).reshape(spec["shape"])
    return t.requires_grad_(requires_grad)


def from_enc(e):
    return torch.tensor(e["values"], dtype=getattr(torch, e["dtype"])).reshape(e["shape"])


def cotangent(shape, dtype):
    """A fixed pseudo-random gradient for backward(), sent to the TS side as well."""
    g = torch.Generator().manual_seed(0)
    return torch.rand(shape, generator=g, dtype=dtype) * 2 - 1


def error_of(fn):
    """The message fn raises (args[0], so KeyError gets no quotes), or None."""
    try:
        fn()
    except Exception as err:  # noqa: BLE001 - any error PyTorch raises is the expected message
        return err.args[0] if err.args else str(err)
    return None


def tupled(v):
    return tuple(tupled(x) for x in v) if isinstance(v, list) else v
