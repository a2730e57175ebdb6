"""Cost of a Medusa tree-verification pass relative to a plain decoding step, t_N / t_1.

The speedup model of the Medusa chapter is S(N) = E[tokens per step](N) * t_1 / t_N. This script
measures t_N / t_1 for decoder-only transformers of growing width (random weights: the cost does
not depend on them) with a KV cache of `--prefix` positions, on the CPU or the GPU.
Run:  .venv/bin/python benchmarks/11_medusa.py [--threads 1] [--prefix 64]
It prints numbers and never fails on time.
"""

import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, n_head):
        super().__init__()
        self.n_head = n_head
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.mlp = nn.Sequential(
            nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d)
        )

    def forward(self, x, k_cache, v_cache, mask):
        B, t, d = x.shape
        q, k, v = (
            self.qkv(self.ln1(x))
            .view(B, t, 3, self.n_head, d // self.n_head)
            .permute(2, 0, 3, 1, 4)
        )
        k, v = torch.cat([k_cache, k], 2), torch.cat([v_cache, v], 2)
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        x = x + self.proj(a.transpose(1, 2).reshape(B, t, d))
        return x + self.mlp(self.ln2(x))


@torch.no_grad()
def step_time(blocks, d, n_head, prefix, n_tokens, device, repeats):
    x = torch.randn(1, n_tokens, d, device=device)
    kc = [
        torch.randn(1, n_head, prefix, d // n_head, device=device)
        for _ in blocks
    ]
    vc = [
        torch.randn(1, n_head, prefix, d // n_head, device=device)
        for _ in blocks
    ]
    mask = torch.ones(
        n_tokens, prefix + n_tokens, dtype=torch.bool, device=device
    ).tril(prefix)

    def run():
        h = x
        for blk, k, v in zip(blocks, kc, vc):
            h = blk(h, k, v, mask)
        return h

    for _ in range(3):
        run()
    if device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(repeats):
        run()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - t0) / repeats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--prefix", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=30)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    print(f"device={device.type} threads={args.threads} prefix={args.prefix}")
    print(
        "   d  layers   t_1 (ms)   t_N/t_1 for N+1 = 5, 17, 49, 65 tree tokens"
    )
    for d, n_layer in [(128, 2), (512, 4), (1024, 8), (2048, 8)]:
        blocks = (
            nn.ModuleList(Block(d, max(1, d // 64)) for _ in range(n_layer))
            .to(device)
            .eval()
        )
        t1 = step_time(
            blocks, d, max(1, d // 64), args.prefix, 1, device, args.repeats
        )
        ratios = [
            step_time(
                blocks,
                d,
                max(1, d // 64),
                args.prefix,
                n,
                device,
                args.repeats,
            )
            / t1
            for n in (5, 17, 49, 65)
        ]
        print(
            f"{d:5d}  {n_layer:5d}   {1e3 * t1:8.2f}   "
            + "  ".join(f"{r:5.2f}" for r in ratios)
        )


if __name__ == "__main__":
    main()
