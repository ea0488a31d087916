# Python side of scripts/bench/inference.ts, served case by case (scripts/bench/peer.py).
# {"prepare": ...} builds a seeded torchvision ResNet once per model and writes what the
# TypeScript side needs: its state dict (torch-ts loads the same weights), an input batch and
# the ONNX export of the same model with a dynamic batch axis (onnxruntime-node runs it).
# Any other case is {model, batch, threads, variant}: variant "eager" is the torch.no_grad
# forward, "optimized" is torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.trace(...))),
# the same passes torch-ts calls through libtorch. Its setup returns the output, for the
# agreement check.
import torch
import torchvision

from peer import serve

models = {}  # name -> (eager module, input batch of 8)


def prepare(case):
    torch.manual_seed(0)
    model = getattr(torchvision.models, case["model"])().eval()
    x = torch.randn(8, 3, 224, 224)
    torch.save(model.state_dict(), case["pth"])
    torch.save(x, case["input"])
    with torch.no_grad():
        torch.onnx.export(model, x[:1], case["onnx"], opset_version=13, input_names=["x"], output_names=["logits"],
                          dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}})
    models[case["model"]] = (model, x)
    return lambda: None


def setup(case):
    if "prepare" in case:
        return prepare(case["prepare"])
    torch.set_num_threads(case["threads"])
    model, x8 = models[case["model"]]
    x = x8[: case["batch"]].contiguous()
    with torch.no_grad():
        if case["variant"] == "optimized":
            model = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.trace(model, x)))
        out = model(x)

    def run():
        with torch.no_grad():
            model(x)
    return run, {"out": out.flatten().tolist()}


serve(setup)
