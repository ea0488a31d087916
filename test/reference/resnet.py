# Reference for test/resnet.test.ts: torchvision's ResNet family (and the tutorial's
# bias-everywhere variant, written here the tutorial's way) as the oracle. Weights, inputs,
# gradients and running statistics go to the test as raw little-endian bytes in one file per
# model under req["dir"] (an index of key -> dtype, shape, offset, nbytes comes back as JSON);
# everything small (keys, shapes, logits, reprs, hashes) is JSON on stdout.
import hashlib
import json
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision.models as tvm

req = json.loads(sys.stdin.read())
torch.set_num_threads(1)
OUT = req["dir"]


def dtype_name(dt):
    return str(dt).replace("torch.", "")


def le_bytes(t):
    a = t.detach().cpu().contiguous().numpy()
    return np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes()


class Blob:
    """Tensors appended to one binary file; add() returns the index entry the test reads."""

    def __init__(self, name):
        self.path = f"{OUT}/{name}.bin"
        self.parts = []
        self.offset = 0

    def add(self, t):
        b = le_bytes(t)
        e = {"shape": list(t.shape), "dtype": dtype_name(t.dtype), "offset": self.offset, "nbytes": len(b)}
        self.parts.append(b)
        self.offset += len(b)
        return e

    def add_map(self, items):
        return [{"key": k, **self.add(v)} for k, v in items]

    def close(self):
        with open(self.path, "wb") as f:
            for p in self.parts:
                f.write(p)
        return self.path


def plain(t):
    t = t.detach()
    return {"shape": list(t.shape), "dtype": dtype_name(t.dtype), "values": t.reshape(-1).tolist()}


def structure(model):
    sd = model.state_dict()
    return {
        "keys": list(sd.keys()),
        "shapes": [list(v.shape) for v in sd.values()],
        "dtypes": [dtype_name(v.dtype) for v in sd.values()],
        "numParameters": sum(p.numel() for p in model.parameters()),
        "children": [n for n, _ in model.named_children()],
    }


# ---- the tutorial's ResNet: every convolution (downsample's too) has a bias, and the model
# registers an nn.Flatten child between avgpool and fc.
class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=True)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=True)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += identity
        return self.relu(out)


class BottleBlock(nn.Module):
    expansion = 4

    def __init__(self, in_planes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=1, bias=True)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=stride, padding=1, bias=True)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * self.expansion, kernel_size=1, bias=True)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        out += identity
        return self.relu(out)


class ResNet(nn.Module):
    def __init__(self, block, layers, num_classes=1000):
        super().__init__()
        self.in_planes = 64
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=True)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(512 * block.expansion, num_classes)

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.in_planes != planes * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self.in_planes, planes * block.expansion, kernel_size=1, stride=stride, bias=True),
                nn.BatchNorm2d(planes * block.expansion),
            )
        layers = [block(self.in_planes, planes, stride, downsample)]
        self.in_planes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.in_planes, planes))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.flatten(self.avgpool(x)))


TUTORIAL = {"tutorial18": (BasicBlock, [2, 2, 2, 2]), "tutorial50": (BottleBlock, [3, 4, 6, 3])}


def build(arch, **kw):
    if arch in TUTORIAL:
        block, layers = TUTORIAL[arch]
        return ResNet(block, layers, **kw)
    return getattr(tvm, arch)(**kw)


def skip_init():
    """Structure-only builds: no random init (shapes and keys don't depend on it)."""
    saved = (nn.Conv2d.reset_parameters, nn.Linear.reset_parameters, nn.init.kaiming_normal_)
    nn.Conv2d.reset_parameters = lambda self: None
    nn.Linear.reset_parameters = lambda self: None
    nn.init.kaiming_normal_ = lambda t, *a, **k: t

    def restore():
        nn.Conv2d.reset_parameters, nn.Linear.reset_parameters, nn.init.kaiming_normal_ = saved

    return restore


