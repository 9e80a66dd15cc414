#!/usr/bin/python3
"""Goldens for src/train's optimisers and learning-rate schedules (src/train/cb_optim.h), from torch.optim.

tests/reference/fixtures/optim_goldens.txt, in the case format of make_grad_goldens.py:
  - optimiser cases (SGD, Adam, AdamW): two parameter tensors p0 (3, 4), p1 (5) and, for each step k, the
    gradients g<k>_0, g<k>_1 (seeded numpy, float32) and the parameters after the step, after<k>_0,
    after<k>_1, computed by torch.optim (float32, single-tensor path) driven by a torch.optim.lr_scheduler;
    `lrs` holds the learning rate of every step;
  - schedule cases: `lrs` of the scheduler over `steps` steps.
Schedules: i:sched 0 constant, 1 StepLR(step_size, gamma), 2 CosineAnnealingLR(t_max, eta_min); i:warmup > 0
puts LinearLR(start_factor=warmup_factor, total_iters=warmup) before it (SequentialLR, milestone warmup).
Hyper-parameters are dyadic fractions (exact in float32), so C and Python start from the same numbers.

Usage: /usr/bin/python3 tests/reference/make_optim_goldens.py
"""
import os
import warnings

import numpy as np
import torch
from torch.optim import lr_scheduler as S

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
rng = np.random.default_rng(21)
# SequentialLR steps its schedulers with an epoch argument (closed form); the warning says so, nothing more
warnings.filterwarnings("ignore", message="The epoch parameter")


def tline(name, a):
    a = np.asarray(a)
    return "t %s %d %s %s" % (name, a.ndim, " ".join(str(d) for d in a.shape),
                              " ".join("%.17g" % v for v in a.astype(np.float64).ravel()))


def scheduler(opt, sc):
    kind = sc.get("sched", 0)
    if kind == 1:
        main = S.StepLR(opt, step_size=sc["step_size"], gamma=sc["gamma"])
    elif kind == 2:
        main = S.CosineAnnealingLR(opt, T_max=sc["t_max"], eta_min=sc.get("eta_min", 0.0))
    else:
        main = S.ConstantLR(opt, factor=1.0, total_iters=0)
    if sc.get("warmup", 0) > 0:
        warm = S.LinearLR(opt, start_factor=sc["warmup_factor"], end_factor=1.0, total_iters=sc["warmup"])
        return S.SequentialLR(opt, [warm, main], milestones=[sc["warmup"]])
    return main


def attrs(d):
    d = dict(d)
    if "betas" in d:
        d["beta1"], d["beta2"] = d.pop("betas")
    return " ".join(("i:%s=%d" % (k, v)) if isinstance(v, int) else ("f:%s=%.17g" % (k, v)) for k, v in d.items())


def optim_case(L, name, kind, hp, sc, steps=6):
    p0, p1 = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal(5).astype(np.float32)
    ps = [torch.nn.Parameter(torch.tensor(p0)), torch.nn.Parameter(torch.tensor(p1))]
    opt = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW}[kind](
        ps, lr=sc["lr"], foreach=False, **hp)
    sch = scheduler(opt, sc)
    L.append("case %s %s in=p0,p1 rt=0 %s %s i:steps=%d" % (name, kind, attrs(hp), attrs(sc), steps))
    L += [tline("p0", p0), tline("p1", p1)]
    lrs = []
    for k in range(steps):
        gs = [rng.standard_normal(p.shape).astype(np.float32) for p in ps]
        for p, g in zip(ps, gs):
            p.grad = torch.tensor(g)
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sch.step()
        L += [tline("g%d_0" % k, gs[0]), tline("g%d_1" % k, gs[1])]
        L += [tline("after%d_0" % k, ps[0].detach().numpy()), tline("after%d_1" % k, ps[1].detach().numpy())]
    L += [tline("lrs", np.array(lrs)), "end"]


def sched_case(L, name, sc, steps):
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=sc["lr"])
    sch = scheduler(opt, sc)
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sch.step()
    L += ["case %s Schedule in=lrs rt=0 %s i:steps=%d" % (name, attrs(sc), steps), tline("lrs", np.array(lrs)), "end"]


def main():
    L = ["# Optimiser and schedule goldens for src/train, by tests/reference/make_optim_goldens.py (torch %s)"
         % torch.__version__]
    const = {"lr": 0.125}
    optim_case(L, "sgd_plain", "SGD", {}, const)
    optim_case(L, "sgd_momentum_wd", "SGD", {"momentum": 0.875, "dampening": 0.25, "weight_decay": 0.0625},
               {"lr": 0.125, "sched": 1, "step_size": 2, "gamma": 0.5})
    optim_case(L, "sgd_nesterov", "SGD", {"momentum": 0.875, "nesterov": True, "weight_decay": 0.03125},
               {"lr": 0.0625, "sched": 2, "t_max": 6, "eta_min": 0.0078125})
    optim_case(L, "adam", "Adam", {"betas": (0.875, 0.9990234375), "eps": 2.0 ** -20},
               {"lr": 0.015625, "sched": 2, "t_max": 8, "eta_min": 0.0, "warmup": 2, "warmup_factor": 0.25})
    optim_case(L, "adam_wd", "Adam", {"weight_decay": 0.0625}, {"lr": 0.03125})
    optim_case(L, "adamw", "AdamW", {"weight_decay": 0.125}, {"lr": 0.03125, "sched": 1, "step_size": 3,
                                                              "gamma": 0.25})
    sched_case(L, "sched_step", {"lr": 0.5, "sched": 1, "step_size": 3, "gamma": 0.5}, 12)
    sched_case(L, "sched_cosine", {"lr": 0.5, "sched": 2, "t_max": 10, "eta_min": 0.0078125}, 11)
    sched_case(L, "sched_warmup_cosine", {"lr": 0.25, "sched": 2, "t_max": 8, "eta_min": 0.0, "warmup": 4,
                                          "warmup_factor": 0.125}, 12)
    sched_case(L, "sched_warmup_step", {"lr": 1.0, "sched": 1, "step_size": 2, "gamma": 0.125, "warmup": 3,
                                        "warmup_factor": 0.25}, 10)
    sched_case(L, "sched_warmup_const", {"lr": 0.5, "warmup": 5, "warmup_factor": 0.0625}, 8)
    with open(os.path.join(OUT, "optim_goldens.txt"), "w") as f:
        f.write("\n".join(L) + "\n")


if __name__ == "__main__":
    main()
