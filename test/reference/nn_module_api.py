# Reference for test/nn_module_api.test.ts: the Module API on the same models in Debian's torch.
# stdin: nothing used. stdout: names and orders from named_modules/children/parameters/buffers,
# apply() order, train/eval flags, parameter counts, containers holding a module twice,
# the errors for "." in names, and state_dict dtypes after .to(torch.float64).
import json
import sys

import torch
from torch import nn

from nn_common import error_of
from nn_models import MODELS, cnn, shared

torch.set_num_threads(1)


def repeated_section():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    lst = nn.ModuleList([lin, lin, nn.ReLU()])
    dct = nn.ModuleDict({"a": lin, "b": lin})
    return {
        "seq_len": len(seq), "seq_iter": [type(m).__name__ for m in seq], "seq_last_is_lin": seq[-1] is lin,
        "seq_named_children": [n for n, _ in seq.named_children()],
        "list_len": len(lst), "list_iter": [type(m).__name__ for m in lst], "list_2_is_relu": isinstance(lst[2], nn.ReLU),
        "dict_keys": list(dct.keys()), "dict_named_children": [n for n, _ in dct.named_children()],
        "state_dict": list(seq.state_dict().keys()),
    }


def api_section():
    model = shared()
    name_of = {m: n for n, m in model.named_modules()}
    applied = []
    model.apply(lambda m: applied.append(name_of[m]))
    flags = {}
    model.train()
    model[3].eval()
    flags["train then [3].eval"] = [m.training for m in model.modules()]
    model.eval()
    model[4].train()
    flags["eval then [4].train"] = [m.training for m in model.modules()]
    return {
        "named_modules": [[n, type(m).__name__] for n, m in model.named_modules()],
        "modules": [type(m).__name__ for m in model.modules()],
        "named_children": [[n, type(m).__name__] for n, m in model.named_children()],
        "module_list_children": [n for n, _ in model[3].named_children()],
        "named_parameters": [[n, list(p.shape)] for n, p in model.named_parameters()],
        "parameters": [list(p.shape) for p in model.parameters()],
        "named_buffers": [[n, list(b.shape)] for n, b in model.named_buffers()],
        "buffers": [list(b.shape) for b in model.buffers()],
        "named_parameters_prefixed": [n for n, _ in model.named_parameters(prefix="model")],
        "named_parameters_no_recurse": [n for n, _ in model.named_parameters(recurse=False)],
        "linear_no_recurse": [n for n, _ in model[2].named_parameters(prefix="lin", recurse=False)],
        "bn_buffers_no_recurse": [n for n, _ in model[1].named_buffers(prefix="bn", recurse=False)],
        "num_parameters": sum(p.numel() for p in model.parameters()),
        "cnn_num_parameters": sum(p.numel() for p in cnn().parameters()),
        "applied": applied,
        "flags": flags,
        "repeated": repeated_section(),
        "dot_errors": {
            "parameter": error_of(lambda: nn.Module().register_parameter("a.b", nn.Parameter(torch.ones(1)))),
            "buffer": error_of(lambda: nn.Module().register_buffer("a.b", torch.ones(1))),
            "module": error_of(lambda: nn.Module().add_module("a.b", nn.ReLU())),
        },
    }


def main():
    json.load(sys.stdin)
    out = {
        "api": api_section(),
        "float64": {name: {k: str(v.dtype).replace("torch.", "") for k, v in build().to(torch.float64).state_dict().items()}
                    for name, build in MODELS.items()},
    }
    json.dump(out, sys.stdout, allow_nan=False)


main()
