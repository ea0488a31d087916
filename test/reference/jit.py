# Reference for test/jit.test.ts (a long-lived session, one JSON request per line):
#   make:  TorchScript archives Python writes (scripted modules with control flow, loops, dict /
#          tuple / list outputs, custom methods and submodules; traced torchvision resnet18 and
#          mobilenet_v2), their inputs and PyTorch's outputs, and 20 Adam steps on a loaded
#          script module, all written under req["dir"] with torch.save / torch.jit.save.
#   run:   loads archives torch-ts wrote (traced, frozen) and runs each on its input; the
#          outputs are saved next to them for the test to compare.
import json
import os
import sys
import traceback
from typing import Dict, List, Tuple

import torch
import torchvision
from torch import nn

torch.set_num_threads(1)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)
        self.gain = 0.5

    def forward(self, x):
        return torch.tanh(self.lin(x)) * self.gain


class Scripted(nn.Module):
    """Control flow, a loop over submodules, attributes, several output kinds and custom methods."""

    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([Block(), Block()])
        self.head = nn.Linear(4, 3)
        self.tags: List[str] = ["a", "b"]
        self.steps = 3

    def forward(self, x, n: int = 2, scale: float = 1.0) -> Dict[str, torch.Tensor]:
        for b in self.blocks:
            x = x + b(x)
        y = self.head(x)
        total = torch.zeros_like(y)
        for i in range(n):
            if i % 2 == 0:
                total = total + y * scale
            else:
                total = total - y.relu()
        return {"y": y, "total": total, "norm": torch.linalg.vector_norm(x, dim=1)}

    @torch.jit.export
    def pair(self, x, k: float) -> Tuple[torch.Tensor, List[int]]:
        return x * k, [x.shape[0], x.shape[1], self.steps]

    @torch.jit.export
    def split(self, x, parts: List[int]) -> List[torch.Tensor]:
        out: List[torch.Tensor] = []
        start = 0
        for p in parts:
            out.append(x[start:start + p].sum(0))
            start += p
        return out

    @torch.jit.export
    def describe(self, d: Dict[str, int], flag: bool) -> str:
        keys = sorted(d.keys())
        s = ",".join(keys)
        return s + ("!" if flag else "?") + str(d[keys[0]] if len(keys) > 0 else -1)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 4))

    def forward(self, x):
        return self.net(x)


def make(req):
    d = req["dir"]
    torch.manual_seed(0)
    scripted = torch.jit.script(Scripted())
    torch.jit.save(scripted, os.path.join(d, "scripted.pt"))
    x = torch.randn(5, 4)
    out = scripted(x, 3, 0.5)
    pair = scripted.pair(x, 1.5)
    torch.save({"x": x, "y": out["y"], "total": out["total"], "norm": out["norm"], "pair0": pair[0],
                "split": scripted.split(x, [2, 3])}, os.path.join(d, "scripted_out.pth"))
    answers = {"pair1": pair[1], "describe": scripted.describe({"zeta": 4, "alpha": 2}, True),
               "schema": str(scripted.forward.schema), "code_has_loop": "for" in scripted.code or "loop" in str(scripted.graph)}

    for name in ("resnet18", "mobilenet_v2"):
        torch.manual_seed(1)
        model = getattr(torchvision.models, name)().eval()
        xi = torch.randn(2, 3, 64, 64)
        traced = torch.jit.trace(model, xi)
        torch.jit.save(traced, os.path.join(d, f"{name}.pt"))
        with torch.no_grad():
            torch.save({"x": xi, "y": model(xi)}, os.path.join(d, f"{name}_out.pth"))

    # A scripted BatchNorm model: eval output, then a train-mode output and the buffers it updated.
    torch.manual_seed(3)
    bn = torch.jit.script(nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU()))
    bn.eval()
    torch.jit.save(bn, os.path.join(d, "bn.pt"))
    xb = torch.randn(4, 3, 6, 6)
    with torch.no_grad():
        y_eval = bn(xb)
        bn.train()
        y_train = bn(xb)
    torch.save({"x": xb, "eval": y_eval, "train": y_train, "running_mean": bn[1].running_mean.clone()}, os.path.join(d, "bn_out.pth"))

    # 20 Adam steps on the loaded archive, the loss Python sees at each step.
    torch.manual_seed(2)
    torch.jit.save(torch.jit.script(Mlp()), os.path.join(d, "mlp.pt"))
    data = {"x": torch.randn(32, 6), "y": torch.randint(0, 4, (32,))}
    torch.save(data, os.path.join(d, "mlp_data.pth"))
    m = torch.jit.load(os.path.join(d, "mlp.pt"))
    opt = torch.optim.Adam(m.parameters(), lr=0.01)
    losses = []
    for _ in range(20):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(m(data["x"]), data["y"])
        loss.backward()
        opt.step()
        losses.append(loss.item())
    torch.save(dict(m.state_dict()), os.path.join(d, "mlp_trained.pth"))
    answers["losses"] = losses
    return answers


def run(req):
    out = {}
    for name in req["names"]:
        m = torch.jit.load(os.path.join(req["dir"], f"{name}.pt"))
        x = torch.load(os.path.join(req["dir"], f"{name}_in.pth"))
        with torch.no_grad():
            y = m(*x) if isinstance(x, (list, tuple)) else m(x)
        torch.save(y, os.path.join(req["dir"], f"{name}_py.pth"))
        out[name] = {"type": m.original_name, "keys": list(m.state_dict().keys())}
    return out


COMMANDS = {"make": make, "run": run}


def main():
    for line in sys.stdin:
        req = json.loads(line)
        try:
            res = COMMANDS[req["cmd"]](req)
        except Exception:  # noqa: BLE001
            res = {"error": traceback.format_exc()}
        sys.stdout.write(json.dumps(res) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
