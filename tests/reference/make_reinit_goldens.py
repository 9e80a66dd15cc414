#!/usr/bin/python3
"""Goldens for cb_model_reinit (src/nn/cb_model_reinit.c): the initialisation
statistics of PyTorch's own layers, and the small ONNX model the C test
re-draws.

1. tests/reference/fixtures/reinit_net.onnx: a "trained" network (weights
   N(0.3, 1), far from any initialisation) written with the onnx package.
   Its parameters use PyTorch module names and cover the patterns the C code
   recognises: Conv with bias, grouped and depthwise Conv, 1x1 Conv whose
   bias is a separate Add of a (C, 1, 1) constant (CNTK style), a 7x1
   kernel, BatchNorm2d / BatchNorm1d, PReLU, Gemm with transB = 1 and 0,
   MatMul + Add (nn.Linear exported without Gemm), a MatMul weight stored
   (out, in) behind a Transpose (folded at load), and a Gemm weight folded
   from Mul(weight_v, weight_g) (drawn as itself). Non-parameters that must
   survive: input normalisation constants (Sub/Div), Pad amounts (int64
   initializer) and its pad value (a Constant node), a Reshape target
   (int64 initializer), weight_v and weight_g.

2. tests/reference/fixtures/reinit_goldens.txt: for every parameter of that
   model, the equivalent torch.nn module is instantiated with
   torch.manual_seed(s) for s = 0..SEEDS-1 and the parameter's values are
   pooled: numel, mean, std, min, max, plus the analytic distribution they
   are checked against here (5 standard errors), for the schemes
     pytorch                 the modules' own reset_parameters()
     kaiming-normal-fan-out  torchvision ResNet/VGG's loop on top of it:
                             Conv kaiming_normal_(fan_out, relu), bias 0;
                             Linear normal_(0, 0.01), bias 0; BN 1, 0.

Usage: /usr/bin/python3 tests/reference/make_reinit_goldens.py
"""
import math
import os

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

SEEDS = 16
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")

# ONNX parameter name -> (torch module factory, torch parameter name)
MODULES = {
    "features.0": lambda: nn.Conv2d(3, 24, 5, padding=2),
    "features.2": lambda: nn.Conv2d(24, 24, 3, padding=1, groups=3, bias=False),
    "features.3": lambda: nn.BatchNorm2d(24),
    "features.5": lambda: nn.Conv2d(24, 24, 3, padding=1, groups=24),
    "features.6": lambda: nn.Conv2d(24, 32, 1),
    "features.7": lambda: nn.PReLU(32),
    "features.8": lambda: nn.Conv2d(32, 16, (7, 1), padding=(3, 0)),
    "classifier.0": lambda: nn.Linear(64, 48),
    "classifier.2": lambda: nn.Linear(48, 40),
    "classifier.bn": lambda: nn.BatchNorm1d(40),
    "classifier.3": lambda: nn.Linear(40, 32),
    "classifier.4": lambda: nn.Linear(32, 10),
    "classifier.5": lambda: nn.Linear(10, 10),
}
BN_BUFFERS = ("running_mean", "running_var")


def torchvision_init(m):
    """torchvision 0.14 ResNet / VGG __init__ for one module."""
    if isinstance(m, nn.Conv2d):
        nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        if m.bias is not None:
            nn.init.constant_(m.bias, 0)
    elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        nn.init.constant_(m.weight, 1)
        nn.init.constant_(m.bias, 0)
    elif isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, 0, 0.01)
        nn.init.constant_(m.bias, 0)


def tensors(module):
    out = dict(module.named_parameters())
    for b in BN_BUFFERS:
        if hasattr(module, b):
            out[b] = getattr(module, b)
    return out


def fans(w):
    rf = 1
    for s in w.shape[2:]:
        rf *= s
    return w.shape[1] * rf, w.shape[0] * rf


