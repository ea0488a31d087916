# Reference for test/nn_transformer.test.ts: nn.MultiheadAttention, F.multi_head_attention_forward
# and the Transformer family as Debian's torch 1.13 computes them. One long-lived process
# (test/reference/session.ts): a JSON request per stdin line, one JSON reply per line; values in
# test/reference/encoding.py's encoding (test/reference/opinfo.ts decodeValue reads them).
#   {"cmd": "cases", "cases": {name: case}} -> {name: {inputs, state, outputs, cot, grads, repr}}
#   {"cmd": "errors", "cases": {name: case}} -> {name: the message PyTorch raises}
#   {"cmd": "masks", "sizes": [..]} -> [generate_square_subsequent_mask(n) for n in sizes]
# A case: {kind, init (Python keyword arguments), layer/num_layers/norm (stacks), seed (weights;
# seed + 1 is set before the forward, for dropout), dtype, train, no_grad, grad, inputs
# ({name: spec}), args (input names or literal values), kwargs, functional}.
import json
import os
import sys
import traceback
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from encoding import encode  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(1)
warnings.simplefilter("ignore")  # byte masks and nested tensors warn; the values are what count

DTYPES = {"float32": torch.float32, "float64": torch.float64}
ACTIVATIONS = {"tanh_fn": torch.tanh, "gelu_module": lambda: nn.GELU(), "relu_module": lambda: nn.ReLU()}


def activation(value):
    """Named stand-ins for what JSON cannot carry: a function, or a fresh activation Module."""
    if isinstance(value, str) and value in ACTIVATIONS:
        a = ACTIVATIONS[value]
        return a() if value.endswith("_module") else a
    return value


FLOATS = ("dropout", "layer_norm_eps")  # JSON sends 0.0 as 0: repr shows p=0.0 only for a float


def kwargs_of(init, dtype):
    kw = {k: float(v) if k in FLOATS else activation(v) for k, v in init.items()}
    kw["dtype"] = dtype
    return kw


def build(case, dtype):
    kind = case["kind"]
    init = kwargs_of(case.get("init", {}), dtype)
    if kind == "mha":
        return nn.MultiheadAttention(**init)
    if kind == "encoder_layer":
        return nn.TransformerEncoderLayer(**init)
    if kind == "decoder_layer":
        return nn.TransformerDecoderLayer(**init)
    if kind in ("encoder", "decoder"):
        layer_kw = kwargs_of(case["layer"], dtype)
        layer = (nn.TransformerEncoderLayer if kind == "encoder" else nn.TransformerDecoderLayer)(**layer_kw)
        norm = nn.LayerNorm(layer_kw["d_model"], dtype=dtype) if case.get("norm") else None
        if kind == "encoder":
            return nn.TransformerEncoder(layer, case["num_layers"], norm, **case.get("init", {}))
        return nn.TransformerDecoder(layer, case["num_layers"], norm)
    if kind == "transformer":
        return nn.Transformer(**init)
    raise ValueError(kind)


def make_input(spec, dtype, g):
    kind = spec.get("kind", "randn")
    shape = spec.get("shape")
    if kind == "randn":
        return torch.randn(shape, generator=g, dtype=dtype).requires_grad_(spec.get("grad", True))
    if kind == "bool":
        # True = masked out, at probability p; column 0 stays False so no row is masked entirely.
        m = torch.rand(shape, generator=g) < spec.get("p", 0.3)
        m[..., 0] = False
        return m
    if kind == "lengths":
        # A left-aligned key padding mask: row i keeps its first lengths[i] positions.
        n = spec["size"]
        m = torch.stack([torch.arange(n) >= length for length in spec["lengths"]])
        # As an additive float mask: 0 where kept, -inf where padded .
        if spec.get("float"):
            return torch.zeros(m.shape, dtype=dtype).masked_fill(m, float("-inf"))
        return m
    if kind == "float":
        return torch.randn(shape, generator=g, dtype=dtype)
    if kind == "int":
        return torch.randint(0, 2, shape, generator=g)
    if kind == "float_inf":
        m = torch.randn(shape, generator=g, dtype=dtype)
        b = torch.rand(shape, generator=g) < 0.3
        b[..., 0] = False
        return m.masked_fill(b, float("-inf"))
    if kind == "uint8":
        m = (torch.rand(shape, generator=g) < 0.3)
        m[..., 0] = False
        return m.to(torch.uint8)
    if kind == "causal":
        return nn.Transformer.generate_square_subsequent_mask(spec["size"]).to(dtype)
    raise ValueError(kind)


