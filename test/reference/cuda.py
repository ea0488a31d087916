# Reference for test/cuda/*.test.ts: the same work done by Python PyTorch on the device under
# test (the GPU machine's PyTorch 2.x + CUDA; the CPU in a dry run with Debian's torch 1.13).
# stdin: {task, device, ...}; tensors travel through .pth files (TS writes with torch.save,
# this script reads them with weights_only=True and writes its results as CPU tensors).
# Op and autograd tables mirror test/cuda/ops_autograd.test.ts entry by entry, by name.
import json
import pickle
import sys
import types

import torch
import torch.nn.functional as F
import torchvision
from torch import nn

req = json.loads(sys.stdin.read())
DEV = req["device"]
DTYPES = {"float32": torch.float32, "float64": torch.float64}
# TF32 and cuDNN settings are left at PyTorch's defaults, which are libtorch's: the TS side runs
# with the same ones.


def load(path):
    # Tensors from here are shared by several cases: take copies (`.to(..., copy=True)`) before
    # anything in-place or requires_grad_, since on the CPU `.to()` returns the tensor itself.
    return torch.load(path, map_location="cpu", weights_only=True)


def save_cpu(d, path):
    torch.save({k: v.detach().cpu() for k, v in d.items()}, path)


class Inputs:
    """Inputs on the device in one dtype (integer tensors keep theirs)."""

    def __init__(self, raw, dtype, requires_grad=()):
        self.t = {}
        for k, v in raw.items():
            # A fresh leaf on the device each time (never the loaded tensor itself).
            v = v.to(DEV, dtype if v.is_floating_point() else v.dtype, copy=True)
            if k in requires_grad:
                v.requires_grad_(True)
            self.t[k] = v

    def __getattr__(self, name):
        return self.t[name]


# ---- ops: mirror of OPS in ops_autograd.test.ts ----
OPS = {
    "add alpha": lambda t: t.a.add(t.b, alpha=0.5),
    "sub": lambda t: t.a.sub(t.b),
    "mul": lambda t: t.a.mul(t.b),
    "div": lambda t: t.a.div(t.pos),
    "pow 3": lambda t: t.a.pow(3),
    "exp": lambda t: t.a.exp(),
    "log": lambda t: t.pos.log(),
    "sqrt": lambda t: t.pos.sqrt(),
    "rsqrt": lambda t: t.pos.rsqrt(),
    "tanh": lambda t: t.a.tanh(),
    "sigmoid": lambda t: t.a.sigmoid(),
    "relu": lambda t: t.a.relu(),
    "abs": lambda t: t.a.abs(),
    "sin": lambda t: t.a.sin(),
    "clamp": lambda t: t.a.clamp(-0.5, 0.5),
    "where": lambda t: torch.where(t.a.gt(0), t.a, t.b),
    "sum": lambda t: t.a.sum(),
    "sum dim 1": lambda t: t.a.sum(1),
    "mean dim 0 keepdim": lambda t: t.a.mean(0, keepdim=True),
    "std dim 1": lambda t: t.a.std(1),
    "var": lambda t: t.a.var(),
    "max dim 1": lambda t: list(t.a.max(1)),
    "argmin dim 0": lambda t: t.a.argmin(0),
    "softmax dim 1": lambda t: F.softmax(t.a, 1),
    "logSoftmax dim 1": lambda t: F.log_softmax(t.a, 1),
    "matmul": lambda t: t.m1.matmul(t.m2),
    "linear": lambda t: F.linear(t.a, t.lw, t.lb),
    "conv2d padding 1": lambda t: F.conv2d(t.img, t.w, t.cb, padding=1),
    "conv2d stride 2 dilation 2": lambda t: F.conv2d(t.img, t.w, None, stride=2, padding=2, dilation=2),
    "conv2d groups 4": lambda t: F.conv2d(t.img, t.wg, t.cb, padding=1, groups=4),
    "batchNorm train": lambda t: bn_train(t),
    "batchNorm eval": lambda t: F.batch_norm(t.img, t.rm, t.rv, t.bnw, t.bnb, training=False),
    "maxPool2d 3/2/1": lambda t: F.max_pool2d(t.img, 3, 2, 1),
    "maxPool2d 3 ceilMode": lambda t: F.max_pool2d(t.img, 3, ceil_mode=True),
    "avgPool2d 2": lambda t: F.avg_pool2d(t.img, 2),
    "avgPool2d 3/2/1 countIncludePad false": lambda t: F.avg_pool2d(t.img, 3, 2, 1, count_include_pad=False),
    "adaptiveAvgPool2d 1": lambda t: F.adaptive_avg_pool2d(t.img, 1),
    "adaptiveAvgPool2d [3, 4]": lambda t: F.adaptive_avg_pool2d(t.img, [3, 4]),
    "crossEntropy": lambda t: F.cross_entropy(t.logits, t.target),
    "crossEntropy labelSmoothing 0.1 sum": lambda t: F.cross_entropy(t.logits, t.target, label_smoothing=0.1, reduction="sum"),
    "nllLoss of logSoftmax": lambda t: F.nll_loss(F.log_softmax(t.logits, 1), t.target),
    "mseLoss": lambda t: F.mse_loss(t.a, t.b),
}