def analytic(scheme, module, pname):
    """(kind, a, fan_in): uniform bound, normal std, or constant value -- the facts cb_model_reinit uses."""
    if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
        return "const", {"weight": 1.0, "bias": 0.0, "running_mean": 0.0, "running_var": 1.0}[pname], 0
    if isinstance(module, nn.PReLU):
        return "const", 0.25, 0
    fan_in, fan_out = fans(module.weight)
    if scheme == "pytorch":
        return "uniform", 1.0 / math.sqrt(fan_in), fan_in
    if pname == "bias":
        return "const", 0.0, fan_in
    if isinstance(module, nn.Conv2d):
        return "normal", math.sqrt(2.0 / fan_out), fan_in
    return "normal", 0.01, fan_in


def goldens():
    lines = [f"# made by tests/reference/make_reinit_goldens.py with torch {torch.__version__}: torch.nn modules",
             f"# instantiated with torch.manual_seed(s), s = 0..{SEEDS - 1}; statistics pooled over the seeds.",
             "# kind/a: the analytic distribution (uniform: U(-a, a); normal: N(0, a); const: every value a).",
             "# scheme param numel fan_in kind a torch_mean torch_std torch_min torch_max"]
    for scheme in ("pytorch", "kaiming-normal-fan-out"):
        for mod_name, make in MODULES.items():
            pooled = {}
            for s in range(SEEDS):
                torch.manual_seed(s)
                m = make()
                if scheme != "pytorch":
                    torchvision_init(m)
                for pname, t in tensors(m).items():
                    pooled.setdefault(pname, []).append(t.detach().double().flatten())
            m = make()
            for pname, chunks in pooled.items():
                v = torch.cat(chunks)
                numel = chunks[0].numel()
                kind, a, fan_in = analytic(scheme, m, pname)
                mean, std = v.mean().item(), v.std(unbiased=False).item()
                lo, hi = v.min().item(), v.max().item()
                # torch's values follow the analytic distribution (5 standard errors, n = SEEDS * numel)
                n = v.numel()
                if kind == "const":
                    assert lo == hi == a, (scheme, mod_name, pname, lo, hi, a)
                else:
                    sigma = a / math.sqrt(3) if kind == "uniform" else a
                    c4 = 0.2 if kind == "uniform" else 0.5  # var(sample std) ~ c4 sigma^2 / n
                    assert abs(mean) <= 5 * sigma / math.sqrt(n), (scheme, mod_name, pname, mean, sigma)
                    assert abs(std - sigma) <= 5 * sigma * math.sqrt(c4 / n), (scheme, mod_name, pname, std, sigma)
                    if kind == "uniform":
                        assert -a <= lo and hi <= a, (scheme, mod_name, pname, lo, hi, a)
                lines.append(f"{scheme} {mod_name}.{pname} {numel} {fan_in} {kind} {a:.17g} "
                             f"{mean:.17g} {std:.17g} {lo:.9g} {hi:.9g}")
    return "\n".join(lines) + "\n"


