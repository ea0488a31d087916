# Seed archives for the TorchScript fuzz (test/jit_fuzz.test.ts, scripts/soak/jit_fuzz.ts):
# Python-made TorchScript archives of several shapes, each with the input its forward takes.
# They are also the archives archive_check.ts must never refuse.
# stdin: {"dir": path}; stdout: {"bases": [{"name", "file", "input": shape}], "others": [...]}.
# stdin: {"replay": file, "input": shape}: PyTorch loads a fuzz case and runs forward on ones
# (the oracle for a case that crashed or hung torch-ts while running the loaded code).
import json
import os
import sys
import warnings
from typing import Dict, Final, List, Tuple

import torch
import torch.nn as nn

torch.set_num_threads(1)
warnings.filterwarnings("ignore")  # the tracer's note on torch.tensor constants
torch.manual_seed(0)


class Sub(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, x):
        return torch.relu(self.lin(x))


class Control(nn.Module):
    """Loops, branches, a submodule, tuple and dict outputs, attributes of several types."""

    def __init__(self):
        super().__init__()
        self.sub = Sub()
        self.scale = 2.0
        self.steps = 3
        self.tag = "control"
        self.register_buffer("offset", torch.arange(4.0))

    def forward(self, x) -> Tuple[torch.Tensor, Dict[str, torch.Tensor]]:
        y = self.sub(x)
        for _ in range(self.steps):
            if bool(y.sum() > 0):
                y = y * self.scale - self.offset
            else:
                y = y + 1
        return y, {"sum": y.sum(), "max": y.max()}

    @torch.jit.export
    def names(self) -> List[str]:
        return [self.tag, "x"]


class Views(nn.Module):
    """Buffers that share one storage at offsets and strides, a 0-dim, an empty and an int64 tensor."""

    def __init__(self):
        super().__init__()
        base = torch.arange(24.0)
        self.register_buffer("whole", base)
        self.register_buffer("tail", base[6:].view(3, 6))
        self.register_buffer("strided", base.view(4, 6).t())
        self.register_buffer("scalar", torch.tensor(5.0))
        self.register_buffer("empty", torch.zeros(0, 3))
        self.register_buffer("index", torch.tensor([2, 0, 1]))
        self.register_buffer("halves", torch.ones(3, dtype=torch.float16))

    def forward(self, x):
        y = x @ self.tail[:, :4].t() + self.strided[:3, 1] * self.scalar
        return y[:, self.index] + self.halves.float() + self.empty.sum()


class WithFinal(nn.Module):
    """Class constants, which the printer writes as `k : Final[int] = 3` in the class body."""

    k: Final[int] = 3
    name: Final[str] = "a = b"

    def forward(self, x):
        return x * self.k


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4 * 4 * 4, 5)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.bn(self.conv(x))), 2)
        return self.fc(x.flatten(1)) + torch.tensor([0.5, 0, 0, 0, -0.5])  # a traced constant


def main():
    req = json.loads(sys.stdin.read())
    if "replay" in req:
        try:
            torch.jit.load(req["replay"])(torch.ones(req["input"]))
            print(json.dumps({"ok": True}))
        except Exception as e:  # a clean error; a crash or hang is seen by the caller
            print(json.dumps({"ok": False, "error": str(e)[:300]}))
        return
    d = req["dir"]
    bases = []

    def save(name, m, shape):
        f = os.path.join(d, name + ".pt")
        torch.jit.save(m, f)
        torch.jit.load(f)(torch.ones(shape))  # Python itself loads and runs it
        bases.append({"name": name, "file": f, "input": list(shape)})

    save("control", torch.jit.script(Control()), (2, 4))
    save("frozen", torch.jit.freeze(torch.jit.script(Control()).eval()), (2, 4))
    save("views", torch.jit.script(Views()), (2, 4))
    cnn = CNN().eval()
    save("cnn_traced", torch.jit.trace(cnn, torch.randn(1, 3, 8, 8)), (1, 3, 8, 8))
    # Archives the check must accept that are not fuzzed: quantized weights (_rebuild_qtensor),
    # extra files (one named like a pickle but not one), a lite-interpreter save (bytecode.pkl),
    # class constants (Final).
    others = []

    def other(name, save_to):
        f = os.path.join(d, name + ".pt")
        save_to(f)
        torch.jit.load(f)
        others.append({"name": name, "file": f})

    q = torch.ao.quantization.quantize_dynamic(nn.Sequential(nn.Linear(4, 3)), {nn.Linear}, dtype=torch.qint8)
    other("quantized", lambda f: torch.jit.save(torch.jit.script(q), f))
    extra = {"meta.pkl": b"not a pickle \xff\x00", "notes.txt": b"hello"}
    other("extra_files", lambda f: torch.jit.save(torch.jit.script(Control()), f, _extra_files=extra))
    other("lite", lambda f: torch.jit.script(Control())._save_for_lite_interpreter(f))
    other("final_constants", lambda f: torch.jit.save(torch.jit.script(WithFinal()), f))
    print(json.dumps({"bases": bases, "others": others}))


if __name__ == "__main__":
    main()
