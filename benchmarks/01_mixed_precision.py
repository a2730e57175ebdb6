"""Matmul throughput by precision: fp32, TF32, bf16, fp16 (chapter 01).

Usage:
    python benchmarks/01_mixed_precision.py [--sizes 1024 4096] [--reps 20]

On a CUDA GPU it measures square matmuls and prints TFLOP/s (2 n^3 flops
per product); on a CPU it measures fp32 and bf16 (fp16 matmul on CPU is a
slow fallback on most machines) at smaller sizes. It prints numbers and
never fails on time. Used by the "At scale" section.
"""

import argparse
import time

import torch


def tflops(n, dtype, reps, device, tf32=False):
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = tf32
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for _ in range(3):
        a @ b
    sync()
    t = time.perf_counter()
    for _ in range(reps):
        a @ b
    sync()
    return 2 * n**3 * reps / (time.perf_counter() - t) / 1e12


def main():
    cuda = torch.cuda.is_available()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[2048, 4096, 8192] if cuda else [256, 512, 1024],
    )
    p.add_argument("--reps", type=int, default=20 if cuda else 5)
    args = p.parse_args()
    device = torch.device("cuda" if cuda else "cpu")
    cols = [("fp32", torch.float32, False), ("bf16", torch.bfloat16, False)]
    if cuda:
        cols = [
            ("fp32", torch.float32, False),
            ("tf32", torch.float32, True),
            ("bf16", torch.bfloat16, False),
            ("fp16", torch.float16, False),
        ]
        print(torch.cuda.get_device_name())
    else:
        print(f"CPU, {torch.get_num_threads()} threads")
    print(f"{'n':>6} " + " ".join(f"{c[0]:>8}" for c in cols) + "   TFLOP/s")
    for n in args.sizes:
        print(
            f"{n:6d} "
            + " ".join(
                f"{tflops(n, dt, args.reps, device, tf32):8.3f}"
                for _, dt, tf32 in cols
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
