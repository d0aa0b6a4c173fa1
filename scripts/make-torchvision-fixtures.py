# make-torchvision-fixtures.py — exports random-weight torchvision models to ONNX for the importer's
# conformance test (tests/Cortex.Onnx.Tests/TorchvisionConformanceTests.cs), which imports each file,
# runs it in Cortex and in ONNX Runtime on the same input and compares (1e-4).
#
# Needs Debian's python3-torch, python3-torchvision and python3-onnx (scripts/install-torchvision.sh);
# run it with Debian's interpreter: /usr/bin/python3 scripts/make-torchvision-fixtures.py DIR
# (scripts/make-torchvision-fixtures.sh does both). Writes DIR/NAME.onnx and DIR/manifest.tsv:
#   name  opset  input C,H,W  expect      expect: "match" (imported and compared) or "refuse:OP"
# The files are 5 to 46 MB each (random float32 weights), too large to commit, so they are made here.
#
# Weights are torchvision's own initialization, then every batch norm gets random statistics and
# affine parameters (γ ∈ U(0.5, 1.5), β, μ ∈ U(−0.2, 0.2), σ² ∈ U(0.5, 1.5)): with the default
# (1, 0, 0, 1) a batch norm is an identity and a mistake in importing it would not show.
import os
import sys

import torch
import torchvision

# name, builder, opset, input side, expected outcome
MODELS = [
    ("resnet18", lambda: torchvision.models.resnet18(weights=None, num_classes=10), 17, 64, "match"),
    ("squeezenet1_0", lambda: torchvision.models.squeezenet1_0(weights=None, num_classes=10), 11, 64, "match"),
    ("squeezenet1_1", lambda: torchvision.models.squeezenet1_1(weights=None, num_classes=10), 13, 64, "match"),
    ("googlenet", lambda: torchvision.models.googlenet(weights=None, num_classes=10, aux_logits=False, init_weights=True), 13, 64, "match"),
    # DenseNet's first layer of each block concatenates a list of one tensor (torch.cat([x], 1)): a Concat
    # with a single input, which the importer refuses (it imports Concat as a join of branches).
    ("densenet121", lambda: torchvision.models.densenet121(weights=None, num_classes=10), 13, 64, "refuse:Concat"),
    # MobileNetV2's ReLU6 exports as Clip, which the importer does not build: a clear refusal.
    ("mobilenet_v2", lambda: torchvision.models.mobilenet_v2(weights=None, num_classes=10), 13, 64, "refuse:Clip"),
]


def randomize_batch_norms(model, generator):
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            n = module.num_features
            with torch.no_grad():
                module.weight.copy_(torch.rand(n, generator=generator) + 0.5)
                module.bias.copy_(torch.rand(n, generator=generator) * 0.4 - 0.2)
                module.running_mean.copy_(torch.rand(n, generator=generator) * 0.4 - 0.2)
                module.running_var.copy_(torch.rand(n, generator=generator) + 0.5)


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "artifacts/torchvision-onnx"
    only = set(sys.argv[2:])
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(0)
    rows = []
    for name, build, opset, side, expect in MODELS:
        if only and name not in only:
            continue
        model = build().eval()
        randomize_batch_norms(model, torch.Generator().manual_seed(len(rows) + 1))
        x = torch.rand(1, 3, side, side)
        path = os.path.join(folder, name + ".onnx")
        torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, do_constant_folding=True)
        rows.append(f"{name}\t{opset}\t3,{side},{side}\t{expect}")
        print(f"{path}: opset {opset}, input 3x{side}x{side}, {os.path.getsize(path) / 1e6:.1f} MB, {expect}", flush=True)
    with open(os.path.join(folder, "manifest.tsv"), "w", encoding="utf-8") as f:
        f.write(f"# torch {torch.__version__}, torchvision {torchvision.__version__}\n")
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