def bn_train(t):
    rm, rv = t.rm.clone(), t.rv.clone()
    return [F.batch_norm(t.img, rm, rv, t.bnw, t.bnb, training=True, momentum=0.1), rm, rv]


# ---- autograd: mirror of GRADS in ops_autograd.test.ts (inputs needing grads, scalar function) ----
GRADS = {
    "elementwise chain": (["a", "b", "pos"], lambda t: t.a.mul(t.b).tanh().exp().add(t.pos.log().mul(t.a.sigmoid())).sum()),
    "logSoftmax and reductions": (["a", "b"], lambda t: F.log_softmax(t.a.mul(t.b), 1).mean(0).pow(2).sum().add(t.a.std(1).sum())),
    "matmul and linear": (["a", "lw", "lb", "m1", "m2"],
                          lambda t: F.linear(t.a, t.lw, t.lb).relu().pow(2).mean().add(t.m1.matmul(t.m2).tanh().sum())),
    "pooling": (["img"], lambda t: F.max_pool2d(t.img, 3, 2, 1).mul(F.avg_pool2d(t.img, 3, 2, 1)).sum()
                .add(F.adaptive_avg_pool2d(t.img, [3, 4]).pow(2).sum())),
    "crossEntropy and nllLoss": (["logits"], lambda t: F.cross_entropy(t.logits, t.target, label_smoothing=0.1)
                                 .add(F.nll_loss(F.log_softmax(t.logits, 1), t.target, reduction="sum"))),
    "conv2d alone": (["img", "w"], lambda t: F.conv2d(t.img, t.w, None, stride=2, padding=1).pow(2).sum()),
    "conv2d, batchNorm (train), relu, pool, linear, crossEntropy": (
        ["img", "w", "bw", "bb", "hw"],
        lambda t: F.cross_entropy(F.linear(F.adaptive_avg_pool2d(F.batch_norm(
            F.conv2d(t.img, t.w, None, padding=1), None, None, t.bw, t.bb, training=True).relu(), 1).flatten(1), t.hw), t.t8)),
}


def task_ops():
    raw = load(req["inputs"])
    out = {}
    for dt in req["dtypes"]:
        for name in req["names"]:
            res = OPS[name](Inputs(raw, DTYPES[dt]))
            for i, r in enumerate(res if isinstance(res, list) else [res]):
                out[f"{name}|{dt}|{i}"] = r
    save_cpu(out, req["out"])
    return {"count": len(out)}


def task_grads():
    raw = load(req["inputs"])
    out = {}
    for dt in req["dtypes"]:
        for name in req["names"]:
            wrt, f = GRADS[name]
            t = Inputs(raw, DTYPES[dt], wrt)
            value = f(t)
            value.backward()
            out[f"{name}|{dt}|value"] = value
            for k in wrt:
                out[f"{name}|{dt}|grad:{k}"] = t.t[k].grad
    save_cpu(out, req["out"])
    return {"count": len(out)}


# ---- layers: built from the same JSON specs as layers_optim.test.ts ----
def snake(name):
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def build(spec):
    if spec["ctor"] == "Sequential":
        return nn.Sequential(*[build(c) for c in spec["children"]])
    kw = {snake(k): v for k, v in spec.get("kw", {}).items()}
    return getattr(nn, spec["ctor"])(*spec.get("args", []), **kw)


