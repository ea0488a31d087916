# Reference for test/nn_init.test.ts: nn.init in Debian's torch, drawn under the same seeds.
# stdin: {cases: {name: {fn, shape, dtype, seed, kw}}, gains: [[nonlinearity, param]], zero_seed}.
# stdout: each initialised tensor, calculate_gain's values, the fan errors' messages, and
# nn.Linear(0, 4) under a seed followed by one more draw (a zero-element init is a no-op).
import json
import sys
import warnings

import torch
from torch import nn

from nn_common import enc, error_of

torch.set_num_threads(1)
warnings.simplefilter("ignore")  # "Initializing zero-element tensors is a no-op"


def init_case(case):
    t = torch.empty(case["shape"], dtype=getattr(torch, case["dtype"]))
    torch.manual_seed(case["seed"])
    out = getattr(nn.init, case["fn"])(t, **case["kw"])
    assert out is t
    return enc(t)


def main():
    spec = json.load(sys.stdin)
    one_d = torch.empty(5)
    zero_d = torch.tensor(1.0)
    torch.manual_seed(spec["zero_seed"])
    linear = nn.Linear(0, 4)
    next_draw = torch.rand(5)
    out = {
        "cases": {name: init_case(case) for name, case in spec["cases"].items()},
        "gains": [nn.init.calculate_gain(name, param) for name, param in spec["gains"]],
        "fan_errors": {
            "calculate_fan_in_and_fan_out 1-D": error_of(lambda: nn.init._calculate_fan_in_and_fan_out(one_d)),
            "calculate_fan_in_and_fan_out 0-D": error_of(lambda: nn.init._calculate_fan_in_and_fan_out(zero_d)),
            "xavier_uniform_ 1-D": error_of(lambda: nn.init.xavier_uniform_(one_d)),
            "xavier_normal_ 1-D": error_of(lambda: nn.init.xavier_normal_(one_d)),
            "kaiming_uniform_ 1-D": error_of(lambda: nn.init.kaiming_uniform_(one_d)),
            "kaiming_normal_ 1-D": error_of(lambda: nn.init.kaiming_normal_(one_d, mode="fan_out")),
        },
        "zero_element": {f"{fn} {shape}": error_of(lambda: getattr(nn.init, fn)(torch.empty(shape)))
                         for fn in ["kaiming_uniform_", "kaiming_normal_"] for shape in [[0, 3], [4, 0]]},
        "fans": [list(nn.init._calculate_fan_in_and_fan_out(torch.empty(s))) for s in spec["fan_shapes"]],
        "zero_linear": {"state": [[k, enc(v)] for k, v in linear.state_dict().items()], "next_draw": enc(next_draw)},
    }
    json.dump(out, sys.stdout, allow_nan=False)


main()
