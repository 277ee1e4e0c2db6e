#!/usr/bin/env python3
"""Writes torch_reference.json: known answers from PyTorch for Dendrite's optimiser, schedule,
activation and loss tests. Run with Debian's python3-torch (apt-get install python3-torch), whose interpreter is /usr/bin/python3:

    /usr/bin/python3 make_reference.py > torch_reference.json

Everything is float32 on the CPU, single-tensor code paths, fixed inputs; the Java tests replay the
same inputs and compare."""
import json
import math
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)
N_PARAMS, N_STEPS = 7, 6
P0 = [0.5, -1.25, 2.0, 0.0, -0.3, 1e-3, 3.5]
GRADS = [[math.sin(1.7 * s + 0.9 * i) * (1.0 + 0.5 * i) for i in range(N_PARAMS)] for s in range(N_STEPS)]

OPTIMISERS = [
    ("sgd", {"lr": 0.1}, lambda p: torch.optim.SGD(p, lr=0.1)),
    ("momentum", {"lr": 0.05, "momentum": 0.9}, lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    ("nesterov", {"lr": 0.05, "momentum": 0.9},
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True)),
    ("adagrad", {"lr": 0.1, "eps": 1e-10}, lambda p: torch.optim.Adagrad(p, lr=0.1, eps=1e-10)),
    ("adadelta", {"lr": 1.0, "rho": 0.9, "eps": 1e-6},
     lambda p: torch.optim.Adadelta(p, lr=1.0, rho=0.9, eps=1e-6)),
    ("rmsprop", {"lr": 0.01, "alpha": 0.99, "eps": 1e-8},
     lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.99, eps=1e-8)),
    ("adam", {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
     lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-8, foreach=False)),
    ("adamw", {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.1},
     lambda p: torch.optim.AdamW(p, lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1, foreach=False)),
    # NAdam uses the multi-tensor path: torch 1.13's single-tensor path multiplies mu into mu_product_next
    # twice, a bug fixed in torch 2.0 (pytorch/pytorch#92699); the multi-tensor path follows Dozat (2016).
    ("nadam", {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "momentum_decay": 0.004},
     lambda p: torch.optim.NAdam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-8, momentum_decay=0.004, foreach=True)),
]


def optimiser_cases():
    out = []
    for name, config, make in OPTIMISERS:
        p = torch.tensor(P0, requires_grad=True)
        opt = make([p])
        trace = []
        for g in GRADS:
            p.grad = torch.tensor(g)
            opt.step()
            trace.append(p.detach().tolist())
        out.append({"name": name, "config": config, "params": trace})
    return out


def schedule_cases():
    def run(make, steps, metrics=None):
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1)
        sched = make(opt)
        rates = []
        for t in range(steps):
            if metrics is None:
                rates.append(opt.param_groups[0]["lr"])
                opt.step()
                sched.step()
            else:
                sched.step(metrics[t])
                rates.append(opt.param_groups[0]["lr"])
        return rates

    plateau_metrics = [1.0, 0.9, 0.95, 0.92, 0.91, 0.895, 0.89, 0.7, 0.71, 0.72, 0.73, 0.74, 0.75, 0.76, 0.77, 0.78]
    return [
        {"name": "step", "config": {"step_size": 3, "gamma": 0.5},
         "rates": run(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5), 12)},
        {"name": "exponential", "config": {"gamma": 0.9},
         "rates": run(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9), 12)},
        {"name": "cosine", "config": {"total_steps": 10, "min_rate": 0.01},
         "rates": run(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.01), 11)},
        {"name": "warmup", "config": {"steps": 4, "start_factor": 0.25},
         "rates": run(lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=4), 8)},
        {"name": "plateau", "config": {"factor": 0.5, "patience": 2, "min_delta": 0.01, "cooldown": 1,
                                       "min_lr": 0.02},
         "metrics": plateau_metrics,
         "rates": run(lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(
             o, mode="min", factor=0.5, patience=2, threshold=0.01, threshold_mode="abs", cooldown=1,
             min_lr=0.02), len(plateau_metrics), plateau_metrics)},
    ]


def activation_cases():
    z = torch.tensor([-6.0, -2.5, -1.0, -0.3, -1e-3, 0.0, 1e-3, 0.4, 1.0, 2.2, 7.0], requires_grad=True)
    funcs = {
        "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
        "leaky_relu": lambda v: F.leaky_relu(v, 0.2), "elu": lambda v: F.elu(v, 1.5),
        "gelu": lambda v: F.gelu(v, approximate="none"),
    }
    out = []
    for name, f in funcs.items():
        y = f(z)
        (g,) = torch.autograd.grad(y.sum(), z)
        alpha = {"leaky_relu": 0.2, "elu": 1.5}.get(name, 0.0)
        out.append({"name": name, "alpha": alpha, "z": z.tolist(), "value": y.tolist(), "derivative": g.tolist()})
    return out


def loss_cases():
    torch.manual_seed(3)
    out_multi = (torch.randn(4, 3) * 3).tolist()
    labels = [2, 0, 1, 1]
    soft = F.softmax(torch.randn(4, 3), dim=1).tolist()
    reg_target = (torch.randn(4, 3) * 2).tolist()
    bin_target = [[1.0, 0.0, 1.0], [0.0, 0.0, 1.0], [1.0, 1.0, 0.0], [0.0, 1.0, 1.0]]
    large = [[1000.0, -1000.0, 0.0], [-800.0, 50.0, 900.0], [0.0, 0.0, 0.0], [88.0, 89.0, 90.0]]

    def case(name, output, target, f, target_width, **extra):
        o = torch.tensor(output, requires_grad=True)
        t = torch.tensor(target)
        loss = f(o, t)
        (g,) = torch.autograd.grad(loss, o)
        m = len(output)
        # Dendrite returns the summed per-example loss and the per-example gradient: scale by m.
        return dict({"name": name, "output": output, "target": target, "target_width": target_width,
                     "loss_sum": loss.item() * m, "grad": (g * m).tolist()}, **extra)

    return [
        case("mse", out_multi, reg_target, F.mse_loss, 3),
        case("mae", out_multi, reg_target, F.l1_loss, 3),
        case("huber", out_multi, reg_target, lambda o, t: F.huber_loss(o, t, delta=1.5), 3, delta=1.5),
        case("binary_crossentropy", out_multi, bin_target, F.binary_cross_entropy_with_logits, 3),
        case("categorical_crossentropy", out_multi, [[float(v)] for v in labels],
             lambda o, t: F.cross_entropy(o, t.squeeze(1).long()), 1),
        case("categorical_crossentropy", out_multi, soft, F.cross_entropy, 3),
        case("categorical_crossentropy", large, [[0.0], [2.0], [1.0], [0.0]],
             lambda o, t: F.cross_entropy(o, t.squeeze(1).long()), 1),
    ]


json.dump({"generator": "make_reference.py", "torch": torch.__version__, "initial_params": P0, "grads": GRADS,
           "optimizers": optimiser_cases(), "schedules": schedule_cases(), "activations": activation_cases(),
           "losses": loss_cases()}, sys.stdout, indent=1)
print()
