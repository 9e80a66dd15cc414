#!/usr/bin/python3
"""Reference logits of ../shared/data/models/mnist-8.onnx for test_onnx_models.

Independent of cortexbench: weights read with the onnx package, the network
evaluated with PyTorch (conv2d, max_pool2d) and NumPy, in float64, following
the graph described in ../shared/data/models/SOURCE.md (Conv 5x5 SAME_UPPER ->
+bias -> ReLU -> MaxPool 2/2 -> Conv 5x5 SAME_UPPER -> +bias -> ReLU ->
MaxPool 3/3 -> Reshape(1, 256) -> MatMul (256, 10) -> +bias).

Input: a ring (a hand-drawn-like "0"), x[i][j] = 1 when 6 <= hypot(i-13.5, j-13.5) <= 9
else 0, shape (1, 1, 28, 28). Run from the repository root:
  /usr/bin/python3 tests/unit/nn/make_mnist_reference.py > tests/unit/nn/fixtures/mnist8_ring_logits.txt
"""
import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

model = onnx.load("../shared/data/models/mnist-8.onnx")
W = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
nodes = list(model.graph.node)
conv = [n for n in nodes if n.op_type == "Conv"]
adds = [n for n in nodes if n.op_type == "Add"]
matmul = [n for n in nodes if n.op_type == "MatMul"][0]
reshape_w = [n for n in nodes if n.op_type == "Reshape" and n.input[0] in W][0]

i, j = np.meshgrid(np.arange(28), np.arange(28), indexing="ij")
r = np.hypot(i - 13.5, j - 13.5)
x = ((r >= 6) & (r <= 9)).astype(np.float64).reshape(1, 1, 28, 28)


def const(name):
    return torch.from_numpy(W[name])


def conv_same(t, w):  # 5x5, stride 1, SAME_UPPER = pad 2 each side for odd kernels
    return F.conv2d(t, w, padding=2)


t = torch.from_numpy(x)
t = conv_same(t, const(conv[0].input[1]))
t = torch.relu(t + const(adds[0].input[1]))
t = F.max_pool2d(t, 2, 2)
t = conv_same(t, const(conv[1].input[1]))
t = torch.relu(t + const(adds[1].input[1]))
t = F.max_pool2d(t, 3, 3)
flat = t.reshape(1, 256).numpy()
w2 = W[reshape_w.input[0]].reshape(256, 10)
logits = flat @ w2 + W[adds[2].input[1]]
print("# mnist-8.onnx logits for the ring input (make_mnist_reference.py, torch %s)" % torch.__version__)
print(" ".join("%.9g" % v for v in logits.ravel()))
