"""FlashAttention benchmark (chapter 02): a Triton forward kernel vs PyTorch
SDPA and naive attention.

On a CUDA machine: TFLOP/s of the Triton kernel, of
scaled_dot_product_attention restricted to its FlashAttention backend, and of
naive attention (S and P materialised), fp16 and bf16, N = 1K..16K, d = 64
and 128, with B*N = 16K tokens and H = 2048/d heads; prints the ratio
Triton / SDPA and the headline ratio at N=4096, d=64, fp16 (the chapter's
target: >= 0.8 on an H200).
On a CPU (no CUDA): the kernel runs under Triton's interpreter, so only a
tiny correctness run and the CPU timing of naive vs tiled PyTorch attention
are printed.

    .venv/bin/python benchmarks/02_flash_attention.py [--causal]

Never fails on time; it prints numbers. The kernel is a copy of the
chapter's (chapters import no local modules), keep the two in step.
"""

import math
import os
import platform
import sys
import time

import torch

if not torch.cuda.is_available():
    os.environ["TRITON_INTERPRET"] = "1"  # must precede `import triton`
import torch.nn.functional as F  # noqa: E402
import triton  # noqa: E402
import triton.language as tl  # noqa: E402


@triton.jit
def flash_fwd_kernel(
    Q,
    K,
    V,
    O,
    L,
    tau,
    N,
    stride_qh,
    stride_qn,
    stride_kh,
    stride_kn,
    stride_vh,
    stride_vn,
    stride_oh,
    stride_on,
    CAUSAL: tl.constexpr,
    D: tl.constexpr,
    BLOCK_M: tl.constexpr,
    BLOCK_N: tl.constexpr,
    DOT_PRECISION: tl.constexpr,
):
    i = tl.program_id(0)
    bh = tl.program_id(1)
    rows = i * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_n = tl.arange(0, BLOCK_N)
    offs_d = tl.arange(0, D)
    Q_i = tl.load(
        Q + bh * stride_qh + rows[:, None] * stride_qn + offs_d[None, :],
        mask=rows[:, None] < N,
        other=0.0,
    )
    qk_scale = tau * 1.4426950408889634
    m_i = tl.full([BLOCK_M], float("-inf"), dtype=tl.float32)
    l_i = tl.zeros([BLOCK_M], dtype=tl.float32)
    acc = tl.zeros([BLOCK_M, D], dtype=tl.float32)
    hi = tl.minimum((i + 1) * BLOCK_M, N) if CAUSAL else N
    for j0 in range(0, hi, BLOCK_N):
        cols = j0 + offs_n
        K_j = tl.load(
            K + bh * stride_kh + cols[:, None] * stride_kn + offs_d[None, :],
            mask=cols[:, None] < N,
            other=0.0,
        )
        V_j = tl.load(
            V + bh * stride_vh + cols[:, None] * stride_vn + offs_d[None, :],
            mask=cols[:, None] < N,
            other=0.0,
        )
        s = (
            tl.dot(Q_i, tl.trans(K_j), input_precision=DOT_PRECISION)
            * qk_scale
        )
        valid = cols[None, :] < N
        if CAUSAL:
            valid = valid & (cols[None, :] <= rows[:, None])
        s = tl.where(valid, s, float("-inf"))
        m_new = tl.maximum(m_i, tl.max(s, 1))
        p = tl.math.exp2(s - m_new[:, None])
        alpha = tl.math.exp2(m_i - m_new)
        l_i = l_i * alpha + tl.sum(p, 1)
        acc = acc * alpha[:, None] + tl.dot(
            p.to(V_j.dtype), V_j, input_precision=DOT_PRECISION
        )
        m_i = m_new
    acc = acc / l_i[:, None]
    tl.store(
        L + bh * N + rows,
        (m_i + tl.math.log2(l_i)) * 0.6931471805599453,
        mask=rows < N,
    )
    tl.store(
        O + bh * stride_oh + rows[:, None] * stride_on + offs_d[None, :],
        acc.to(O.dtype.element_ty),
        mask=rows[:, None] < N,
    )


def flash_attention_triton(q, k, v, causal=False, block_m=None, block_n=None):
    if q.dim() != 4 or q.shape != k.shape or k.shape != v.shape:
        raise ValueError(
            "expected q, k, v of one shape (B, H, N, d), got "
            f"{tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}"
        )
    if not (q.is_contiguous() and k.is_contiguous() and v.is_contiguous()):
        raise ValueError("q, k, v must be contiguous")
    B, H, N, d = q.shape
    if d not in (16, 32, 64, 128):
        raise ValueError(f"head dimension must be 16, 32, 64 or 128, got {d}")
    on_gpu, fp32 = q.is_cuda, q.dtype == torch.float32
    block_m = block_m or ((64 if fp32 else 128) if on_gpu else 16)
    block_n = block_n or ((32 if fp32 else 64) if on_gpu else 16)
    O = torch.empty_like(q)
    L = torch.empty((B, H, N), device=q.device, dtype=torch.float32)
    q3, k3, v3, O3 = (t.view(B * H, N, d) for t in (q, k, v, O))
    flash_fwd_kernel[(triton.cdiv(N, block_m), B * H)](
        q3,
        k3,
        v3,
        O3,
        L,
        1.0 / math.sqrt(d),
        N,
        q3.stride(0),
        q3.stride(1),
        k3.stride(0),
        k3.stride(1),
        v3.stride(0),
        v3.stride(1),
        O3.stride(0),
        O3.stride(1),
        CAUSAL=causal,
        D=d,
        BLOCK_M=block_m,
        BLOCK_N=block_n,
        DOT_PRECISION="ieee" if q.dtype == torch.float32 else "tf32",
        num_warps=4 if d <= 64 else 8,
        num_stages=2 if fp32 else 3,
    )
    return O, L


