#!/usr/bin/python3
"""Speed benchmark of training: a training step (forward + backward + SGD update) of torchvision AlexNet and
ResNet-18 in cortexbench's engine (bench_train) against PyTorch on CPU, same initial weights, same batch, same
labels. Not a test: it prints the figures measured in this run and their ratios.

    /usr/bin/python3 benchmarks/perf/train_vs_torch.py [--bin build/bin/bench_train] [--batch 64] [--steps 5]
        [--models alexnet,resnet18] [--threads 2]

Both sides: batch 64 of 224x224 images (standard normal, seed 1) and labels (uniform over the 1000 classes,
seed 2), 2 threads (torch.set_num_threads; OPENBLAS_NUM_THREADS for the engine, whose GEMMs use as many),
train mode (BatchNormalization on batch statistics), mean softmax cross-entropy, torch.optim.SGD with lr 0.01,
momentum 0.9, weight decay 5e-4 (the engine's SGD follows torch.optim's rule). Weights: torch.manual_seed(0)
before building each model; exported to ONNX (opset 13, training mode, no constant folding), the
BatchNormalization nodes' running-statistics outputs removed (the engine's trainer keeps its own). AlexNet's two
Dropout layers are replaced by identities on both sides: the two sides draw different masks, so with p = 0.5 no
loss could be compared (Dropout costs one multiply per element).
Each side runs --steps steps; a step's time is its wall clock, the figure is the median of steps 2..N (step 1
touches fresh memory on both sides). "Loss after N steps" is one more training-mode forward after the N-th
update; it must agree within 1e-4 relative. PyTorch runs in a child process of its own so that each peak RSS
(VmHWM) is that side's alone. Also printed: the backward pass's GEMM work over its time against the sgemm peak
(2048^3) of OpenBLAS and of the engine's GEMM, and the engine's per-operator profile.
"""
import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nn_vs_torch import peak_rss_mb  # noqa: E402  (VmHWM of this process)

HYPER = {"lr": 0.01, "momentum": 0.9, "weight_decay": 5e-4}


def build(name):
    import torch
    import torchvision
    torch.manual_seed(0)
    m = getattr(torchvision.models, name)()
    for parent in list(m.modules()):
        for key, mod in parent.named_children():
            if isinstance(mod, torch.nn.Dropout):
                setattr(parent, key, torch.nn.Identity())
    m.train()
    return m


def torch_child(name, inp, lab, batch, steps, threads):
    """Runs in its own process: PyTorch's steps; prints one JSON line."""
    import torch
    torch.set_num_threads(threads)
    m = build(name)
    x = torch.from_numpy(np.fromfile(inp, dtype=np.float32).reshape(batch, 3, 224, 224))
    y = torch.from_numpy(np.fromfile(lab, dtype=np.int32).astype(np.int64))
    opt = torch.optim.SGD(m.parameters(), **HYPER)
    rec = {"loss": [], "step_s": [], "forward_s": [], "backward_s": []}
    for _ in range(steps):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(m(x), y)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        t3 = time.perf_counter()
        rec["loss"].append(float(loss))
        rec["step_s"].append(t3 - t0)
        rec["forward_s"].append(t1 - t0)
        rec["backward_s"].append(t2 - t1)
    with torch.no_grad():
        rec["loss_after"] = float(torch.nn.functional.cross_entropy(m(x), y))
    rec["peak_rss_mb"] = peak_rss_mb()
    rec["torch"] = torch.__version__
    print(json.dumps(rec))


def export(name, batch, path):
    import onnx
    import torch
    m = copy.deepcopy(build(name))  # tracing in train mode moves the running statistics: a copy
    x = torch.zeros(batch, 3, 224, 224)
    torch.onnx.export(m, x, path, opset_version=13, training=torch.onnx.TrainingMode.TRAINING,
                      do_constant_folding=False, input_names=["input"], output_names=["logits"])
    model = onnx.load(path)
    for node in model.graph.node:
        if node.op_type == "BatchNormalization":
            del node.output[1:]
    onnx.save(model, path)


