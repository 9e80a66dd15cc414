#!/usr/bin/python3
"""How far float rounding alone moves the loss of a few training steps: torchvision ResNet-18 (the weights and
hyper-parameters of train_vs_torch.py) trained on one batch in PyTorch with oneDNN convolutions, without them,
and in float64; prints each side's losses, and the loss after the last update. Compare with the engine's losses
from train_vs_torch.py (--batch 8 --steps 3 --models resnet18): agreement within this spread is all that float32
arithmetic in another order can promise.

    /usr/bin/python3 benchmarks/perf/train_loss_spread.py [--batch 8] [--steps 3]
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_vs_torch as T  # noqa: E402  (build(), HYPER: the same model and optimiser)


def run(x, y, steps, dtype, mkldnn):
    torch.backends.mkldnn.enabled = mkldnn
    m = T.build("resnet18").to(dtype)
    opt = torch.optim.SGD(m.parameters(), **T.HYPER)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(m(x.to(dtype)), y)
        loss.backward()
        opt.step()
        losses.append(float(loss))
    with torch.no_grad():
        losses.append(float(torch.nn.functional.cross_entropy(m(x.to(dtype)), y)))
    return losses


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    # the same images and labels as train_vs_torch.py
    x = torch.from_numpy(np.random.default_rng(1).standard_normal((a.batch, 3, 224, 224), dtype=np.float32))
    y = torch.from_numpy(np.random.default_rng(2).integers(0, 1000, a.batch).astype(np.int64))
    for label, dtype, mkldnn in (("float32 oneDNN", torch.float32, True), ("float32 native", torch.float32, False),
                                 ("float64 native", torch.float64, False)):
        ls = run(x, y, a.steps, dtype, mkldnn)
        print(f"{label:<15} losses {' '.join(f'{v:.7f}' for v in ls[:-1])}  after {a.steps} steps {ls[-1]:.7f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