def naive_attention(q, k, v, causal=False):
    S = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if causal:
        S = S.masked_fill(
            torch.ones(S.shape[-2:], dtype=torch.bool, device=S.device).triu(
                1
            ),
            -math.inf,
        )
    return torch.softmax(S, -1) @ v


def tiled_attention(q, k, v, block=256):
    """Plain-PyTorch tiled forward (FA2 loop order), for the CPU timing."""
    N, d = q.shape[-2], q.shape[-1]
    tau, O = 1 / math.sqrt(d), torch.empty_like(q)
    for i0 in range(0, N, block):
        Q_i = q[..., i0 : i0 + block, :]
        m = torch.full(
            Q_i.shape[:-1], -math.inf, dtype=q.dtype, device=q.device
        )
        l, acc = torch.zeros_like(m), torch.zeros_like(Q_i)
        for j0 in range(0, N, block):
            S = tau * Q_i @ k[..., j0 : j0 + block, :].transpose(-1, -2)
            m_new = torch.maximum(m, S.amax(-1))
            P = torch.exp(S - m_new[..., None])
            alpha = torch.exp(m - m_new)
            l = alpha * l + P.sum(-1)
            acc = alpha[..., None] * acc + P @ v[..., j0 : j0 + block, :]
            m = m_new
        O[..., i0 : i0 + block, :] = acc / l[..., None]
    return O


def gpu(causal):
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from triton.testing import do_bench

    print(
        f"{torch.cuda.get_device_name()}, torch {torch.__version__}, "
        f"triton {triton.__version__}, causal={causal}"
    )
    headline = None
    for dtype in (torch.float16, torch.bfloat16):
        for d in (64, 128):
            for N in (1024, 2048, 4096, 8192, 16384):
                B, H = max(1, 16384 // N), 2048 // d
                q, k, v = (
                    torch.randn(B, H, N, d, device="cuda", dtype=dtype)
                    for _ in range(3)
                )
                with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
                    ref = F.scaled_dot_product_attention(
                        q, k, v, is_causal=causal
                    )
                    ms_sdpa = do_bench(
                        lambda: F.scaled_dot_product_attention(
                            q, k, v, is_causal=causal
                        )
                    )
                err = (
                    (
                        flash_attention_triton(q, k, v, causal)[0].float()
                        - ref.float()
                    )
                    .abs()
                    .max()
                    .item()
                )
                ms_tri = do_bench(
                    lambda: flash_attention_triton(q, k, v, causal)
                )
                big = 2 * B * H * N * N * q.element_size() > 40e9
                ms_naive = (
                    math.nan
                    if big
                    else do_bench(lambda: naive_attention(q, k, v, causal))
                )
                flops = 4 * B * H * N * N * d / (2 if causal else 1)
                tf = lambda ms: flops / (ms * 1e-3) / 1e12
                print(
                    f"{str(dtype)[6:]:8s} d={d:3d} N={N:5d} B={B:2d} "
                    f"H={H:2d}: Triton {tf(ms_tri):6.1f}  "
                    f"SDPA-flash {tf(ms_sdpa):6.1f}  "
                    f"naive {tf(ms_naive):6.1f} TFLOP/s  "
                    f"Triton/SDPA {ms_sdpa / ms_tri:.2f}  max err {err:.1e}"
                )
                if (dtype, d, N) == (torch.float16, 64, 4096):
                    headline = ms_sdpa / ms_tri
    print(
        "headline: Triton / SDPA-flash throughput, N=4096, d=64, fp16: "
        f"{headline:.2f} (target >= 0.8)"
    )


def cpu(causal):
    torch.set_num_threads(1)
    print(
        f"CPU ({platform.processor() or platform.machine()}), 1 thread, "
        f"torch {torch.__version__}, "
        f"triton {triton.__version__} (interpreter)"
    )
    q, k, v = (torch.randn(1, 2, 40, 64) for _ in range(3))
    t0 = time.perf_counter()
    O, _ = flash_attention_triton(q, k, v, causal)
    err = (O - naive_attention(q, k, v, causal)).abs().max().item()
    print(
        "interpreted Triton kernel, (1, 2, 40, 64): "
        f"{time.perf_counter() - t0:.2f} s, max err {err:.1e}"
    )
    for N in (256, 512, 1024, 2048, 4096, 8192):
        q, k, v = (torch.randn(1, 1, N, 64) for _ in range(3))
        res = []
        for fn in (
            lambda: naive_attention(q, k, v),
            lambda: tiled_attention(q, k, v),
        ):
            best = math.inf
            for _ in range(3):
                t0 = time.perf_counter()
                fn()
                best = min(best, time.perf_counter() - t0)
            res.append(best * 1e3)
        print(
            f"N={N:5d}: naive {res[0]:8.2f} ms   "
            f"tiled (256) {res[1]:8.2f} ms   "
            f"tiled/naive {res[1] / res[0]:.2f}"
        )


if __name__ == "__main__":
    causal = "--causal" in sys.argv[1:]
    with torch.no_grad():
        gpu(causal) if torch.cuda.is_available() else cpu(causal)