def task_layers():
    raw = load(req["file"])
    out = {}
    for name, spec in req["layers"].items():
        for dt in req["dtypes"]:
            layer = build(spec)
            prefix = f"{name}|state|"
            layer.load_state_dict({k[len(prefix):]: v for k, v in raw.items() if k.startswith(prefix)}, strict=True)
            layer.to(DEV, DTYPES[dt]).train(spec.get("train", False))
            x = raw[f"{name}|x"].to(DEV, DTYPES[dt], copy=True).requires_grad_(True)
            args = [x]
            if f"{name}|target" in raw:
                target = raw[f"{name}|target"].to(DEV)
                args.append(target.to(DTYPES[dt]) if target.is_floating_point() else target)
            y = layer(*args)
            y.backward(raw[f"{name}|cot"].to(DEV, DTYPES[dt]))
            out[f"{name}|{dt}|out"] = y
            out[f"{name}|{dt}|x_grad"] = x.grad
            for k, p in layer.named_parameters():
                out[f"{name}|{dt}|grad|{k}"] = p.grad
            for k, b in layer.named_buffers():
                out[f"{name}|{dt}|buffer|{k}"] = b
    save_cpu(out, req["out"])
    return {"count": len(out)}


def task_adam():
    raw = load(req["file"])
    out = {}
    n = req["params"]
    for cname, cfg in req["configs"].items():
        params = [raw[f"p{i}"].to(DEV, copy=True).requires_grad_(True) for i in range(n)]
        kw = {snake(k): (tuple(v) if k == "betas" else v) for k, v in cfg.items()}
        opt = torch.optim.Adam(params, **kw)
        for s in range(req["steps"]):
            for i, p in enumerate(params):
                p.grad = raw[f"g{s}_{i}"].to(DEV, copy=True)
            opt.step()
        for i, p in enumerate(params):
            out[f"{cname}|p{i}"] = p
            for k, v in opt.state[p].items():
                out[f"{cname}|p{i}|{k}"] = v
    save_cpu(out, req["out"])
    return {"count": len(out)}


def task_resnet50():
    raw = load(req["file"])
    state = {k[len("state|"):]: v for k, v in raw.items() if k.startswith("state|")}
    out = {}
    for dt in req["dtypes"]:
        model = torchvision.models.resnet50(num_classes=req["classes"])
        model.load_state_dict(state, strict=True)
        model.to(DEV, DTYPES[dt]).train()
        logits = model(raw["x"].to(DEV, DTYPES[dt]))
        loss = F.cross_entropy(logits, raw["y"].to(DEV))
        loss.backward()
        out[f"{dt}|logits"] = logits
        out[f"{dt}|loss"] = loss
        for k, p in model.named_parameters():
            out[f"{dt}|grad|{k}"] = p.grad
        for k, b in model.named_buffers():
            out[f"{dt}|buffer|{k}"] = b
    save_cpu(out, req["out"])
    return {"count": len(out)}