def randomize(model, seed):
    """Makes every BatchNorm matter: random affine parameters, running statistics from a
    calibration batch (so activations stay well scaled through the depth), then perturbed,
    and a random num_batches_tracked."""
    g = torch.Generator().manual_seed(seed)
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for m in bns:
            m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
            m.bias.copy_((torch.rand(m.bias.shape, generator=g) - 0.5) * 0.4)
            m.reset_running_stats()
            m.momentum = None  # cumulative average: one batch gives its statistics
        model.train()
        model(torch.randn(4, 3, 64, 64, generator=g))
        for m in bns:
            m.momentum = 0.1
            m.running_mean.add_(torch.randn(m.running_mean.shape, generator=g) * 0.1 * m.running_var.sqrt())
            m.running_var.mul_(torch.rand(m.running_var.shape, generator=g) * 0.6 + 0.7)
            m.num_batches_tracked.fill_(int(torch.randint(1, 1000, (1,), generator=g)))


result = {}

# 1. Structure of every factory (num_classes=10) and the printed form of two.
restore = skip_init()
result["structure"] = {a: structure(build(a, num_classes=req["numClasses"])) for a in req["structure"]}
result["tutorialStructure"] = {a: structure(build(a, num_classes=req["numClasses"])) for a in TUTORIAL}
restore()
result["repr"] = {a: str(build(a)) for a in req["repr"]}

# 2-4. Numeric runs: seeded, randomised weights; an eval forward; one train forward+backward.
numeric = {}
saved_states = {}
for case in req["numeric"]:
    torch.manual_seed(case["seed"])
    model = build(case["arch"], num_classes=case["numClasses"])
    randomize(model, case["seed"] + 1)
    blob = Blob(case["name"])
    state = model.state_dict()
    saved_states[case["name"]] = {k: v.clone() for k, v in state.items()}
    g = torch.Generator().manual_seed(case["seed"] + 2)
    x = torch.randn(req["batch"], generator=g)
    y = torch.randint(0, case["numClasses"], (req["batch"][0],), generator=g)
    out = {"state": blob.add_map(state.items()), "x": blob.add(x), "y": plain(y)}
    model.eval()
    with torch.no_grad():
        out["evalLogits"] = plain(model(x))
    if case.get("train"):
        model.train()
        logits = model(x)
        loss = nn.CrossEntropyLoss()(logits, y)
        loss.backward()
        out["trainLogits"] = plain(logits)
        out["loss"] = loss.item()
        out["grads"] = blob.add_map((k, p.grad) for k, p in model.named_parameters())
        out["buffers"] = blob.add_map(model.named_buffers())
    out["file"] = blob.close()
    numeric[case["name"]] = out
result["numeric"] = numeric


def layer4_shape(model, x):
    shapes = []
    h = model.layer4.register_forward_hook(lambda m, i, o: shapes.append(list(o.shape)))
    with torch.no_grad():
        logits = model(x)
    h.remove()
    return shapes[0], logits


# 5a. replace_stride_with_dilation=[False, True, True] for resnet50, with the resnet50 case's weights.
d = req["dilation"]
src = numeric[d["weightsFrom"]]
model = tvm.resnet50(num_classes=d["numClasses"], replace_stride_with_dilation=[False, True, True])
model.load_state_dict(saved_states[d["weightsFrom"]])
model.eval()
x = torch.from_numpy(np.fromfile(src["file"], dtype="<f4", count=int(np.prod(src["x"]["shape"])), offset=src["x"]["offset"]).reshape(src["x"]["shape"]))
shape4, logits = layer4_shape(model, x)
shape4_plain, _ = layer4_shape(tvm.resnet50(num_classes=d["numClasses"]).eval(), x)
result["dilation"] = {"structure": structure(model), "repr": str(model), "layer4Shape": shape4, "layer4ShapeUndilated": shape4_plain, "evalLogits": plain(logits)}

