#!/usr/bin/env python3
"""The rings exercise's recipes in plain PyTorch, as a student would write them: the
speed reference of `make bench` (never used for results).

  nf:  15 affine couplings (scale and shift networks of 5 linear layers of 8 units,
       LeakyReLU, log-scale bounded by 2 tanh(u / 2)), the coordinates swapped between
       couplings, trained by maximum likelihood.
  fm:  the flow-matching field, 5 linear layers of 64 units on [x, y, t], LeakyReLU,
       loss |v(t x + (1 - t) eps, t) - (x - eps)|^2, t ~ U[0, 1].
  cfm: the same with a class embedding of 8 (5 classes) in the first layer's input.

Each: one epoch of `--points` points in batches of `--batch`, Adam (lr 1e-3) with a
cosine-annealed rate stepped per batch, as flowreport trains. Then sampling: 1000 points
through the flow, and for fm/cfm 1000 Euler steps (dt = 1/1000). Prints one line per
measurement: "<model> <what> <seconds>". The points are standard normal draws: an epoch's
cost does not depend on where the points lie.
"""
import argparse
import math
import time

import torch
from torch import nn


def mlp(n_in, hidden, n_out, depth):
    layers = []
    for i in range(depth):
        layers.append(nn.Linear(n_in if i == 0 else hidden, n_out if i + 1 == depth else hidden))
        if i + 1 < depth:
            layers.append(nn.LeakyReLU())
    return nn.Sequential(*layers)


class Coupling(nn.Module):
    def __init__(self, hidden, depth):
        super().__init__()
        self.s = mlp(1, hidden, 1, depth)
        self.b = mlp(1, hidden, 1, depth)

    def inverse(self, y):  # y -> z, log |det|
        keep, move = y[:, :1], y[:, 1:]
        ls = 2.0 * torch.tanh(self.s(keep) / 2.0)
        z = (move - self.b(keep)) * torch.exp(-ls)
        return torch.cat([keep, z], dim=1), -ls.squeeze(1)

    def forward(self, z):
        keep, move = z[:, :1], z[:, 1:]
        ls = 2.0 * torch.tanh(self.s(keep) / 2.0)
        return torch.cat([keep, move * torch.exp(ls) + self.b(keep)], dim=1)


class Flow(nn.Module):
    def __init__(self, couplings=15, hidden=8, depth=5):
        super().__init__()
        self.layers = nn.ModuleList(Coupling(hidden, depth) for _ in range(couplings))

    def log_prob(self, x):
        logdet = torch.zeros(x.shape[0])
        for k, layer in reversed(list(enumerate(self.layers))):
            if k + 1 < len(self.layers):
                x = x.flip(1)
            x, ld = layer.inverse(x)
            logdet = logdet + ld
        return -0.5 * (x ** 2).sum(1) - math.log(2 * math.pi) + logdet

    def sample(self, z):
        for k, layer in enumerate(self.layers):
            z = layer(z)
            if k + 1 < len(self.layers):
                z = z.flip(1)
        return z


class Field(nn.Module):
    def __init__(self, classes=0, hidden=64, depth=5, embed=8):
        super().__init__()
        self.embed = nn.Embedding(classes, embed) if classes else None
        self.net = mlp(3 + (embed if classes else 0), hidden, 2, depth)

    def forward(self, y, t, labels=None):
        parts = [y, t[:, None]]
        if self.embed is not None:
            parts.append(self.embed(labels))
        return self.net(torch.cat(parts, dim=1))


def epoch(model, loss_of, n, batch, gen):
    steps = (n + batch - 1) // batch
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    order = torch.randperm(n, generator=gen)
    t0 = time.perf_counter()
    for s in range(steps):
        idx = order[s * batch:(s + 1) * batch]
        opt.zero_grad()
        loss = loss_of(idx)
        loss.backward()
        opt.step()
        sched.step()
    return time.perf_counter() - t0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--points", type=int, default=250000)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--models", default="nf,fm,cfm")
    a = p.parse_args()
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    x = torch.randn(a.points, 2, generator=gen)
    labels = torch.randint(0, 5, (a.points,), generator=gen)
    z = torch.randn(1000, 2, generator=gen)
    for model in a.models.split(","):
        if model == "nf":
            flow = Flow()
            secs = epoch(flow, lambda idx: -flow.log_prob(x[idx]).mean(), a.points, a.batch, gen)
            print(f"nf epoch {secs:.4f}", flush=True)
            with torch.no_grad():
                t0 = time.perf_counter()
                flow.sample(z)
                print(f"nf sample {time.perf_counter() - t0:.4f}", flush=True)
            continue
        classes = 5 if model == "cfm" else 0
        field = Field(classes)

        def loss_of(idx):
            xb = x[idx]
            eps = torch.randn(xb.shape, generator=gen)
            t = torch.rand(xb.shape[0], generator=gen)
            y = t[:, None] * xb + (1 - t[:, None]) * eps
            v = field(y, t, labels[idx] if classes else None)
            return ((v - (xb - eps)) ** 2).sum(1).mean()

        secs = epoch(field, loss_of, a.points, a.batch, gen)
        print(f"{model} epoch {secs:.4f}", flush=True)
        with torch.no_grad():
            lab = torch.arange(1000) % 5
            y = z.clone()
            t0 = time.perf_counter()
            for k in range(1000):
                t = torch.full((1000,), k / 1000.0)
                y = y + 1e-3 * field(y, t, lab if classes else None)
            print(f"{model} sample {time.perf_counter() - t0:.4f}", flush=True)


if __name__ == "__main__":
    main()