def resolve(v, inputs):
    return inputs[v] if isinstance(v, str) and v in inputs else v


def forward(case, module, inputs):
    args = [resolve(a, inputs) for a in case.get("args", [])]
    kwargs = {k: resolve(v, inputs) for k, v in case.get("kwargs", {}).items()}
    if case.get("functional"):
        # F.multi_head_attention_forward with the module's own parameters, as the module passes them.
        m = module
        separate = not m._qkv_same_embed_dim
        extra = dict(use_separate_proj_weight=True, q_proj_weight=m.q_proj_weight, k_proj_weight=m.k_proj_weight,
                     v_proj_weight=m.v_proj_weight) if separate else {}
        return F.multi_head_attention_forward(*args, m.embed_dim, m.num_heads, m.in_proj_weight, m.in_proj_bias, m.bias_k, m.bias_v,
                                              m.add_zero_attn, m.dropout, m.out_proj.weight, m.out_proj.bias,
                                              training=m.training, **extra, **kwargs)
    return module(*args, **kwargs)


def run_case(case):
    dtype = DTYPES[case.get("dtype", "float32")]
    torch.manual_seed(case["seed"])
    module = build(case, dtype)
    state = [[k, encode(v)] for k, v in module.state_dict().items()]
    module.train(case.get("train", False))
    g = torch.Generator().manual_seed(case["seed"] + 1000)
    inputs = {name: make_input(spec, dtype, g) for name, spec in case["inputs"].items()}
    torch.manual_seed(case["seed"] + 1)
    if case.get("no_grad"):
        with torch.no_grad():
            out = forward(case, module, inputs)
    else:
        out = forward(case, module, inputs)
    outs = list(out) if isinstance(out, tuple) else [out]
    res = {"inputs": {k: encode(v) for k, v in inputs.items()}, "state": state, "outputs": [encode(o) for o in outs],
           "repr": repr(module)}
    if case.get("no_grad") or not case.get("grad", True):
        return res
    cg = torch.Generator().manual_seed(7)
    cots = [None if o is None else torch.rand(o.shape, generator=cg, dtype=o.dtype) * 2 - 1 for o in outs]
    loss = sum((o * c).sum() for o, c in zip(outs, cots) if o is not None)
    loss.backward()
    res["cot"] = [None if c is None else encode(c) for c in cots]
    res["grads"] = {
        "inputs": {k: encode(v.grad) for k, v in inputs.items() if v.requires_grad and v.grad is not None},
        "params": [[k, None if p.grad is None else encode(p.grad)] for k, p in module.named_parameters()],
    }
    return res


def cases(req):
    return {name: run_case(case) for name, case in req["cases"].items()}


def errors(req):
    out = {}
    for name, case in req["cases"].items():
        try:
            run_case(case)
            out[name] = None
        except Exception as err:  # noqa: BLE001 - the message PyTorch raises is the expectation
            out[name] = str(err)
    return out


def masks(req):
    return [encode(nn.Transformer.generate_square_subsequent_mask(n)) for n in req["sizes"]]


def serve(handlers):
    """opinfo.py's loop (that module imports all of op_db, seconds this file does not need)."""
    reply_to = sys.stdout
    sys.stdout = sys.stderr
    for line in sys.stdin:
        try:
            req = json.loads(line)
            res = handlers[req["cmd"]](req)
        except Exception:  # noqa: BLE001
            res = {"error": traceback.format_exc()}
        reply_to.write(json.dumps(res, allow_nan=False) + "\n")
        reply_to.flush()


if __name__ == "__main__":
    serve({"cases": cases, "errors": errors, "masks": masks})