# 5b. A grayscale resnet18: conv1 replaced by a 1-channel one; the rest from the resnet18 case.
gcase = req["gray"]
torch.manual_seed(gcase["seed"])
model = tvm.resnet18(num_classes=gcase["numClasses"])
model.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
nn.init.kaiming_normal_(model.conv1.weight, mode="fan_out", nonlinearity="relu")
state = dict(saved_states[gcase["weightsFrom"]])
state["conv1.weight"] = model.conv1.weight.detach().clone()
model.load_state_dict(state)
model.eval()
g = torch.Generator().manual_seed(gcase["seed"] + 1)
x = torch.randn([2, 1, 28, 28], generator=g)
blob = Blob("gray")
entry = {"conv1": blob.add(state["conv1.weight"]), "x": blob.add(x)}
with torch.no_grad():
    entry["evalLogits"] = plain(model(x))
entry["structure"] = structure(model)
entry["repr"] = str(model)
entry["file"] = blob.close()
result["gray"] = entry

# 5c. zero_init_residual: which BatchNorm weights torchvision zeroes.
zero = {}
for a in req["zeroInit"]:
    for flag in (True, False):
        m = tvm.__dict__[a](zero_init_residual=flag)
        zero[f"{a}:{str(flag).lower()}"] = [n + ".weight" for n, mod in m.named_modules()
                                if isinstance(mod, nn.BatchNorm2d) and bool((mod.weight == 0).all())]
result["zeroInit"] = zero

# 5d. _make_layer's downsample rule, called directly.
make_layer = []
for c in req["makeLayer"]:
    block = tvm.resnet.BasicBlock if c["block"] == "BasicBlock" else tvm.resnet.Bottleneck
    m = tvm.resnet.ResNet(block, [1, 1, 1, 1], groups=c.get("groups", 1), width_per_group=c.get("widthPerGroup", 64))
    m.inplanes = c["inplanes"]
    m.dilation = c.get("dilation", 1)
    try:
        seq = m._make_layer(block, c["planes"], c["blocks"], c["stride"], c["dilate"])
        make_layer.append({"structure": structure(seq), "repr": str(seq), "inplanes": m.inplanes, "dilation": m.dilation})
    except Exception as e:  # the error torchvision raises, for the test to match
        make_layer.append({"error": str(e)})
result["makeLayer"] = make_layer
errors = []
for a, kw in req["errors"]:
    try:
        build(a, **kw)
        errors.append(None)
    except Exception as e:
        errors.append(str(e))
result["errors"] = errors

# 5e. Initialisation: kaiming_normal_(mode="fan_out", nonlinearity="relu") std of every conv
# weight, and the BatchNorm parameters' and buffers' values, as torchvision initialises them.
init = {}
for a in req["init"]:
    m = tvm.__dict__[a](num_classes=req["numClasses"])
    conv_std = {}
    for n, mod in m.named_modules():
        if isinstance(mod, nn.Conv2d):
            _, fan_out = nn.init._calculate_fan_in_and_fan_out(mod.weight)
            conv_std[n + ".weight"] = nn.init.calculate_gain("relu") / fan_out ** 0.5
    bn = {}
    for n, mod in m.named_modules():
        if isinstance(mod, nn.BatchNorm2d):
            for k, v in list(mod.named_parameters()) + list(mod.named_buffers()):
                bn[f"{n}.{k}"] = sorted(set(v.reshape(-1).tolist()))
    init[a] = {"convStd": conv_std, "bn": bn}
result["init"] = init

# 5f. Seeded init: the same torch.manual_seed gives the same weights (hashes of the raw bytes).
seeded = {}
for a in req["seeded"]:
    torch.manual_seed(req["seed"])
    m = tvm.__dict__[a]()
    seeded[a] = {k: {"sha256": hashlib.sha256(le_bytes(v)).hexdigest(), "head": v.reshape(-1)[:4].tolist()}
                 for k, v in m.state_dict().items()}
result["seeded"] = seeded

print(json.dumps(result))
