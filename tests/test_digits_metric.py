"""The digits Frechet distance of chapters 08-10: one source, tested here.

tools/sync_metric.py holds the block and writes it into the three
notebooks; these tests check that each notebook holds it unchanged, and run
the block itself (about 3 s: it trains its small feature network).
"""

import math
import sys

import numpy as np
import pytest
import scipy.linalg
import torch
from sklearn.datasets import load_digits

from book import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import sync_metric  # noqa: E402


@pytest.mark.parametrize("name", sync_metric.CHAPTERS)
def test_notebook_holds_the_current_metric(name):
    assert not sync_metric.sync(ROOT / "notebooks" / name, write=False), (
        f"{name}: the digits-metric block is stale: run "
        "`python tools/sync_metric.py`"
    )


@pytest.fixture(scope="module")
def metric():
    """The block's names, run as a chapter runs it (one thread)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    ns = dict(math=math, np=np, torch=torch, load_digits=load_digits)
    try:
        exec(sync_metric.BLOCK, ns)
    finally:
        torch.set_num_threads(threads)
    return ns


def brute_force_fd(f1, f2):
    """The Frechet distance with scipy's general matrix square root."""
    mu1, mu2 = f1.mean(0), f2.mean(0)
    S1, S2 = np.cov(f1, rowvar=False), np.cov(f2, rowvar=False)
    cross = scipy.linalg.sqrtm(S1 @ S2).real
    return ((mu1 - mu2) ** 2).sum() + np.trace(S1 + S2 - 2 * cross)


def test_frechet_distance_matches_scipy(metric):
    rng = np.random.default_rng(0)
    f1 = rng.standard_normal((400, 8)) @ rng.standard_normal((8, 8))
    f2 = rng.standard_normal((300, 8)) * 2 + 1
    fd = metric["frechet_distance"](f1, f2)
    assert fd == pytest.approx(brute_force_fd(f1, f2), rel=1e-8)
    assert metric["frechet_distance"](f1, f1) == pytest.approx(0, abs=1e-8)


def test_frechet_distance_closed_form(metric):
    # N(0, I) vs N(m, s^2 I) in k dims: ||m||^2 + k (1 - s)^2, up to the
    # sampling error of the fitted moments
    rng = np.random.default_rng(1)
    k, s = 4, 3.0
    f1 = rng.standard_normal((200_000, k))
    f2 = 1.0 + s * rng.standard_normal((200_000, k))
    expected = k * 1.0 + k * (1 - s) ** 2
    assert metric["frechet_distance"](f1, f2) == pytest.approx(
        expected, rel=0.01
    )


def test_bad_samples_get_clear_errors(metric):
    dfd = metric["digits_frechet"]
    with pytest.raises(TypeError, match="torch.Tensor"):
        dfd(np.zeros((500, 64)))
    with pytest.raises(ValueError, match="64 pixels"):
        dfd(torch.zeros(500, 63))
    with pytest.raises(ValueError, match="at least 65"):
        dfd(torch.zeros(10, 64))
    with pytest.raises(ValueError, match="NaN"):
        dfd(torch.full((500, 64), float("nan")))
    with pytest.raises(ValueError, match="two seeds"):
        metric["dfd_report"]("x", [1.0], torch.zeros(500, 64))


def test_splits_are_disjoint(metric):
    perm = metric["_perm"]
    gen, feat = set(perm[:1200].tolist()), set(perm[1200:1497].tolist())
    ref = set(perm[1497:].tolist())
    assert len(gen | feat | ref) == 1797
    assert torch.equal(metric["X_ref"], metric["X_all"][perm[1497:]])
    assert torch.equal(metric["X_feat"], metric["X_all"][perm[1200:1497]])


def test_metric_orders_known_distributions(metric):
    m = metric
    # the shapes of 8x8 images: flattened and (n, 1, 8, 8) agree
    x = m["X_train"][:500]
    assert m["digits_frechet"](x) == m["digits_frechet"](x.view(-1, 1, 8, 8))
    # dropping half of the classes is far worse than one Gaussian
    half = m["X_train"][m["y_train"] < 5]
    assert m["digits_frechet"](half) > 2 * m["DFD_FULL_GAUSS"]
    # pixel noise degrades the score
    noisy = x + 0.5 * torch.randn(x.shape, generator=torch.Generator())
    assert m["digits_frechet"](noisy) > m["DFD_REAL"] + 3 * m["DFD_REAL_SD"]
    assert m["dfd_clearly_below"](m["DFD_REAL_ALL"], m["DFD_FULL_ALL"])
    assert not m["dfd_clearly_below"](m["DFD_FULL_ALL"], m["DFD_REAL_ALL"])


def test_nearest_neighbour_check_catches_copies(metric):
    m = metric
    copies = m["X_train"][:500]
    assert m["nn_distance"](copies) == 0
    # copies with a little noise are still far nearer than new digits
    jitter = copies + 0.05 * torch.randn(copies.shape)
    assert m["nn_distance"](jitter) < 0.5 * m["NN_HELD_OUT"]
