"""ShuffleNetV2's guideline experiments (G1-G4) in miniature: latency of
blocks with equal FLOPs, beside the operators they launch and the bytes
they move (counted on the meta device by a TorchDispatchMode, as in the
chapter).

Rerun by hand; prints numbers and never fails on time. The FLOP counts of
the variants of each experiment are checked equal (FlopCounterMode) before
timing. On CUDA a variant under 20 us per launched operator is marked
launch-bound, and cuDNN's fp32 convolution mode is printed.

Usage: python benchmarks/05_lightweight_cnns.py [--threads 1] [--hw 28]
       [--reps 50] [--batch 1] [--device cpu]
"""

import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten
from torch.utils.flop_counter import FlopCounterMode


class Traffic(TorchDispatchMode):
    """Operators launched and bytes read + written (views, aliases and
    allocations skipped; in-place operators counted)."""

    def __init__(self):
        super().__init__()
        self.ops, self.bytes = 0, 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        leaves = tree_flatten((args, kwargs))[0]
        ins = [t for t in leaves if isinstance(t, torch.Tensor)]
        outs = [t for t in tree_flatten(out)[0] if isinstance(t, torch.Tensor)]
        stores = {t.untyped_storage()._cdata for t in ins}
        aliases = all(t.untyped_storage()._cdata in stores for t in outs)
        if (
            func.is_view
            or not ins
            or (aliases and not func._schema.is_mutable)
        ):
            return out
        self.ops += 1
        self.bytes += sum(t.nbytes for t in ins + outs)
        return out


class Parallel(nn.Module):
    def __init__(self, c, n):
        super().__init__()
        self.branches = nn.ModuleList(
            nn.Conv2d(c, c // n, 1, bias=False) for _ in range(n)
        )

    def forward(self, x):
        return torch.cat([b(x) for b in self.branches], dim=1)


class Bottleneck(nn.Module):
    def __init__(self, c, relu=True, shortcut=True):
        super().__init__()
        self.convs = nn.ModuleList(
            [
                nn.Conv2d(c, c // 4, 1, bias=False),
                nn.Conv2d(c // 4, c // 4, 3, padding=1, bias=False),
                nn.Conv2d(c // 4, c, 1, bias=False),
            ]
        )
        self.relu, self.shortcut = relu, shortcut

    def forward(self, x):
        y = x
        for conv in self.convs:
            y = conv(y)
            y = F.relu(y) if self.relu else y
        return y + x if self.shortcut else y


def experiments(L=10):
    stack = lambda make, n=L: nn.Sequential(*[make() for _ in range(n)])
    return {
        "G1 c1:c2": {
            f"1:{c2 // c1}": (
                stack(
                    lambda: nn.Sequential(
                        nn.Conv2d(c1, c2, 1, bias=False),
                        nn.Conv2d(c2, c1, 1, bias=False),
                    )
                ),
                c1,
            )
            for c1, c2 in [(64, 64), (32, 128), (16, 256), (8, 512)]
        },
        "G2 groups": {
            f"g={g}": (
                stack(lambda: nn.Conv2d(c, c, 1, groups=g, bias=False)),
                c,
            )
            for g, c in [(1, 128), (4, 256), (16, 512)]
        },
        "G3 fragments": {
            "1-fragment": (
                stack(lambda: nn.Conv2d(128, 128, 1, bias=False)),
                128,
            ),
            "2-parallel": (stack(lambda: Parallel(128, 2)), 128),
            "4-parallel": (stack(lambda: Parallel(128, 4)), 128),
            "4-series": (
                stack(lambda: nn.Conv2d(64, 64, 1, bias=False), 4 * L),
                64,
            ),
        },
        "G4 element-wise": {
            f"ReLU={r:d} short={s:d}": (
                stack(lambda: Bottleneck(128, r, s)),
                128,
            )
            for r, s in [(1, 1), (1, 0), (0, 1), (0, 0)]
        },
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--hw", type=int, default=28)
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument(
        "--device", default="cuda" if torch.cuda.is_available() else "cpu"
    )
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_flush_denormal(True)
    dev = torch.device(a.device)
    print(
        f"device={dev} threads={a.threads} batch={a.batch} hw={a.hw} "
        f"reps={a.reps} torch={torch.__version__}"
    )
    if dev.type == "cuda":
        conv = getattr(torch.backends.cudnn, "conv", None)
        mode = getattr(conv, "fp32_precision", None) or (
            "tf32" if torch.backends.cudnn.allow_tf32 else "ieee"
        )
        print(f"cudnn fp32 convolutions: {mode!r} (tf32 = TF32 tensor cores)")
    for exp, variants in experiments().items():
        rows, counts = [], {}
        for name, (m, c) in variants.items():
            for p in m.parameters():
                nn.init.kaiming_normal_(p)
            m = m.to(dev).eval()
            x = torch.randn(a.batch, c, a.hw, a.hw, device=dev)
            with FlopCounterMode(display=False) as fc, torch.inference_mode():
                m(x)
            with Traffic() as tr, torch.inference_mode():
                m.to("meta")(x.to("meta"))
            m.to_empty(device=dev)
            for p in m.parameters():
                nn.init.kaiming_normal_(p)
            counts[name] = (tr.ops, tr.bytes)
            rows.append((name, m, x, fc.get_total_flops()))
        assert len({r[3] for r in rows}) == 1, f"{exp}: FLOPs differ"
        times = {name: [] for name, *_ in rows}
        with torch.inference_mode():
            for _ in range(3):
                for _, m, x, _ in rows:
                    m(x)
            for _ in range(a.reps):  # interleaved rounds
                for name, m, x, _ in rows:
                    if dev.type == "cuda":
                        torch.cuda.synchronize()
                    t = time.perf_counter()
                    m(x)
                    if dev.type == "cuda":
                        torch.cuda.synchronize()
                    times[name].append(time.perf_counter() - t)
        base = None
        for name, ts in times.items():
            ts.sort()
            best, med = 1e3 * ts[0], 1e3 * ts[len(ts) // 2]
            base = base or best
            ops, nbytes = counts[name]
            us = 1e3 * best / ops
            bound = " launch-bound" if dev.type == "cuda" and us < 20 else ""
            print(
                f"{exp:16s} {name:15s} {rows[0][3] / 2e6:6.1f} M MAdds "
                f"{ops:3d} launches {nbytes / 1e6:6.1f} MB  best {best:7.3f} "
                f"ms median {med:7.3f} ms ({best / base:.2f}x) "
                f"{us:6.1f} us/launch{bound}"
            )


if __name__ == "__main__":
    main()
