# Python side of scripts/bench/onnx.ts, served round by round (scripts/bench/peer.py): a seeded
# torchvision ResNet-50, saved as a state dict and exported with torch.onnx.export (the same
# weights) at setup; run() is its eager batch-1 eval.
import torch
import torchvision

from peer import serve


def setup(case):
    torch.set_num_threads(case["threads"])
    torch.manual_seed(0)
    model = torchvision.models.resnet50().eval()
    torch.save(model.state_dict(), case["pth"])
    x = torch.randn(1, 3, 224, 224)
    torch.save(x, case["input"])
    with torch.no_grad():
        torch.onnx.export(model, x, case["onnx"], opset_version=13, input_names=["x"], output_names=["logits"])

    def run():
        with torch.no_grad():
            model(x)
    return run


serve(setup)