def onnx_model():
    rng = np.random.default_rng(2024)

    def trained(*shape):
        return (0.3 + rng.standard_normal(shape)).astype(np.float32)

    inits = []

    def init(name, arr):
        inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def bn_params(prefix, c):
        return [init(f"{prefix}.weight", trained(c)), init(f"{prefix}.bias", trained(c)),
                init(f"{prefix}.running_mean", trained(c)), init(f"{prefix}.running_var", 0.5 + rng.random(c).astype(np.float32))]

    N = helper.make_node
    nodes = [
        N("Sub", ["input", init("input.mean", np.array([0.485, 0.456, 0.406], np.float32).reshape(1, 3, 1, 1))], ["x0"], name="norm.sub"),
        N("Div", ["x0", init("input.std", np.array([0.229, 0.224, 0.225], np.float32).reshape(1, 3, 1, 1))], ["x1"], name="norm.div"),
        N("Conv", ["x1", init("features.0.weight", trained(24, 3, 5, 5)), init("features.0.bias", trained(24))], ["features.0"],
          name="features.0", pads=[2, 2, 2, 2]),
        N("Relu", ["features.0"], ["features.1"], name="features.1"),
        N("Conv", ["features.1", init("features.2.weight", trained(24, 8, 3, 3))], ["features.2"], name="features.2",
          pads=[1, 1, 1, 1], group=3),
        N("BatchNormalization", ["features.2"] + bn_params("features.3", 24), ["features.3"], name="features.3"),
        N("Relu", ["features.3"], ["features.4"], name="features.4"),
        N("Conv", ["features.4", init("features.5.weight", trained(24, 1, 3, 3)), init("features.5.bias", trained(24))],
          ["features.5"], name="features.5", pads=[1, 1, 1, 1], group=24),
        N("Conv", ["features.5", init("features.6.weight", trained(32, 24, 1, 1))], ["features.6.conv"], name="features.6.conv"),
        N("Add", ["features.6.conv", init("features.6.bias", trained(32, 1, 1))], ["features.6"], name="features.6"),
        N("PRelu", ["features.6", init("features.7.weight", trained(32, 1, 1))], ["features.7"], name="features.7"),
        N("Conv", ["features.7", init("features.8.weight", trained(16, 32, 7, 1)), init("features.8.bias", trained(16))],
          ["features.8"], name="features.8", pads=[3, 0, 3, 0]),
        N("Constant", [], ["pad.value"], name="pad.value", value=numpy_helper.from_array(np.array(0.5, np.float32), "v")),
        N("Pad", ["features.8", init("pad.pads", np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64)), "pad.value"], ["pad"], name="pad"),
        N("AveragePool", ["pad"], ["pool"], name="pool", kernel_shape=[9, 9], strides=[9, 9]),
        N("Reshape", ["pool", init("flatten.shape", np.array([1, 64], np.int64))], ["flatten"], name="flatten"),
        N("Gemm", ["flatten", init("classifier.0.weight", trained(48, 64)), init("classifier.0.bias", trained(48))],
          ["classifier.0"], name="classifier.0", transB=1),
        N("Relu", ["classifier.0"], ["classifier.1"], name="classifier.1"),
        N("Gemm", ["classifier.1", init("classifier.2.weight", trained(48, 40)), init("classifier.2.bias", trained(40))],
          ["classifier.2"], name="classifier.2"),
        N("BatchNormalization", ["classifier.2"] + bn_params("classifier.bn", 40), ["classifier.bn"], name="classifier.bn"),
        N("MatMul", ["classifier.bn", init("classifier.3.weight", trained(40, 32))], ["classifier.3.mm"], name="classifier.3.mm"),
        N("Add", ["classifier.3.mm", init("classifier.3.bias", trained(32))], ["classifier.3"], name="classifier.3"),
        N("Tanh", ["classifier.3"], ["act"], name="act"),
        N("Transpose", [init("classifier.4.weight", trained(10, 32))], ["classifier.4.weight_t"], name="classifier.4.t",
          perm=[1, 0]),
        N("MatMul", ["act", "classifier.4.weight_t"], ["classifier.4.mm"], name="classifier.4.mm"),
        N("Add", [init("classifier.4.bias", trained(1, 10)), "classifier.4.mm"], ["classifier.4"], name="classifier.4"),
        N("Mul", [init("classifier.5.weight_v", trained(10, 10)), init("classifier.5.weight_g", trained(10, 1))],
          ["classifier.5.weight"], name="classifier.5.wn"),
        N("Gemm", ["classifier.4", "classifier.5.weight", init("classifier.5.bias", trained(10))], ["logits"],
          name="classifier.5", transB=1),
    ]
    vi = helper.make_tensor_value_info
    g = helper.make_graph(nodes, "reinit_net", [vi("input", TensorProto.FLOAT, [1, 3, 16, 16])],
                          [vi("logits", TensorProto.FLOAT, [1, 10])], initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="make_reinit_goldens.py")
    m.ir_version = 7
    onnx.checker.check_model(m)
    return m.SerializeToString()


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "reinit_net.onnx"), "wb") as f:
        f.write(onnx_model())
    with open(os.path.join(OUT, "reinit_goldens.txt"), "w") as f:
        f.write(goldens())


if __name__ == "__main__":
    main()
