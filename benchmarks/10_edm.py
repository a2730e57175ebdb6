"""Wall time of diffusion samplers per image: DDPM ancestral (1000 NFE) vs
DDIM (50) vs EDM Heun (18 steps, 35 NFE).

Rerun by hand:
    python benchmarks/10_edm.py [--width 256] [--batch 500 4000] [--threads 1]
Uses an untrained MLP of the chapter's shape (the cost of sampling does not
depend on the weights) on the GPU when there is one. Prints numbers; never
fails on time.
"""

import argparse
import math
import time

import torch
import torch.nn as nn


class MLP(nn.Module):
    def __init__(self, dim=64, width=256, n_freq=16):
        super().__init__()
        self.register_buffer(
            "freq", torch.exp(torch.linspace(0, math.log(100.0), n_freq))
        )
        self.body = nn.Sequential(
            nn.Linear(dim + 2 * n_freq, width),
            nn.SiLU(),
            nn.Linear(width, width),
            nn.SiLU(),
            nn.Linear(width, width),
            nn.SiLU(),
            nn.Linear(width, dim),
        )

    def forward(self, x, c):
        a = c.reshape(-1, 1).to(x.dtype) * self.freq
        return self.body(torch.cat([x, a.sin(), a.cos()], 1))


@torch.no_grad()
def ddpm(net, x, T=1000):
    betas = torch.linspace(1e-4, 0.02, T, dtype=torch.float64)
    abar = torch.cumprod(1 - betas, 0)
    for t in range(T - 1, -1, -1):
        eps = net(x, torch.full((x.shape[0],), t / T, device=x.device))
        b, ab = betas[t].item(), abar[t].item()
        x = (x - b / math.sqrt(1 - ab) * eps) / math.sqrt(1 - b)
        if t > 0:
            x = x + math.sqrt(b) * torch.randn_like(x)
    return x


@torch.no_grad()
def ddim(net, x, n=50, T=1000):
    abar = torch.cumprod(
        1 - torch.linspace(1e-4, 0.02, T, dtype=torch.float64), 0
    )
    ts = torch.linspace(T - 1, 0, n).round().long().tolist()
    for k, t in enumerate(ts):
        ab = abar[t].item()
        eps = net(x, torch.full((x.shape[0],), t / T, device=x.device))
        x0 = (x - math.sqrt(1 - ab) * eps) / math.sqrt(ab)
        abn = abar[ts[k + 1]].item() if k + 1 < n else 1.0
        x = math.sqrt(abn) * x0 + math.sqrt(1 - abn) * eps
    return x


@torch.no_grad()
def heun(net, x, n=18, sigma_min=0.002, sigma_max=80.0, rho=7.0):
    i = torch.arange(n, dtype=torch.float64)
    sig = (
        (
            sigma_max ** (1 / rho)
            + i / (n - 1) * (sigma_min ** (1 / rho) - sigma_max ** (1 / rho))
        )
        ** rho
    ).tolist() + [0.0]
    sd = 0.5

    def D(x, s):
        return sd**2 / (s**2 + sd**2) * x + s * sd / math.sqrt(
            s**2 + sd**2
        ) * net(
            x / math.sqrt(s**2 + sd**2),
            torch.full((x.shape[0],), math.log(s) / 4, device=x.device),
        )

    x = x * sig[0]
    for k in range(n):
        d = (x - D(x, sig[k])) / sig[k]
        xn = x + (sig[k + 1] - sig[k]) * d
        if sig[k + 1] > 0:
            xn = (
                x
                + (sig[k + 1] - sig[k])
                * (d + (xn - D(xn, sig[k + 1])) / sig[k + 1])
                / 2
            )
        x = xn
    return x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--batch", type=int, nargs="+", default=[500, 4000])
    ap.add_argument(
        "--threads",
        type=int,
        default=None,
        help="CPU threads (default: torch's choice)",
    )
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    net = MLP(width=args.width).to(dev).eval()
    print(
        f"device={dev.type} width={args.width} "
        f"threads={torch.get_num_threads()}"
    )
    print(
        f"{'batch':>6s} {'sampler':22s} {'NFE':>5s} "
        f"{'seconds':>9s} {'ms/NFE':>8s}"
    )
    for batch in args.batch:
        for name, fn, nfe in (
            ("DDPM ancestral", ddpm, 1000),
            ("DDIM 50", ddim, 50),
            ("EDM Heun 18", heun, 35),
        ):
            x = torch.randn(batch, 64, device=dev)
            fn(net, x[:8])  # warm-up
            if dev.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            fn(net, x)
            if dev.type == "cuda":
                torch.cuda.synchronize()
            sec = time.perf_counter() - start
            print(
                f"{batch:6d} {name:22s} {nfe:5d} "
                f"{sec:9.3f} {1000 * sec / nfe:8.3f}"
            )


if __name__ == "__main__":
    main()
