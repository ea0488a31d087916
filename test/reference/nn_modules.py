# Reference for test/nn_modules.test.ts: the same models built in Debian's torch.
# stdin: {init_seed, layers, cnn: {x, target, weights_seed, dropout_seed}, bn, load, old_checkpoint}.
# stdout: seeded default init, single layers' and a CNN's forward/backward, BatchNorm running
# statistics, repr, state_dict keys and load_state_dict's messages and key lists.
import json
import sys
from collections import OrderedDict

import torch
from torch import nn

from nn_common import cotangent, enc, error_of, from_spec
from nn_models import INIT, LAYERS, MODELS, WithBuffers, cnn, load_model

torch.set_num_threads(1)


# ---- sections ----
def init_section(seed):
    out = {}
    for i, (name, build) in enumerate(INIT.items()):
        torch.manual_seed(seed + i)
        out[name] = [[k, enc(v)] for k, v in build().state_dict().items()]
    return out


def layer_case(name, case):
    build, eval_mode = LAYERS[name]
    torch.manual_seed(case["seed"])
    layer = build()
    if eval_mode:
        layer.eval()
    x = from_spec(case["x"], requires_grad=True)
    args = [x] if case.get("target") is None else [x, from_spec(case["target"])]
    torch.manual_seed(case["seed"] + 1)
    out = layer(*args)
    cot = cotangent(out.shape, out.dtype)
    out.backward(cot)
    return {"out": enc(out), "cot": enc(cot), "x_grad": enc(x.grad),
            "param_grads": [[k, enc(p.grad)] for k, p in layer.named_parameters()]}


def cnn_section(spec):
    torch.manual_seed(spec["weights_seed"])
    model = cnn()
    weights = [[k, enc(v)] for k, v in model.state_dict().items()]
    x, target = from_spec(spec["x"]), from_spec(spec["target"])
    torch.manual_seed(spec["dropout_seed"])
    out = model(x)
    loss = nn.CrossEntropyLoss(label_smoothing=0.1)(out, target)
    loss.backward()
    res = {"weights": weights, "out": enc(out), "loss": enc(loss),
           "grads": [[k, enc(p.grad)] for k, p in model.named_parameters()],
           "buffers": [[k, enc(b)] for k, b in model.named_buffers()]}
    model.eval()
    with torch.no_grad():
        res["eval_out"] = enc(model(x))
    return res


def bn_case(case):
    kw = {"momentum": 0.1, **case["kw"]}
    bn = (nn.BatchNorm2d if case["kind"] == "2d" else nn.BatchNorm1d)(case["features"], **kw)
    if bn.affine:
        with torch.no_grad():
            bn.weight.copy_(from_spec(case["weight"]))
            bn.bias.copy_(from_spec(case["bias"]))
    train_outs = [enc(bn(from_spec(x))) for x in case["train"]]
    res = {"train_outs": train_outs, "buffers": [[k, enc(b)] for k, b in bn.named_buffers()]}
    bn.eval()
    x = from_spec(case["eval"], requires_grad=True)
    y = bn(x)
    cot = cotangent(y.shape, y.dtype)
    y.backward(cot)
    res.update({"eval_out": enc(y), "cot": enc(cot), "x_grad": enc(x.grad),
                "param_grads": [[k, enc(p.grad)] for k, p in bn.named_parameters()]})
    return res


def edited_state_dict(model, edit):
    sd = model.state_dict()
    for k in edit.get("drop", []):
        del sd[k]
    for k, shape in edit.get("add", {}).items():
        sd[k] = torch.zeros(shape)
    for k, shape in edit.get("resize", {}).items():
        sd[k] = torch.zeros(shape, dtype=sd[k].dtype)
    metadata = edit.get("metadata", "keep")
    if metadata == "none":
        sd = OrderedDict(sd)  # a copy carries no _metadata: an old, pre-versioning checkpoint
    elif metadata == "v1":
        sd._metadata["1"]["version"] = 1
    return sd


def load_case(edit):
    res = {"strict_error": error_of(lambda: load_model().load_state_dict(edited_state_dict(load_model(), edit)))}
    try:
        keys = load_model().load_state_dict(edited_state_dict(load_model(), edit), strict=False)
        res["non_strict"] = {"missing": keys.missing_keys, "unexpected": keys.unexpected_keys}
    except RuntimeError as err:
        res["non_strict_error"] = err.args[0]
    return res


def old_checkpoint(edit):
    # A BatchNorm that has tracked 3 batches loads a checkpoint without num_batches_tracked.
    model = load_model()
    for _ in range(3):
        model(torch.randn(2, 2, 4, 4))
    before = int(model[1].num_batches_tracked)
    keys = model.load_state_dict(edited_state_dict(load_model(), edit))
    return {"before": before, "after": enc(model[1].num_batches_tracked),
            "missing": keys.missing_keys, "unexpected": keys.unexpected_keys}


def main():
    spec = json.load(sys.stdin)
    out = {
        "init": init_section(spec["init_seed"]),
        "cnn": cnn_section(spec["cnn"]),
        "bn": {name: bn_case(case) for name, case in spec["bn"].items()},
        "repr": {name: str(build()) for name, build in MODELS.items()},
        "keys": {name: list(build().state_dict().keys()) for name, build in MODELS.items()},
        "metadata": {name: dict(build().state_dict()._metadata) for name, build in MODELS.items()},
        "prefixed_keys": list(load_model().state_dict(prefix="m.").keys()),
        "with_buffers_named_buffers": [n for n, _ in WithBuffers().named_buffers()],
        "load": {name: load_case(edit) for name, edit in spec["load"].items()},
        "old_checkpoint": {name: old_checkpoint(edit) for name, edit in spec["old_checkpoint"].items()},
        "layers": {name: layer_case(name, case) for name, case in spec["layers"].items()},
    }
    json.dump(out, sys.stdout, allow_nan=False)


main()
