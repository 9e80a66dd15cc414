#!/usr/bin/python3
"""Goldens for src/train (reverse-mode differentiation of the engine's operators), from PyTorch autograd.

1. tests/reference/fixtures/grad_ops.txt: one case per operator configuration. Inputs, parameters and the
   upstream gradient dy are drawn with numpy (seeded) and rounded to float32; PyTorch computes the forward
   y and the gradients of every input in float64 from those float32 values (so the goldens are the exact
   answer to about 1e-15, not PyTorch's float32 rounding). Each case line names the ONNX operator, its node
   inputs in order (the first `rt` are graph inputs, the others constants; `#name` an int64 constant),
   attributes (i: ints, f: float) and training options (o:); tensors follow as
     t <name> <ndim> <dims...> <values...>
   with y, dy and d<input> for each input that has a gradient (BatchNormalization also rm_new, rv_new: the
   running statistics after the step).
2. tests/reference/fixtures/grad_net.txt: one whole training step of a small network (Conv without bias,
   BatchNorm2d in training mode, MaxPool, grouped Conv, residual Add, 1x1 Conv, Concat, AvgPool, strided
   Conv, GlobalAveragePool, Flatten, Linear, Dropout, MatMul + Add): input, labels, every parameter and
   buffer by its graph name (the convolutions followed by BatchNormalization have no bias: its gradient is
   zero up to rounding, nothing to compare), then the mean cross-entropy loss, the logits, every parameter's gradient
   (g:<name>) and the running statistics after the step (after:<name>); then two more steps with SGD
   (lr 1/16, momentum 7/8, weight decay 2^-10, the first update from the gradients above): their losses
   (loss1, loss2) and every parameter and buffer after the three updates (final:<name>). float32 PyTorch
   (as a training step runs), train() mode.

Dropout masks are not PyTorch's RNG: they are the engine's counter-based mask (cb_dropout_mask,
src/train/cb_train_ops.h), recomputed here bit for bit with numpy uint64 arithmetic, and applied with
PyTorch as x * scale.

Usage: /usr/bin/python3 tests/reference/make_grad_goldens.py
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
rng = np.random.default_rng(20)
M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def fnv1a(name):
    h = 0xCBF29CE484222325
    for b in name.encode():
        h = ((h ^ b) * 0x100000001B3) & M64
    return h


def dropout_scale(seed, step, name, ratio, n):
    """cb_dropout_mask: scale per element (1 / (1 - ratio) kept, 0 dropped), float32."""
    k = mix((mix((seed + GOLDEN * (step + 1)) & M64) + GOLDEN * (fnv1a(name) + 1)) & M64)
    threshold = int(float(np.float32(ratio)) * 16777216.0)
    keep = np.float32(1.0) / (np.float32(1.0) - np.float32(ratio))
    out = np.zeros(n, np.float32)
    for i in range(n):
        out[i] = keep if (mix((k + GOLDEN * (i + 1)) & M64) >> 40) >= threshold else 0.0
    return out


def f32(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def tline(name, a):
    a = np.asarray(a)
    vals = " ".join("%.9g" % v for v in a.astype(np.float64).ravel())
    return "t %s %d %s %s" % (name, a.ndim, " ".join(str(d) for d in a.shape), vals)


def case(lines, name, op, ins, rt, fn, attrs="", grads=None, extra=None):
    """ins: ordered (name, array); fn(tensors dict) -> y (float64 torch). Writes inputs, dy, y, grads."""
    ts = {k: torch.tensor(v.astype(np.float64), requires_grad=(grads is None or k in grads)) for k, v in ins}
    y = fn(ts)
    dy = f32(*y.shape)
    y.backward(torch.tensor(dy.astype(np.float64)))
    lines.append("case %s %s in=%s rt=%d %s" % (name, op, ",".join(k for k, _ in ins), rt, attrs))
    for k, v in ins:
        lines.append(tline(k.lstrip("#"), v))
    lines.append(tline("dy", dy))
    lines.append(tline("y", y.detach().numpy()))
    for k, _ in ins:
        if ts[k].requires_grad and ts[k].grad is not None:
            lines.append(tline("d" + k, ts[k].grad.numpy()))
    for k, v in (extra or {}).items():
        lines.append(tline(k, v))
    lines.append("end")


def conv(L, name, xs, ws, bias, stride, pad, groups, dil):
    ins = [("x", f32(*xs)), ("w", f32(*ws, scale=0.5))] + ([("b", f32(ws[0]))] if bias else [])
    attrs = "i:kernel_shape=%d,%d i:strides=%d,%d i:pads=%d,%d,%d,%d i:group=%d i:dilations=%d,%d" % (
        ws[2], ws[3], stride[0], stride[1], pad[0], pad[1], pad[0], pad[1], groups, dil[0], dil[1])
    case(L, name, "Conv", ins, 1, lambda t: F.conv2d(t["x"], t["w"], t.get("b"), stride, pad, dil, groups), attrs)


def conv_cases(L):
    def conv(*a):
        globals()["conv"](L, *a)

    conv("conv_basic", (2, 3, 6, 5), (4, 3, 3, 3), True, (1, 1), (1, 1), 1, (1, 1))
    conv("conv_stride2_groups", (2, 4, 7, 7), (6, 2, 3, 3), True, (2, 2), (0, 0), 2, (1, 1))
    conv("conv_depthwise", (2, 4, 6, 6), (4, 1, 3, 3), False, (2, 2), (1, 1), 4, (1, 1))
    conv("conv_dilated_rect", (1, 2, 7, 6), (3, 2, 3, 2), True, (1, 2), (2, 1), 1, (2, 1))
    conv("conv_1x1", (2, 5, 4, 4), (3, 5, 1, 1), True, (1, 1), (0, 0), 1, (1, 1))
    conv("conv_5x5_s3", (3, 2, 11, 10), (4, 2, 5, 5), True, (3, 3), (2, 2), 1, (1, 1))


def gemm_cases(L):
    case(L, "gemm_linear", "Gemm", [("a", f32(3, 5)), ("w", f32(4, 5)), ("c", f32(4))], 1,
         lambda t: t["a"] @ t["w"].T + t["c"], "i:transB=1")
    case(L, "gemm_transA_alpha_beta", "Gemm", [("a", f32(5, 3)), ("w", f32(5, 4)), ("c", f32(3, 4))], 1,
         lambda t: 0.75 * (t["a"].T @ t["w"]) + 1.25 * t["c"], "i:transA=1 f:alpha=0.75 f:beta=1.25")
    case(L, "gemm_both_trans_col_bias", "Gemm", [("a", f32(6, 3)), ("w", f32(4, 6)), ("c", f32(3, 1))], 1,
         lambda t: t["a"].T @ t["w"].T + 0.5 * t["c"], "i:transA=1 i:transB=1 f:beta=0.5")
    case(L, "gemm_two_inputs", "Gemm", [("a", f32(3, 5)), ("b", f32(5, 4))], 2, lambda t: t["a"] @ t["b"], "")
    case(L, "matmul_2d", "MatMul", [("a", f32(3, 5)), ("w", f32(5, 4))], 1, lambda t: t["a"] @ t["w"], "")
    case(L, "matmul_batched", "MatMul", [("a", f32(2, 3, 5)), ("w", f32(5, 4))], 1, lambda t: t["a"] @ t["w"], "")
    case(L, "matmul_broadcast_both", "MatMul", [("a", f32(2, 1, 3, 4)), ("b", f32(3, 4, 2))], 2,
         lambda t: t["a"] @ t["b"], "")


def pool_cases(L):
    def pool(name, op, xs, k, s, p, ceil, cip=1, relu_in=False):
        x = f32(*xs)
        if relu_in:  # ties: windows of zeros (the first maximum takes the gradient)
            x = np.maximum(x, 0).astype(np.float32)
        attrs = "i:kernel_shape=%d,%d i:strides=%d,%d i:pads=%d,%d,%d,%d i:ceil_mode=%d" % (k, k, s, s, p, p, p, p, ceil)
        if op == "MaxPool":
            fn = lambda t: F.max_pool2d(t["x"], k, s, p, ceil_mode=bool(ceil))
        else:
            attrs += " i:count_include_pad=%d" % cip
            fn = lambda t: F.avg_pool2d(t["x"], k, s, p, ceil_mode=bool(ceil), count_include_pad=bool(cip))
        case(L, name, op, [("x", x)], 1, fn, attrs)

    pool("maxpool_k3s2p1", "MaxPool", (2, 3, 7, 7), 3, 2, 1, 0)
    pool("maxpool_k2s2_ties", "MaxPool", (2, 2, 6, 6), 2, 2, 0, 0, relu_in=True)
    pool("maxpool_k3s2_ceil", "MaxPool", (1, 2, 8, 8), 3, 2, 0, 1)
    pool("avgpool_k3s2p1_incl", "AveragePool", (2, 3, 7, 7), 3, 2, 1, 0, 1)
    pool("avgpool_k3s2p1_excl", "AveragePool", (2, 3, 7, 7), 3, 2, 1, 0, 0)
    pool("avgpool_k2s2_ceil", "AveragePool", (1, 2, 7, 7), 2, 2, 0, 1, 1)
    case(L, "gap", "GlobalAveragePool", [("x", f32(2, 3, 5, 4))], 1, lambda t: t["x"].mean((2, 3), keepdim=True))


def eltwise_cases(L):
    case(L, "relu", "Relu", [("x", f32(2, 3, 4, 4))], 1, lambda t: torch.relu(t["x"]))
    case(L, "add_same", "Add", [("x", f32(2, 3, 4, 4)), ("z", f32(2, 3, 4, 4))], 2, lambda t: t["x"] + t["z"])
    case(L, "add_bias_c11", "Add", [("x", f32(2, 3, 4, 4)), ("b", f32(3, 1, 1))], 1, lambda t: t["x"] + t["b"])
    case(L, "add_bcast_both", "Add", [("x", f32(2, 1, 4)), ("b", f32(3, 1))], 1, lambda t: t["x"] + t["b"])
    case(L, "concat_axis1", "Concat", [("a", f32(2, 2, 3, 3)), ("b", f32(2, 3, 3, 3)), ("c", f32(2, 1, 3, 3))], 3,
         lambda t: torch.cat([t["a"], t["b"], t["c"]], 1), "i:axis=1")
    case(L, "concat_axis3", "Concat", [("a", f32(2, 3, 2, 2)), ("b", f32(2, 3, 2, 3))], 2,
         lambda t: torch.cat([t["a"], t["b"]], 3), "i:axis=3")
    case(L, "flatten", "Flatten", [("x", f32(2, 3, 2, 2))], 1, lambda t: t["x"].reshape(2, 12), "i:axis=1")
    shape = np.array([2, 3, 4], np.float32)
    case(L, "reshape", "Reshape", [("x", f32(2, 12)), ("#shape", shape)], 1, lambda t: t["x"].reshape(2, 3, 4),
         grads={"x"})
    ratio, seed = 0.3, 1234
    scale = dropout_scale(seed, 0, "dropout", ratio, 60).reshape(3, 4, 5)
    case(L, "dropout", "Dropout", [("x", f32(3, 4, 5))], 1,
         lambda t: t["x"] * torch.tensor(scale.astype(np.float64)), "f:ratio=0.3 o:seed=%d" % seed)


def bn_cases(L):
    def bn(name, xs, frozen):
        c = xs[1]
        g, b = (1 + 0.3 * f32(c)).astype(np.float32), f32(c, scale=0.5)
        rm, rv = f32(c, scale=0.2), (0.5 + rng.random(c)).astype(np.float32)
        rm_t, rv_t = torch.tensor(rm.astype(np.float64)), torch.tensor(rv.astype(np.float64))
        fn = lambda t: F.batch_norm(t["x"], rm_t, rv_t, t["g"], t["b"], training=not frozen, momentum=0.1, eps=1e-5)
        ins = [("x", f32(*xs, scale=2.0) + 0.5), ("g", g), ("b", b), ("rm", rm), ("rv", rv)]
        lines = []
        case(lines, name, "BatchNormalization", ins, 1, fn, "f:epsilon=1e-5 f:momentum=0.9 o:bn_frozen=%d" % frozen,
             grads={"x", "g", "b"})
        lines.insert(-1, tline("rm_new", rm_t.numpy()))
        lines.insert(-1, tline("rv_new", rv_t.numpy()))
        L.extend(lines)

    bn("bn2d_train", (4, 3, 5, 5), 0)
    bn("bn1d_train", (6, 4), 0)
    bn("bn2d_frozen", (2, 3, 4, 4), 1)


def xent_case(L):
    z = f32(5, 7, scale=2.0)
    labels = np.array([0, 3, 6, 2, 3])
    zt = torch.tensor(z.astype(np.float64), requires_grad=True)
    loss = F.cross_entropy(zt, torch.tensor(labels))
    loss.backward()
    L.append("case xent SoftmaxCrossEntropy in=z rt=1")
    L.append(tline("z", z))
    L.append(tline("labels", labels.astype(np.float32)))
    L.append(tline("loss", np.array([loss.item()])))
    L.append(tline("dz", zt.grad.numpy()))
    L.append("end")


def chunk_cases(L):
    """A convolution whose input gradient runs as several GEMMs over chunks of images (src/train/cb_grad_conv.c:
    1024 // pixels images per chunk; 19 x 19 outputs give chunks of 2, the last one ragged), per group. Drawn
    from a generator of its own, so that the cases above keep their data."""
    global rng
    saved, rng = rng, np.random.default_rng(21)
    conv(L, "conv_chunked_groups", (3, 2, 19, 19), (2, 1, 3, 3), True, (1, 1), (1, 1), 2, (1, 1))
    rng = saved


def write_ops():
    L = ["# Gradient goldens for src/train, by tests/reference/make_grad_goldens.py (torch %s, float64 autograd "
         "of float32 data)" % torch.__version__]
    conv_cases(L)
    gemm_cases(L)
    pool_cases(L)
    eltwise_cases(L)
    bn_cases(L)
    xent_case(L)
    chunk_cases(L)
    with open(os.path.join(OUT, "grad_ops.txt"), "w") as f:
        f.write("\n".join(L) + "\n")


class Net(torch.nn.Module):
    """The network of tests/unit/train/test_train_net.c (same names, same order of operations)."""

    def __init__(self):
        super().__init__()
        nn = torch.nn
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2a = nn.Conv2d(8, 8, 3, padding=1, groups=2)
        self.conv2b = nn.Conv2d(8, 4, 1)
        self.conv3 = nn.Conv2d(12, 16, 3, stride=2, padding=1, bias=False)  # BN follows: a bias has no gradient
        self.bn3 = nn.BatchNorm2d(16)
        self.fc1 = nn.Linear(16, 32)
        self.fc2_weight_t = nn.Parameter(torch.zeros(32, 10))
        self.fc2_bias = nn.Parameter(torch.zeros(10))

    def forward(self, x, scale):
        p1 = F.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 2)         # (N, 8, 6, 6)
        r = p1 + torch.relu(self.conv2a(p1))                              # residual
        cat = torch.cat([r, self.conv2b(r)], 1)                           # (N, 12, 6, 6)
        a = F.avg_pool2d(cat, 3, 2, 1, count_include_pad=True)            # (N, 12, 3, 3)
        h = torch.relu(self.bn3(self.conv3(a)))                           # (N, 16, 2, 2)
        h = torch.flatten(F.adaptive_avg_pool2d(h, 1), 1)                 # (N, 16)
        h = torch.relu(self.fc1(h)) * scale                               # dropout with the engine's mask
        return h @ self.fc2_weight_t + self.fc2_bias                      # (N, 10)


NET_NAMES = {"fc2_weight_t": "fc2.weight_t", "fc2_bias": "fc2.bias"}


def write_net():
    torch.manual_seed(20)
    net = Net()
    with torch.no_grad():
        for name, p in net.named_parameters():
            p.copy_(torch.tensor(f32(*p.shape, scale=0.4)))
        for bn in (net.bn1, net.bn3):
            bn.weight.copy_(torch.tensor((1 + 0.2 * f32(bn.num_features)).astype(np.float32)))
            bn.running_mean.copy_(torch.tensor(f32(bn.num_features, scale=0.1)))
            bn.running_var.copy_(torch.tensor((0.5 + rng.random(bn.num_features)).astype(np.float32)))
    x, labels = f32(4, 3, 12, 12), np.array([1, 7, 3, 7])
    seed, ratio = 77, 0.25
    scale = dropout_scale(seed, 0, "fc1.drop", ratio, 4 * 32).reshape(4, 32)
    L = ["# One training step of a small network for src/train, by tests/reference/make_grad_goldens.py "
         "(torch %s, float32, train mode)" % torch.__version__,
         "seed %d ratio %g" % (seed, ratio), tline("input", x), tline("labels", labels.astype(np.float32))]
    state = {NET_NAMES.get(k, k): v.detach().numpy().copy() for k, v in net.state_dict().items()
             if not k.endswith("num_batches_tracked")}
    for k, v in state.items():
        L.append(tline("p:" + k, v))
    net.train()
    logits = net(torch.tensor(x), torch.tensor(scale))
    loss = F.cross_entropy(logits, torch.tensor(labels))
    loss.backward()
    L.append(tline("loss", np.array([loss.item()])))
    L.append(tline("logits", logits.detach().numpy()))
    for k, p in net.named_parameters():
        L.append(tline("g:" + NET_NAMES.get(k, k), p.grad.numpy()))
    for k, v in net.state_dict().items():
        if "running" in k:
            L.append(tline("after:" + k, v.numpy()))
    # two more steps with SGD (momentum, weight decay): the loss of each, then every parameter and buffer
    opt = torch.optim.SGD(net.parameters(), lr=0.0625, momentum=0.875, weight_decay=2.0 ** -10, foreach=False)
    opt.step()
    for k in (1, 2):
        opt.zero_grad()
        scale_k = dropout_scale(seed, k, "fc1.drop", ratio, 4 * 32).reshape(4, 32)
        loss_k = F.cross_entropy(net(torch.tensor(x), torch.tensor(scale_k)), torch.tensor(labels))
        loss_k.backward()
        L.append(tline("loss%d" % k, np.array([loss_k.item()])))
        opt.step()
    for k, v in net.state_dict().items():
        if not k.endswith("num_batches_tracked"):
            L.append(tline("final:" + NET_NAMES.get(k, k), v.detach().numpy()))
    with open(os.path.join(OUT, "grad_net.txt"), "w") as f:
        f.write("\n".join(L) + "\n")


if __name__ == "__main__":
    write_ops()
    write_net()
