#!/usr/bin/python3
"""Speed benchmark: cortexbench's NN engine against PyTorch on torchvision AlexNet and ResNet-18 with the same
weights (exported to ONNX, opset 13). Not a test: it prints figures measured in this run.

    /usr/bin/python3 benchmarks/perf/nn_vs_torch.py [--bin build/bin/bench_nn]
        [--batch 64] [--reps 3] [--models alexnet,resnet18] [--no-default-core]

Both sides: batch 64 (--batch), 224x224, 2 threads (torch.set_num_threads(2); OPENBLAS_NUM_THREADS=2 for the
engine, whose GEMM uses as many threads as OpenBLAS), one warm-up then the median of --reps runs. Weights:
torch.manual_seed(0) before building each model (eval mode). The engine runs the model path (cb_model_forward:
images grouped into one GEMM per layer, bitwise the same activations as one image at a time). Its outputs must
match PyTorch's (max |diff| <= 1e-3 * max |torch| + 1e-5, i.e. rtol 1e-3 on the logits' scale).
Also printed: conv GFLOP/s (fastest timed run) against the 2048^3 sgemm peak (best of 3) of OpenBLAS and of the
engine's own GEMM, the paired conv fraction (each run's conv rate over an OpenBLAS sgemm timed right after it,
median of the runs), the 1-minute load average, peak RSS,
the per-op profile, and (unless --no-default-core) the run with OpenBLAS's autodetected core.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torchvision


def build(name):
    torch.manual_seed(0)
    m = getattr(torchvision.models, name)()
    m.eval()
    return m


def time_torch(model, x, reps):
    torch.set_num_threads(2)
    with torch.no_grad():
        model(x)  # warm-up
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            y = model(x)
            times.append(time.perf_counter() - t)
    return float(np.median(times)), y.numpy()


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def default_core():
    """The kernel scripts/env.sh picks: SkylakeX with AVX-512, Haswell with AVX2 (forcing SkylakeX on an AVX2-only
    CPU dies with an illegal instruction), else OpenBLAS's own detection (None)."""
    try:
        flags = open("/proc/cpuinfo").read().split()
    except OSError:
        return None
    return "SkylakeX" if "avx512f" in flags else "Haswell" if "avx2" in flags else None


def run_engine(binary, onnx_path, inp, batch, reps, out_path, coretype):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="2", OMP_NUM_THREADS="2")
    if coretype is None:
        env.pop("OPENBLAS_CORETYPE", None)
    else:
        env["OPENBLAS_CORETYPE"] = coretype
    r = subprocess.run([binary, onnx_path, inp, str(batch), str(reps), out_path], env=env, capture_output=True,
                       text=True)
    if r.returncode != 0:
        sys.exit(f"bench_nn failed: {r.stderr.strip()}")
    kv, ops = {}, []
    for line in r.stdout.splitlines():
        parts = line.split()
        if parts[0] == "op":
            ops.append(parts[1:])
        else:
            kv[parts[0]] = parts[1]
    return kv, ops


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "../../build/bin/bench_nn"))
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--models", default="alexnet,resnet18")
    ap.add_argument("--no-default-core", action="store_true")
    a = ap.parse_args()
    core = os.environ.get("OPENBLAS_CORETYPE") or default_core()
    print(f"torch {torch.__version__} (threads 2), torchvision {torchvision.__version__}, batch {a.batch}, 224x224")
    tmp = tempfile.mkdtemp(prefix="cb_nn_perf_")
    ok = True
    for name in a.models.split(","):
        model = build(name)
        x = torch.from_numpy(np.random.RandomState(1).rand(a.batch, 3, 224, 224).astype(np.float32) * 2 - 1)
        onnx_path = os.path.join(tmp, f"{name}.onnx")
        torch.onnx.export(model, x[:1], onnx_path, opset_version=13, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
        inp = os.path.join(tmp, f"{name}.in.bin")
        out = os.path.join(tmp, f"{name}.out.bin")
        x.numpy().tofile(inp)
        rss0 = peak_rss_mb()
        t_torch, y_torch = time_torch(model, x, a.reps)
        rss_torch = peak_rss_mb()
        kv, ops = run_engine(a.bin, onnx_path, inp, a.batch, a.reps, out, core)
        y = np.fromfile(out, dtype=np.float32).reshape(y_torch.shape)
        err = float(np.max(np.abs(y - y_torch)))
        tol = 1e-3 * float(np.max(np.abs(y_torch))) + 1e-5
        ok &= err <= tol
        ips_torch, ips = a.batch / t_torch, float(kv["images_per_s"])
        print(f"\n== {name}")
        print(f"  OpenBLAS core {kv['openblas_core']} ({kv['openblas_threads']} threads), engine GEMM "
              f"{kv['engine_gemm']}")
        print(f"  PyTorch : {ips_torch:8.1f} images/s  (batch {t_torch:.3f} s; process peak RSS {rss_torch:.0f} MB,"
              f" was {rss0:.0f} MB before)")
        print(f"  engine  : {ips:8.1f} images/s  (batch {float(kv['batch_s_median']):.3f} s; peak RSS "
              f"{kv['peak_rss_mb']} MB, arena {kv['arena_mb_per_image']} MB per image)")
        print(f"  ratio engine/PyTorch: {ips / ips_torch:.2f}x")
        peak_o, peak_e = float(kv["sgemm_peak_openblas_gflops"]), float(kv["sgemm_peak_engine_gflops"])
        conv, conv_mean = float(kv["conv_gflops"]), float(kv["conv_gflops_mean"])
        print(f"  conv {conv:.1f} GFLOP/s (fastest run; mean {conv_mean:.1f}) = {100 * conv / peak_o:.0f}% of "
              f"OpenBLAS sgemm peak ({peak_o:.1f}), {100 * conv / peak_e:.0f}% of the engine GEMM's peak "
              f"({peak_e:.1f}); load average {os.getloadavg()[0]:.2f}")
        print(f"  conv / OpenBLAS sgemm timed right after each run (median of {a.reps} pairs): "
              f"{100 * float(kv['conv_fraction_paired_median']):.0f}%")
        print(f"  outputs: max |engine - torch| = {err:.3g} (tolerance {tol:.3g}) {'OK' if err <= tol else 'FAIL'}")
        print("  profile (op, s per batch, share, GFLOP/s):")
        for op in sorted(ops, key=lambda o: -float(o[1])):
            print(f"    {op[0]:<20} {float(op[1]):8.4f} {op[2]:>6} {op[3]:>8}")
        if not a.no_default_core:
            kv2, _ = run_engine(a.bin, onnx_path, inp, a.batch, a.reps, out, None)
            print(f"  autodetected core {kv2['openblas_core']}: engine {float(kv2['images_per_s']):.1f} images/s, "
                  f"OpenBLAS sgemm peak {kv2['sgemm_peak_openblas_gflops']} GFLOP/s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
