"""Write the digits Frechet distance (DFD) block into chapters 08, 09 and 10.

The three diffusion chapters score their generated 8x8 digits with one
metric. Its one source is BLOCK below; in a notebook it sits between its
BEGIN and END lines in the chapter's metric cell (the code cell that holds
the BEGIN line). This script writes the current text there;
tests/test_digits_metric.py checks that every chapter holds it unchanged and
tests the metric itself. The block uses the names the chapters' setup
cells import (math, np, torch, load_digits). It is `ruff format`-clean as
written, so a formatted notebook keeps it verbatim.
Usage: python tools/sync_metric.py [--check]
"""

import pathlib
import sys

from sync_shared import replace_block, run, sync_cells

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = (
    "08_score_based_models.ipynb",
    "09_diffusion_sdes.ipynb",
    "10_edm.ipynb",
)
BEGIN = "# >>> digits metric: tools/sync_metric.py writes it (08, 09, 10)"
END = "# <<< digits metric"

BLOCK = '''\
# scikit-learn's 1,797 digits, 8x8 pixels scaled to [-1, 1]
_digits = load_digits()
X_all = torch.tensor(_digits.data, dtype=torch.float32) / 16 * 2 - 1
y_all = torch.tensor(_digits.target)
_perm = torch.randperm(len(X_all), generator=torch.Generator().manual_seed(0))
# the generators train on X_train (1,200 digits) and never see X_test
# (597); of X_test, 297 train the feature network and 300 are the
# reference set every DFD is measured against
X_train, y_train = X_all[_perm[:1200]], y_all[_perm[:1200]]
X_test, y_test = X_all[_perm[1200:]], y_all[_perm[1200:]]
X_feat, y_feat = X_test[:297], y_test[:297]
X_ref = X_test[297:]
DFD_N = 500  # every DFD is computed from 500 samples

# feature network: an MLP classifier, full batch on X_feat (about 3 s);
# the DFD uses its 64 last-hidden features
torch.manual_seed(1)
dfd_features = torch.nn.Sequential(
    torch.nn.Linear(64, 128),
    torch.nn.ReLU(),
    torch.nn.Linear(128, 64),
    torch.nn.ReLU(),
)
_head = torch.nn.Linear(64, 10)
_opt = torch.optim.Adam(
    [*dfd_features.parameters(), *_head.parameters()], lr=1e-2
)
for _ in range(300):
    _logits = _head(dfd_features(X_feat))
    _loss = torch.nn.functional.cross_entropy(_logits, y_feat)
    _opt.zero_grad()
    _loss.backward()
    _opt.step()
with torch.no_grad():
    _pred = _head(dfd_features(X_train)).argmax(1)
    dfd_classifier_acc = (_pred == y_train).float().mean().item()


def frechet_distance(f1, f2):
    """Frechet distance of Gaussians fitted to two (n, k) feature arrays."""
    mu1, mu2 = f1.mean(0), f2.mean(0)
    S1, S2 = np.cov(f1, rowvar=False), np.cov(f2, rowvar=False)
    w, V = np.linalg.eigh(S1)
    S1_half = (V * np.sqrt(np.clip(w, 0, None))) @ V.T
    # ||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2)
    eig = np.linalg.eigvalsh(S1_half @ S2 @ S1_half)
    return float(
        ((mu1 - mu2) ** 2).sum()
        + np.trace(S1)
        + np.trace(S2)
        - 2 * np.sqrt(np.clip(eig, 0, None)).sum()
    )


def _as_digits(samples):
    """(n, 64) float CPU tensor from (n, 64) or (n, 1, 8, 8) samples."""
    if not torch.is_tensor(samples):
        kind = type(samples).__name__
        raise TypeError(f"samples must be a torch.Tensor, got {kind}")
    x = samples.detach().float().cpu().reshape(len(samples), -1)
    if x.shape[1] != 64 or len(x) < 65:
        raise ValueError(
            "samples must be at least 65 digits of 64 pixels, "
            f"got shape {tuple(samples.shape)}"
        )
    if not torch.isfinite(x).all():
        raise ValueError("samples contain NaN or inf")
    return x


with torch.no_grad():
    _f_ref = dfd_features(X_ref).double().numpy()


def digits_frechet(samples):
    """DFD of digits in [-1, 1] (clipped) against the 300 reference digits."""
    x = _as_digits(samples)
    with torch.no_grad():
        f = dfd_features(x.clamp(-1, 1)).double().numpy()
    return frechet_distance(f, _f_ref)


def nn_distance(samples):
    """Median pixel distance from each sample to its nearest X_train digit."""
    x = _as_digits(samples).clamp(-1, 1)
    d = torch.cdist(x, X_train, compute_mode="donot_use_mm_for_euclid_dist")
    return d.min(1).values.median().item()


# held-out digits are as far from the training set as new real digits
# are; a generator that copies its training digits sits far closer
NN_HELD_OUT = nn_distance(X_test)


def mean_sd(values):
    """Mean and sample standard deviation of a list of DFDs."""
    v = np.asarray(values, dtype=np.float64)
    return float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else 0.0


def sig2(v):
    """Two significant digits (168.7 -> '170'), for trained results."""
    return f"{float(f'{v:.2g}'):g}"


def _class_gaussians(gen):
    """DFD_N draws of per-class Gaussians fitted to X_train (10 classes)."""
    k = y_train[torch.randint(0, len(y_train), (DFD_N,), generator=gen)]
    x = torch.empty(DFD_N, 64)
    for c in range(10):
        Xc, at = X_train[y_train == c], (k == c).nonzero()[:, 0]
        # N(mean_c, cov_c) drawn as mean_c + z (Xc - mean_c) / sqrt(n_c - 1)
        z = torch.randn(len(at), len(Xc), generator=gen)
        x[at] = Xc.mean(0) + z @ (Xc - Xc.mean(0)) / math.sqrt(len(Xc) - 1)
    return x


def _full_gaussian(gen):
    """DFD_N draws of one full-covariance Gaussian fitted to X_train."""
    z = torch.randn(DFD_N, len(X_train), generator=gen)
    Xc = X_train - X_train.mean(0)
    return X_train.mean(0) + z @ Xc / math.sqrt(len(X_train) - 1)


# baselines, each over its own seeds: 20 random 500-digit subsets of the
# training digits (real data, what a perfect generator scores), 10 draws
# of class-conditional Gaussians and of one full-covariance Gaussian
_g = torch.Generator().manual_seed(2)
DFD_REAL_ALL = [
    digits_frechet(X_train[torch.randperm(1200, generator=_g)[:DFD_N]])
    for _ in range(20)
]
DFD_CLASS_ALL = [digits_frechet(_class_gaussians(_g)) for _ in range(10)]
_x_full = [_full_gaussian(_g) for _ in range(10)]
DFD_FULL_ALL = [digits_frechet(x) for x in _x_full]
DFD_REAL, DFD_REAL_SD = mean_sd(DFD_REAL_ALL)
DFD_CLASS_GAUSS, DFD_CLASS_GAUSS_SD = mean_sd(DFD_CLASS_ALL)
DFD_FULL_GAUSS, DFD_FULL_GAUSS_SD = mean_sd(DFD_FULL_ALL)
NN_FULL_GAUSS = nn_distance(_x_full[0])


def dfd_report(name, dfds, samples):
    """Print a model's DFD over seeds beside the baselines; its mean, sd.

    dfds: one DFD per sampling seed; samples: one seed's samples, for the
    nearest-neighbour check (median distance to the training digits over
    that of held-out real digits: near 1 for new digits, near 0 for copies).
    """
    if len(dfds) < 2:
        raise ValueError("dfd_report needs DFDs from at least two seeds")
    m, sd = mean_sd(dfds)
    nn_ratio = nn_distance(samples) / NN_HELD_OUT
    print(
        f"{name}: DFD {sig2(m)} +- {sig2(sd)} over {len(dfds)} seeds; "
        f"nearest-training-digit distance {nn_ratio:.2f}x held-out's"
    )
    print(
        f"  baselines: real digits {DFD_REAL:.1f} +- {DFD_REAL_SD:.1f}, "
        f"class Gaussians {sig2(DFD_CLASS_GAUSS)} +- "
        f"{sig2(DFD_CLASS_GAUSS_SD)}, full-covariance Gaussian "
        f"{sig2(DFD_FULL_GAUSS)} +- {sig2(DFD_FULL_GAUSS_SD)}"
    )
    return m, sd, nn_ratio


def dfd_clearly_below(a, b):
    """True if DFDs `a` (seeds) are below `b` by more than both spreads."""
    (ma, sa), (mb, sb) = mean_sd(a), mean_sd(b)
    return mb - ma > sa + sb


print(
    "feature network: trained on 297 held-out digits, "
    f"accuracy {dfd_classifier_acc:.2f} on the 1,200 training digits"
)
print(
    f"DFD baselines ({DFD_N} samples, mean +- sd over seeds): real digits "
    f"{DFD_REAL:.1f} +- {DFD_REAL_SD:.1f}, class-conditional Gaussians "
    f"{sig2(DFD_CLASS_GAUSS)} +- {sig2(DFD_CLASS_GAUSS_SD)}, one "
    f"full-covariance Gaussian {sig2(DFD_FULL_GAUSS)} +- "
    f"{sig2(DFD_FULL_GAUSS_SD)}"
)
print(
    "nearest-training-digit distance: held-out digits "
    f"{NN_HELD_OUT:.2f}, copies of training digits "
    f"{nn_distance(X_train[:DFD_N]):.2f}, full-covariance Gaussian "
    f"{NN_FULL_GAUSS:.2f}"
)
# the metric orders what it must: real data < class Gaussians < one
# Gaussian, each gap beyond both spreads; copies are caught by the
# nearest-neighbour check (distance 0), new real digits are not
assert dfd_clearly_below(DFD_REAL_ALL, DFD_CLASS_ALL)
assert dfd_clearly_below(DFD_CLASS_ALL, DFD_FULL_ALL)
assert nn_distance(X_train[:DFD_N]) == 0 < NN_HELD_OUT'''


def block_lines():
    return [BEGIN, *BLOCK.splitlines(), END]


def synced_source(source: str) -> str:
    lines = source.splitlines()
    if BEGIN not in lines:
        raise ValueError("no digits-metric BEGIN line")
    replace_block(lines, BEGIN, END, block_lines(), "digits-metric block")
    return "\n".join(lines)


def _rewrite(nb, cell, source):
    holders = [
        c
        for c in nb["cells"]
        if c["cell_type"] == "code" and BEGIN in "".join(c["source"])
    ]
    if len(holders) != 1:
        raise ValueError(f"{len(holders)} cells hold the metric, not one")
    return synced_source(source) if cell is holders[0] else source


def sync(notebook: pathlib.Path, write: bool = True) -> bool:
    """Bring the notebook's metric block up to date; True if it changed."""
    return sync_cells(notebook, _rewrite, write)


def main(argv):
    notebooks = [ROOT / "notebooks" / name for name in CHAPTERS]
    run(argv, notebooks, sync, "digits metric", "make metric-sync")


if __name__ == "__main__":
    main(sys.argv[1:])