def run_engine(binary, onnx_path, inp, lab, batch, steps, threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    args = [binary, onnx_path, inp, lab, str(batch), str(steps)] + [str(HYPER[k]) for k in
                                                                      ("lr", "momentum", "weight_decay")]
    r = subprocess.run(args, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"bench_train failed: {r.stderr.strip()}")
    kv, ops, losses = {}, [], []
    for line in r.stdout.splitlines():
        parts = line.split()
        if parts[0] == "op":
            ops.append(parts[1:])
        elif parts[0] == "step":
            losses.append(float(parts[2]))
        else:
            kv[parts[0]] = parts[1]
    return kv, ops, losses


def median(v):
    return float(np.median(v[1:] if len(v) > 1 else v))


def report(name, a, rec, kv, ops, losses):
    t_torch, t_eng = median(rec["step_s"]), float(kv["step_s"])
    ips_t, ips_e = a.batch / t_torch, a.batch / t_eng
    rel = abs(float(kv["loss_after"]) - rec["loss_after"]) / abs(rec["loss_after"])
    peak_o, peak_e = float(kv["sgemm_peak_openblas_gflops"]), float(kv["sgemm_peak_engine_gflops"])
    bw = float(kv["backward_gflops"])
    print(f"\n== {name} (batch {a.batch}, {a.steps} steps)")
    print(f"  OpenBLAS core {kv['openblas_core']} ({kv['openblas_threads']} threads), engine GEMM {kv['engine_gemm']}")
    print(f"  PyTorch : {ips_t:7.2f} images/s  (step {t_torch:.3f} s = forward {median(rec['forward_s']):.3f} + "
          f"backward {median(rec['backward_s']):.3f} + update; peak RSS {rec['peak_rss_mb']:.0f} MB)")
    print(f"  engine  : {ips_e:7.2f} images/s  (step {t_eng:.3f} s = forward {float(kv['forward_s']):.3f} + "
          f"backward {float(kv['backward_s']):.3f} + update; peak RSS {float(kv['peak_rss_mb']):.0f} MB)")
    print(f"  ratio engine/PyTorch: {ips_e / ips_t:.2f}x images/s (target >= 1.5x)")
    print(f"  backward: {kv['backward_gemm_gflop']} GFLOP of GEMM per step at {bw:.1f} GFLOP/s over the whole backward"
          f" ({kv['backward_gemm_nodes_gflops']} over its Conv/Gemm nodes) = {100 * bw / peak_o:.0f}% of OpenBLAS "
          f"sgemm peak ({peak_o:.1f}), {100 * bw / peak_e:.0f}% of the engine GEMM's ({peak_e:.1f}); "
          f"load average {os.getloadavg()[0]:.2f}")
    print("  losses per step  engine: " + " ".join(f"{v:.6f}" for v in losses))
    print("                   torch : " + " ".join(f"{v:.6f}" for v in rec["loss"]))
    ok = rel <= 1e-4
    print(f"  loss after {a.steps} steps: engine {float(kv['loss_after']):.7f}, torch {rec['loss_after']:.7f}, "
          f"relative difference {rel:.2e} (limit 1e-4) {'OK' if ok else 'FAIL'}")
    print("  engine profile (op, nodes, forward s, backward s per step, backward GFLOP/s):")
    for op in sorted(ops, key=lambda o: -(float(o[2]) + float(o[3]))):
        print(f"    {op[0]:<20} {op[1]:>3} {float(op[2]):8.4f} {float(op[3]):8.4f} {op[4]:>8}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "../../build/bin/bench_train"))
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--models", default="alexnet,resnet18")
    ap.add_argument("--torch-child", nargs=3, metavar=("MODEL", "INPUT", "LABELS"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.torch_child:
        torch_child(*a.torch_child, a.batch, a.steps, a.threads)
        return 0
    tmp = tempfile.mkdtemp(prefix="cb_train_perf_")
    inp, lab = os.path.join(tmp, "input.bin"), os.path.join(tmp, "labels.bin")
    np.random.default_rng(1).standard_normal((a.batch, 3, 224, 224), dtype=np.float32).tofile(inp)
    np.random.default_rng(2).integers(0, 1000, a.batch).astype(np.int32).tofile(lab)
    ok = True
    for name in a.models.split(","):
        path = os.path.join(tmp, f"{name}.onnx")
        export(name, a.batch, path)
        r = subprocess.run([sys.executable, __file__, "--torch-child", name, inp, lab, "--batch", str(a.batch),
                            "--steps", str(a.steps), "--threads", str(a.threads)], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"PyTorch side failed: {r.stderr.strip()[-2000:]}")
        rec = json.loads(r.stdout.strip().splitlines()[-1])
        kv, ops, losses = run_engine(a.bin, path, inp, lab, a.batch, a.steps, a.threads)
        if name == a.models.split(",")[0]:
            print(f"torch {rec['torch']} ({a.threads} threads), batch {a.batch}, 224x224, SGD {HYPER}")
        ok &= report(name, a, rec, kv, ops, losses)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