# ---- checkpoints both ways ----
def misc_tensors():
    g = torch.Generator().manual_seed(7)
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    return {
        "float32": torch.randn(3, 5, generator=g),
        "float64": torch.randn(4, generator=g, dtype=torch.float64),
        "float16": torch.randn(2, 3, generator=g).half(),
        "bfloat16": torch.randn(2, 3, generator=g).bfloat16(),
        "int64": torch.arange(-5, 5),
        "int32": torch.arange(6, dtype=torch.int32).reshape(2, 3),
        "int8": torch.tensor([-128, 0, 127], dtype=torch.int8),
        "uint8": torch.tensor([0, 255, 7], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(3.5),
        "base": base,
        "slice view": base[1:3, 2:5],
        "transposed view": base.t(),
    }


def task_ckpt_write():
    torch.manual_seed(3)
    model = torchvision.models.resnet18(num_classes=10).to(DEV).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(2, 3, 32, 32).to(DEV)
    F.cross_entropy(model(x), torch.tensor([1, 7], device=DEV)).backward()
    opt.step()  # moves the weights off their init and gives the optimizer state on the device
    model.eval()
    tensors = {k: v.to(DEV) for k, v in misc_tensors().items()}
    base = tensors["base"]
    tensors["slice view"], tensors["transposed view"] = base[1:3, 2:5], base.t()  # views share base's storage
    with torch.no_grad():
        logits = model(x)
    # The newest format this PyTorch writes: torch.save's default (zip archive, pickle protocol 2).
    torch.save({"model": model.state_dict(), "tensors": tensors, "optimizer": opt.state_dict()}, req["dir"] + "/py_device.pth")
    cpu = {f"model|{k}": v for k, v in model.state_dict().items()}
    cpu.update({f"tensors|{k}": v for k, v in tensors.items()})
    for i, s in opt.state_dict()["state"].items():
        for k, v in s.items():
            cpu[f"optimizer|{i}|{k}"] = v
    cpu["x"], cpu["logits"] = x, logits
    save_cpu(cpu, req["dir"] + "/py_cpu.pth")
    return {"version": torch.__version__, "saved_device": str(base.device)}


class StrictUnpickler(pickle.Unpickler):
    """weights_only's allowlist on the stock unpickler, for the dry run only: torch 1.13's
    weights-only unpickler lacks BINFLOAT (Adam's lr is a float). 2.x reads it natively."""

    def find_class(self, module, name):
        allowed = torch._weights_only_unpickler._get_allowed_globals()
        if f"{module}.{name}" in allowed:
            return allowed[f"{module}.{name}"]
        raise pickle.UnpicklingError(f"global {module}.{name} is not allowed")


def load_weights_only(path, **kw):
    try:
        return torch.load(path, weights_only=True, **kw), "weights_only"
    except pickle.UnpicklingError as e:
        if "Unsupported operand 71" not in str(e) or not torch.__version__.startswith("1."):
            raise
        strict = types.SimpleNamespace(__name__="strict_pickle", Unpickler=StrictUnpickler, load=None)
        return torch.load(path, pickle_module=strict, **kw), "strict allowlist (torch 1.x)"


def task_ckpt_read():
    problems = []
    got, loader = load_weights_only(req["file"])
    ref = load(req["reference"])
    devices = set()

    def check(path, t):
        devices.add(str(t.device))
        if t.device.type != DEV:
            problems.append(f"{path}: on {t.device}, expected {DEV}")
        r = ref.get(path)
        if r is None:
            problems.append(f"{path}: not in the reference file")
        elif t.dtype != r.dtype or t.shape != r.shape or not torch.equal(t.cpu(), r):
            problems.append(f"{path}: {t.dtype} {tuple(t.shape)} differs from the reference {r.dtype} {tuple(r.shape)}")

    for k, v in got["model"].items():
        check(f"model|{k}", v)
    for k, v in got["tensors"].items():
        check(f"tensors|{k}", v)
    for i, s in got["optimizer"]["state"].items():
        for k, v in s.items():
            if torch.is_tensor(v) and k != "step":  # step stays a CPU tensor, as in PyTorch
                check(f"optimizer|{i}|{k}", v)
    model = torchvision.models.resnet18(num_classes=10)
    model.load_state_dict(got["model"], strict=True)
    model.to(DEV)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    opt.load_state_dict(got["optimizer"])
    on_cpu, _ = load_weights_only(req["file"], map_location="cpu")
    if any(v.device.type != "cpu" for v in on_cpu["model"].values()):
        problems.append("map_location='cpu' left tensors on another device")
    return {"problems": problems, "devices": sorted(devices), "count": len(got["model"]) + len(got["tensors"]), "loader": loader,
            "version": torch.__version__}


def task_info():
    info = {"version": torch.__version__, "torchvision": torchvision.__version__, "cuda_available": torch.cuda.is_available()}
    if torch.cuda.is_available():
        info.update(device_name=torch.cuda.get_device_name(), cuda=torch.version.cuda,
                    cudnn=torch.backends.cudnn.version(), cudnn_allow_tf32=torch.backends.cudnn.allow_tf32,
                    matmul_allow_tf32=torch.backends.cuda.matmul.allow_tf32)
    return info


TASKS = {"ops": task_ops, "grads": task_grads, "layers": task_layers, "adam": task_adam, "resnet50": task_resnet50,
         "ckpt_write": task_ckpt_write, "ckpt_read": task_ckpt_read, "info": task_info}
print(json.dumps(TASKS[req["task"]]()))
