"""Cost of a lean Medusa step relative to a plain decoding step, t_N / t_1.

The speedup model of the Medusa chapter is S(N) = E[tokens per step](N) *
t_1 / t_N. This script times the chapter's lean step (weights gathered once,
a preallocated KV cache, all heads in one matmul, argmax acceptance with one
read of the guesses, only accepted cache entries copied) against the lean
plain step, for decoder-only transformers of several shapes (the chapter's
`ci` model, six layers of width 80, and two layers of growing width) with
random weights (the cost does not depend on them), a cached prefix of
`--prefix` positions, on the CPU or the GPU.
A chain of N top-1 guesses is timed, the cheapest tree of N nodes to accept.
Run:  .venv/bin/python benchmarks/11_medusa.py [--threads 1] [--prefix 64]
It prints numbers and never fails on time.
"""

import argparse
import time

import torch
import torch.nn.functional as F

V, K = 96, 4


def make_weights(d, n_layer, device):
    def w(*shape):
        return torch.randn(*shape, device=device) * 0.02

    blocks = [
        dict(
            qkv=(w(3 * d, d), w(3 * d)),
            proj=(w(d, d), w(d)),
            fc1=(w(4 * d, d), w(4 * d)),
            fc2=(w(d, 4 * d), w(d)),
            ln1=(torch.ones(d, device=device), w(d)),
            ln2=(torch.ones(d, device=device), w(d)),
        )
        for _ in range(n_layer)
    ]
    return dict(
        d=d,
        H=4,
        blocks=blocks,
        tok=w(V, d),
        pos=w(512, d),
        lnf=(torch.ones(d, device=device), w(d)),
        W_lm=w(V, d),
        W_1=w(K * d, d),
        b_1=w(K * d),
    )


def forward(m, idx, pos, cache, P, bias):
    """The chapter's Decoder.forward: idx, pos [n] -> hidden states [n, d]."""
    n, d, H = len(idx), m["d"], m["H"]
    dh = d // H
    x = m["tok"][idx] + m["pos"][pos]
    for layer, b in enumerate(m["blocks"]):
        y = F.layer_norm(x, (d,), *b["ln1"])
        qkv = F.linear(y, *b["qkv"]).view(n, 3, H, dh).permute(1, 2, 0, 3)
        cache[layer, :, :, P : P + n] = qkv[1:]
        k, v = cache[layer, 0, :, : P + n], cache[layer, 1, :, : P + n]
        s = torch.baddbmm(
            bias.expand(H, -1, -1), qkv[0], k.transpose(1, 2), alpha=dh**-0.5
        )
        a = (s.softmax(-1) @ v).transpose(0, 1).reshape(n, d)
        x = x + F.linear(a, *b["proj"])
        y = F.gelu(F.linear(F.layer_norm(x, (d,), *b["ln2"]), *b["fc1"]))
        x = x + F.linear(y, *b["fc2"])
    return F.layer_norm(x, (d,), *m["lnf"])


def timed(fn, device, repeats):
    for _ in range(5):
        fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(repeats):
        fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - t0) / repeats


@torch.inference_mode()
def ratios(m, prefix, chain_lengths, device, repeats):
    d, H = m["d"], m["H"]
    cache = torch.zeros(
        len(m["blocks"]), 2, H, prefix + 80, d // H, device=device
    )
    h = torch.randn(d, device=device)
    x1 = torch.tensor([3], device=device)
    pos = torch.arange(512, device=device)
    see_all = torch.zeros(1, prefix + 1, device=device)

    def plain():
        hs = forward(m, x1, pos[prefix : prefix + 1], cache, prefix, see_all)
        return F.linear(hs, m["W_lm"]).argmax(-1)

    t_1 = timed(plain, device, repeats)
    out = []
    for N in chain_lengths:
        n = N + 1
        # chain of N top-1 guesses: node j has parent j - 1, depth j
        M = torch.ones(n, n, dtype=torch.bool, device=device).tril()
        bias = torch.where(M, 0.0, float("-inf"))
        bias = torch.cat([torch.zeros(n, prefix, device=device), bias], 1)
        depth = torch.arange(n, device=device)
        flat = torch.arange(N, device=device) % K
        parent = list(range(-1, N))
        root = torch.tensor([5], device=device)

        def step():
            # heads in one matmul, candidates, tree pass, argmax acceptance
            h_k = h + F.silu(F.linear(h, m["W_1"], m["b_1"])).view(K, d)
            top = F.linear(h_k, m["W_lm"]).argmax(-1)
            cand = torch.cat([root, top[flat]])
            hs = forward(m, cand, prefix + depth, cache, prefix, bias)
            am = F.linear(hs, m["W_lm"]).argmax(-1)
            # one read of guesses and argmaxes, then a walk in Python
            c, a = torch.stack((cand, am)).tolist()
            good = [True] * n
            for v, u in enumerate(parent[1:], 1):
                good[v] = good[u] and c[v] == a[u]
            best = max(v for v in range(n) if good[v])
            # the chain's accepted entries are already in place: no copy
            return hs[best], am[best : best + 1]

        out.append(timed(step, device, repeats) / t_1)
    return t_1, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--prefix", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=50)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    chains = (1, 2, 3, 4)
    print(f"device={device.type} threads={args.threads} prefix={args.prefix}")
    print(
        "    d  layers   t_1 (ms)   lean Medusa t_N/t_1, chains of N =",
        ", ".join(map(str, chains)),
    )
    for d, n_layer in [(80, 6), (128, 2), (512, 2), (1024, 2)]:
        m = make_weights(d, n_layer, device)
        t_1, r = ratios(m, args.prefix, chains, device, args.repeats)
        print(
            f"{d:5d}  {n_layer:6d}   {1e3 * t_1:8.3f}   "
            + "  ".join(f"{x:5.2f}" for x in r)
        )


if __name__ == "__main__":
    main()
