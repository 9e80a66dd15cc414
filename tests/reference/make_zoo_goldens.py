#!/usr/bin/python3
"""Reference activations of the zoo architectures, computed by PyTorch.

Proves that our C builders (src/nn/cb_zoo_*.c) wire AlexNet, ResNet-18/50
(torchvision 0.14) and CORnet-Z/S (written below after the CORnet
repository's cornet_z.py / cornet_s.py) like the originals, with the same
layer names: the weights are OURS (dumped by build/tests/zoo_dump from the
seeded C builder), loaded into the PyTorch model; a fixed input is run and,
for a few layers, the element count, sum, sum of |x| and 64 sampled values
(index i * numel // 64) are stored in tests/reference/fixtures/zoo_<model>.txt.

Usage: /usr/bin/python3 tests/reference/make_zoo_goldens.py build/tests/zoo_dump
"""
import math
import os
import re
import subprocess
import sys
import tempfile
from collections import OrderedDict

import numpy as np
import torch
import torchvision
from torch import nn

SEED = 7
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


class Flatten(nn.Module):
    def forward(self, x):
        return x.view(x.size(0), -1)


class Identity(nn.Module):
    def forward(self, x):
        return x


class ZBlock(nn.Module):  # cornet_z.CORblock_Z
    def __init__(self, cin, cout, k=3, stride=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel_size=k, stride=stride, padding=k // 2)
        self.nonlin = nn.ReLU()
        self.pool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.output = Identity()

    def forward(self, x):
        return self.output(self.pool(self.nonlin(self.conv(x))))


def decoder():
    return nn.Sequential(OrderedDict([("avgpool", nn.AdaptiveAvgPool2d(1)), ("flatten", Flatten()),
                                      ("linear", nn.Linear(512, 1000)), ("output", Identity())]))


def cornet_z():
    return nn.Sequential(OrderedDict([("V1", ZBlock(3, 64, 7, 2)), ("V2", ZBlock(64, 128)), ("V4", ZBlock(128, 256)),
                                      ("IT", ZBlock(256, 512)), ("decoder", decoder())]))


class SBlock(nn.Module):  # cornet_s.CORblock_S
    scale = 4

    def __init__(self, cin, cout, times):
        super().__init__()
        self.times = times
        self.conv_input = nn.Conv2d(cin, cout, kernel_size=1, bias=False)
        self.skip = nn.Conv2d(cout, cout, kernel_size=1, stride=2, bias=False)
        self.norm_skip = nn.BatchNorm2d(cout)
        self.conv1 = nn.Conv2d(cout, cout * 4, kernel_size=1, bias=False)
        self.nonlin1 = nn.ReLU()
        self.conv2 = nn.Conv2d(cout * 4, cout * 4, kernel_size=3, stride=2, padding=1, bias=False)
        self.nonlin2 = nn.ReLU()
        self.conv3 = nn.Conv2d(cout * 4, cout, kernel_size=1, bias=False)
        self.nonlin3 = nn.ReLU()
        self.output = Identity()
        for t in range(times):
            setattr(self, f"norm1_{t}", nn.BatchNorm2d(cout * 4))
            setattr(self, f"norm2_{t}", nn.BatchNorm2d(cout * 4))
            setattr(self, f"norm3_{t}", nn.BatchNorm2d(cout))

    def forward(self, inp):
        x = self.conv_input(inp)
        for t in range(self.times):
            if t == 0:
                skip = self.norm_skip(self.skip(x))
                self.conv2.stride = (2, 2)
            else:
                skip = x
                self.conv2.stride = (1, 1)
            x = self.nonlin1(getattr(self, f"norm1_{t}")(self.conv1(x)))
            x = self.nonlin2(getattr(self, f"norm2_{t}")(self.conv2(x)))
            x = getattr(self, f"norm3_{t}")(self.conv3(x))
            x = x + skip
            x = self.nonlin3(x)
            out = self.output(x)
        return out


def cornet_s():
    v1 = nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)), ("norm1", nn.BatchNorm2d(64)),
        ("nonlin1", nn.ReLU()), ("pool", nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
        ("conv2", nn.Conv2d(64, 64, kernel_size=3, stride=1, padding=1, bias=False)), ("norm2", nn.BatchNorm2d(64)),
        ("nonlin2", nn.ReLU()), ("output", Identity())]))
    return nn.Sequential(OrderedDict([("V1", v1), ("V2", SBlock(64, 128, 2)), ("V4", SBlock(128, 256, 4)),
                                      ("IT", SBlock(256, 512, 2)), ("decoder", decoder())]))


