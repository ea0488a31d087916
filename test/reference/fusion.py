# Reference for test/fusion.test.ts: torch.nn.utils.fuse_conv_bn_eval / fuse_linear_bn_eval and
# torch.ao.quantization.fuse_modules as the oracle. Each case goes to the test as one torch.save
# file under req["dir"] (the inputs, the fused layer's state dict, outputs), which the test reads
# with torch-ts's own torch.load; names and key lists come back as JSON on stdout.
import json
import sys

import torch
import torch.nn as nn
import torchvision.models as tvm
from torch.ao.quantization import fuse_modules
from torch.nn.utils.fusion import fuse_conv_bn_eval, fuse_linear_bn_eval

req = json.loads(sys.stdin.read())
torch.set_num_threads(1)
OUT = req["dir"]


def randomize_bn(model):
    """Non-trivial statistics and affine parameters, so a wrong fold cannot pass by accident."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                if m.running_mean is not None:
                    m.running_mean.normal_(0, 0.5)
                    m.running_var.uniform_(0.5, 2.0)
                if m.weight is not None:
                    m.weight.normal_(1, 0.3)
                    m.bias.normal_(0, 0.3)


out = {"layers": {}, "models": {}}

for case in req["layers"]:
    torch.manual_seed(case["seed"])
    if case["kind"] == "conv":
        layer = nn.Conv2d(case["in"], case["out"], case["kernel"], stride=case["stride"], padding=case["padding"],
                          dilation=case["dilation"], groups=case["groups"], bias=case["bias"])
        bn = nn.BatchNorm2d(case["out"], eps=case["eps"], affine=case["affine"])
        x = torch.randn(2, case["in"], 9, 9)
    else:
        layer = nn.Linear(case["in"], case["out"], bias=case["bias"])
        bn = nn.BatchNorm1d(case["out"], eps=case["eps"])
        x = torch.randn(4, case["in"])
    randomize_bn(bn)
    layer.eval()
    bn.eval()
    fused = fuse_conv_bn_eval(layer, bn) if case["kind"] == "conv" else fuse_linear_bn_eval(layer, bn)
    with torch.no_grad():
        record = {"layer": layer.state_dict(), "bn": bn.state_dict(), "fused": fused.state_dict(), "x": x,
                  "unfused_y": bn(layer(x)), "fused_y": fused(x)}
    path = f"{OUT}/layer_{case['name']}.pth"
    torch.save(record, path)
    out["layers"][case["name"]] = path


def resnet_groups(model):
    """The groups torch-ts's ResNet.fuseModel() fuses: each conv with the BatchNorm after it."""
    groups = [["conv1", "bn1"]]
    for name, m in model.named_modules():
        if isinstance(m, (tvm.resnet.BasicBlock, tvm.resnet.Bottleneck)):
            groups += [[f"{name}.conv1", f"{name}.bn1"], [f"{name}.conv2", f"{name}.bn2"]]
            if isinstance(m, tvm.resnet.Bottleneck):
                groups.append([f"{name}.conv3", f"{name}.bn3"])
            if m.downsample is not None:
                groups.append([f"{name}.downsample.0", f"{name}.downsample.1"])
    return groups


for case in req["models"]:
    torch.manual_seed(case["seed"])
    if case["arch"] == "stem":  # a Sequential(conv, bn, relu) fused as one group: Python's ConvReLU2d
        model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 4, 1), nn.ReLU())
        groups = [["0", "1", "2"], ["3", "4"]]
    else:
        model = tvm.__dict__[case["arch"]](num_classes=case["numClasses"])
        groups = None
    randomize_bn(model)
    model.eval()
    x = torch.randn(*case["input"])
    state = model.state_dict()
    with torch.no_grad():
        unfused_y = model(x)
    groups = groups or resnet_groups(model)
    fuse_modules(model, groups, inplace=True)
    with torch.no_grad():
        fused_y = model(x)
    fused_state = model.state_dict()
    path = f"{OUT}/model_{case['name']}.pth"
    torch.save({"state": state, "fused": fused_state, "x": x, "unfused_y": unfused_y, "fused_y": fused_y}, path)
    out["models"][case["name"]] = {"file": path, "fusedKeys": list(fused_state.keys()), "groups": groups,
                                   "repr": repr(model) if case["arch"] == "stem" else None}

print(json.dumps(out))
