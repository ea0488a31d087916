# Reference for test/nn_module_setattr.test.ts: Module.__setattr__/__delattr__ registration
# (fields in assignment order, reassigning, deleting, None), forward pre/post hooks and global
# hooks, and half()/double()/float()/bfloat16() dtypes, on one model built in Debian's torch.
# stdin: {"x": [..] (1x1x5x5 float32 values)}. stdout: JSON.
import json
import sys

import torch
from torch import nn

torch.set_num_threads(1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, 3)
        self.scale = nn.Parameter(torch.ones(3))
        self.register_buffer("count", torch.zeros((), dtype=torch.long))
        self.register_buffer("tmp", torch.zeros(2), persistent=False)
        self.head = nn.Linear(3, 4)
        self.drop = nn.Dropout(0.5)
        self.extra = nn.Linear(2, 2)
        self.plain = torch.ones(2)

    def forward(self, x):
        h = self.conv(x).mean((2, 3)) * self.scale
        return self.drop(self.head(h))


def refuses(fn):
    try:
        fn()
    except TypeError:
        return "TypeError"
    return None


def main():
    req = json.load(sys.stdin)
    torch.manual_seed(7)
    net = Net()
    out = {"keys_constructed": list(net.state_dict().keys())}
    net.head = nn.Linear(3, 5)
    del net.extra
    net.extra2 = nn.Sequential(nn.Linear(2, 2))
    net.conv.bias = None
    net.count = torch.ones((), dtype=torch.long)
    out["keys"] = list(net.state_dict().keys())
    out["modules"] = [n for n, _ in net.named_modules()]
    out["parameters"] = [n for n, _ in net.named_parameters()]
    out["buffers"] = [n for n, _ in net.named_buffers()]
    out["count"] = int(net.count)
    out["repr"] = repr(net)
    out["refuse_tensor_as_parameter"] = refuses(lambda: setattr(net, "scale", torch.zeros(3)))
    out["refuse_number_as_module"] = refuses(lambda: setattr(net, "head", 3))
    out["refuse_string_as_buffer"] = refuses(lambda: setattr(net, "count", "x"))
    net.eval()
    out["training"] = [m.training for m in net.modules()]

    x = torch.tensor(req["x"], dtype=torch.float32).reshape(1, 1, 5, 5)
    calls = []
    seen = []
    h1 = net.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    h2 = net.register_forward_hook(lambda m, args, y: y + 1)
    h3 = net.head.register_forward_hook(lambda m, args, y: seen.append(list(args[0].shape)))
    g = nn.modules.module.register_module_forward_hook(lambda m, args, y: calls.append(type(m).__name__))
    with torch.no_grad():
        out["hooked"] = net(x).flatten().tolist()
        out["global_calls"] = list(calls)
        out["head_input_shapes"] = list(seen)
        for h in (h1, h2, h3, g):
            h.remove()
        out["unhooked"] = net(x).flatten().tolist()
    out["global_calls_after_remove"] = len(calls)

    dtypes = {}
    for cast in ("half", "double", "bfloat16", "float"):
        getattr(net, cast)()
        dtypes[cast] = {k: str(v.dtype).replace("torch.", "") for k, v in net.state_dict().items()}
    out["dtypes"] = dtypes
    print(json.dumps(out))


main()