# (zoo name, constructor, input size, layers: our name -> (torch module path, call index))
def call(name):
    """Our layer name -> (module path, 0-based call index)."""
    if "-t" in name:
        mod, t = name.rsplit("-t", 1)
        per_step = re.search(r"\.norm\d_\d+$", mod)  # one module per time step, called once
        return mod, 0 if per_step else int(t)
    if name.endswith("relu_1"):
        return name[:-2], 1
    return name, 0


CASES = [
    ("alexnet", torchvision.models.alexnet, 224,
     ["features.2", "features.5", "features.12", "avgpool", "classifier.5", "classifier.6"]),
    ("alexnet", torchvision.models.alexnet, 64, ["features.12", "avgpool", "classifier.6"]),
    ("resnet18", torchvision.models.resnet18, 112,
     ["conv1", "maxpool", "layer1.0.relu", "layer1.0", "layer2.0.downsample.1", "layer3.1", "layer4.1", "avgpool",
      "fc"]),
    ("resnet50", torchvision.models.resnet50, 64, ["layer1.0.relu_1", "layer1.0", "layer2.0", "layer4.2", "fc"]),
    ("cornet_z", cornet_z, 64, ["V1.output", "V2.output", "V4.output", "IT.output", "decoder.avgpool",
                                "decoder.output"]),
    ("cornet_s", cornet_s, 64, ["V1.output-t0", "V2.output-t0", "V2.output-t1", "V4.norm2_2-t2", "V4.output-t3",
                                "IT.output-t1", "decoder.avgpool-t0", "decoder.output-t0"]),
]


def the_input(h, w):
    """x[c, i, j] = sin(0.05 (c + 1) i + 0.03 j) + 0.5 cos(0.07 (i - j) + c), float64 then float32."""
    c, i, j = np.meshgrid(np.arange(3.0), np.arange(float(h)), np.arange(float(w)), indexing="ij")
    x = np.sin(0.05 * (c + 1) * i + 0.03 * j) + 0.5 * np.cos(0.07 * (i - j) + c)
    return x.astype(np.float32)[None]


def load_ours(dump, model, size, tmp):
    subprocess.run([dump, model, str(SEED), str(size), str(size), tmp], check=True)
    blob = np.fromfile(os.path.join(tmp, "params.bin"), dtype="<f4")
    params, off = {}, 0
    for line in open(os.path.join(tmp, "params.txt")):
        f = line.split()
        shape = tuple(int(v) for v in f[2:2 + int(f[1])])
        n = int(np.prod(shape)) if shape else 1
        params[f[0]] = blob[off:off + n].reshape(shape)
        off += n
    assert off == blob.size
    return params


def main():
    dump = sys.argv[1]
    torch.set_num_threads(1)
    for model, ctor, size, layers in CASES:
        net = ctor().eval()
        with tempfile.TemporaryDirectory() as tmp:
            ours = load_ours(dump, model, size, tmp)
        sd = net.state_dict()
        for k in sd:
            if k.endswith("num_batches_tracked"):
                continue
            assert k in ours, f"{model}: torch parameter {k} not made by the C builder"
            assert tuple(sd[k].shape) == ours[k].shape, f"{model}: {k} {tuple(sd[k].shape)} vs {ours[k].shape}"
            sd[k] = torch.from_numpy(ours[k].copy())
        for k, v in ours.items():  # ours only: zero conv biases, pooling matrices
            if k not in sd and k.endswith(".bias"):
                assert not v.any(), f"{model}: extra parameter {k} is not zero"
        net.load_state_dict(sd)
        got = {}
        modules = dict(net.named_modules())
        wanted = {}
        for name in layers:
            wanted.setdefault(call(name)[0], []).append(name)
        counts = {}

        def hook(path):
            def fn(mod, inp, out):
                k = counts.get(path, 0)
                counts[path] = k + 1
                for name in wanted[path]:
                    if call(name)[1] == k:
                        got[name] = out.detach().numpy().astype(np.float64).ravel()
            return fn

        for path in wanted:
            modules[path].register_forward_hook(hook(path))
        with torch.no_grad():
            net(torch.from_numpy(the_input(size, size)))
        path = os.path.join(OUT, f"zoo_{model}_{size}.txt")
        with open(path, "w") as f:
            f.write(f"# {model} seed {SEED} input 3x{size}x{size}, by tests/reference/make_zoo_goldens.py (torch "
                    f"{torch.__version__}, torchvision {torchvision.__version__})\n")
            f.write("# layer numel sum sum|x| then 64 values at i * numel // 64\n")
            for name in layers:
                v = got[name]
                idx = [i * v.size // 64 for i in range(64)]
                f.write(f"{name} {v.size} {v.sum():.9g} {np.abs(v).sum():.9g} "
                        + " ".join(f"{v[i]:.9g}" for i in idx) + "\n")
        print(path)


if __name__ == "__main__":
    main()
