"""The output comparison: exact text, numbers within declared tolerances.

The last test runs nbval, with this suite's plugin, on a copy of a real
chapter whose committed outputs were changed: a headline number moved far
beyond its tolerance, a line of text edited and a warning added must each
fail, and nothing else may.
"""

import copy
import os
import re
import subprocess
import sys

import nbformat
import pytest

from book import ROOT, tags
from output_compare import check_tolerance, compare_text

TOL = {"why": "trained model", "abs": 0.01}


def problems(a, b, spec=None):
    return compare_text(a, b, spec)[0]


def test_identical_outputs_agree():
    assert problems("loss 0.011\n3 of 4", "loss 0.011\n3 of 4") == []


def test_without_a_tolerance_every_number_is_exact():
    assert problems("loss 0.011", "loss 0.012")


def test_a_number_within_its_tolerance_passes_and_is_recorded():
    found, within = compare_text("loss 0.911", "loss 0.915", TOL)
    assert found == []
    assert within and within[0][1:3] == ("0.911", "0.915")
    assert abs(within[0][3] - 0.4) < 1e-9  # 0.004 of an allowed 0.01


def test_a_number_beyond_its_tolerance_fails_and_says_why():
    (msg,) = problems("mAP 0.910", "mAP 0.853", TOL)
    assert "0.853" in msg and "0.910" in msg and "exceeds" in msg


def test_relative_tolerance_scales_with_the_committed_value():
    spec = {"why": "w", "rel": 0.05}
    assert problems("t 100.0", "t 104.9", spec) == []
    assert problems("t 100.0", "t 105.1", spec)
    assert problems("t 0.010", "t 0.0106", spec)


def test_text_integers_and_structure_stay_exact_under_a_tolerance():
    assert problems("accuracy 0.97 (fp16)", "accuracy 0.97 (bf16)", TOL)
    assert problems("3,488 of 3,687 zeroed", "3,489 of 3,687 zeroed", TOL)
    assert problems("loss 0.50", "loss 0.50\nUserWarning: overflow", TOL)
    assert problems("0.50 0.25", "0.50", TOL)  # a number vanished
    assert problems("torch 2.13.0", "torch 2.13.1", TOL)  # versions are text


def test_integers_vary_only_where_a_rule_allows_it():
    spec = {"why": "w", "lines": {"accuracy": {"abs": 1, "ints": True}}}
    assert problems("accuracy 96%", "accuracy 97%", spec) == []
    assert problems("accuracy 96%", "accuracy 98%", spec)
    assert problems("count 96", "count 97", spec)  # no rule for this line


def test_column_padding_may_change_with_a_number_s_width():
    spec = {"why": "w", "ints": {"rel": 0.2}, "abs": 0.1}
    assert (
        problems("  0.90     115     0.47", "  0.90      94     0.38", spec)
        == []
    )
    assert problems("a 0.90 115", "a 0.90 115", spec) == []
    assert problems("a 0.90 x 115", "a 0.90 y 115", spec)


def test_line_rules_take_precedence_over_the_cell_rule():
    spec = {"why": "w", "abs": 0.001, "lines": {"^mAP": {"abs": 0.1}}}
    assert problems("mAP 0.91\nloss 0.011", "mAP 0.85\nloss 0.011", spec) == []
    assert problems("mAP 0.91\nloss 0.011", "mAP 0.91\nloss 0.013", spec)


def test_a_timing_line_may_take_any_value_but_keeps_its_text():
    spec = {"why": "w", "lines": {"^speedup": {"any": True}}}
    assert (
        problems("speedup 1.31\nacc 0.97", "speedup 0.52\nacc 0.97", spec)
        == []
    )
    assert problems("speedup 131 ms", "speedup 52 ms", spec) == []
    assert problems("speedup 1.31", "speedup: 1.31", spec)
    # a float printed to 4 digits may come out whole ("1280") or not
    assert problems("speedup 1280 us", "speedup 248.7 us", spec) == []
    assert problems(
        "speedup 1280",
        "speedup 248.7",
        {"why": "w", "lines": {"^speedup": {"rel": 0.1, "ints": True}}},
    )
    assert (
        problems(
            "speedup 1280",
            "speedup 1279.5",
            {"why": "w", "lines": {"^speedup": {"rel": 0.1, "ints": True}}},
        )
        == []
    )
    assert problems(
        "speedup 1280",
        "speedup 1279.5",
        {"why": "w", "lines": {"^speedup": {"rel": 0.1}}},
    )  # 1280 is text
    assert problems("speedup 1.31\nacc 0.97", "speedup 1.31\nacc 0.96", spec)


def test_words_with_digits_are_not_numbers():
    # fp16, B0, 0x7C00, 480x256 and the like are text: compared exactly.
    assert problems("fp16 B0 0x7C00 480x256", "fp32 B0 0x7C00 480x256", TOL)
    assert problems("0x7C00", "0x7C01", TOL)


@pytest.mark.parametrize(
    "spec, needle",
    [
        ({"abs": 0.1}, "why"),
        ({"why": "w"}, "allow some difference"),
        ({"why": "w", "abs": -1}, ">= 0"),
        ({"why": "w", "abs": 0.1, "atol": 1}, "unknown"),
        ({"why": "w", "lines": {"x": {"abs": 1, "tol": 2}}}, "line rule"),
        ({"why": "w", "any": True}, "not a whole cell"),
        ("0.1", "dict"),
    ],
)
def test_bad_tolerance_declarations_are_refused_clearly(spec, needle):
    with pytest.raises(ValueError, match=re.escape(needle)):
        check_tolerance(spec)


def test_every_declared_tolerance_in_the_book_is_well_formed():
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for k, cell in enumerate(nbformat.read(path, 4).cells):
            if "tolerance" in cell.metadata:
                try:
                    check_tolerance(cell.metadata["tolerance"])
                except ValueError as e:
                    pytest.fail(f"{path.name} cell {k}: {e}")
                assert "nbval-ignore-output" not in tags(cell), (
                    f"{path.name} cell {k}: a tolerance on an ignored cell"
                )


# The mutation drill: a real chapter, three committed outputs changed.
CHAPTER = ROOT / "notebooks" / "01_mixed_precision.ipynb"


def _cell_with(nb, needle, tolerance):
    for k, cell in enumerate(nb.cells):
        if (
            cell.cell_type == "code"
            and ("tolerance" in cell.metadata) == tolerance
            and "nbval-ignore-output" not in tags(cell)
            and any(needle in o.get("text", "") for o in cell.outputs)
        ):
            return k
    raise LookupError(
        f"no {'tolerant' if tolerance else 'exact'} cell "
        f"prints {needle!r} in {CHAPTER.name}"
    )


def test_nbval_catches_a_moved_headline_number_changed_text_and_a_warning(
    tmp_path,
):
    nb = nbformat.read(CHAPTER, 4)
    mutant = copy.deepcopy(nb)
    # 1. A headline number far beyond its tolerance: the bf16 run's loss.
    k_num = _cell_with(nb, "bf16", tolerance=True)
    out = next(o for o in mutant.cells[k_num].outputs if "text" in o)
    line = next(ln for ln in out.text.splitlines() if ln.startswith("bf16"))
    moved = re.sub(
        r"\d+\.\d+", lambda m: f"{float(m.group()) * 5:.3f}", line, count=1
    )
    assert moved != line
    out.text = out.text.replace(line, moved)
    # 2. A changed line of text in an exact cell, 3. a new warning line.
    exact = [
        k
        for k, c in enumerate(nb.cells)
        if c.cell_type == "code"
        and c.outputs
        and "tolerance" not in c.metadata
        and not {"nbval-ignore-output", "nbval-skip"} & set(tags(c))
        and any(o.get("name") == "stdout" for o in c.outputs)
    ]
    k_text, k_warn = exact[1], exact[2]
    for k, edit in (
        (k_text, lambda s: s.replace("\n", " (edited)\n", 1)),
        (k_warn, lambda s: s + "UserWarning: new warning\n"),
    ):
        o = next(
            o for o in mutant.cells[k].outputs if o.get("name") == "stdout"
        )
        o.text = edit(o.text)
    path = tmp_path / CHAPTER.name
    nbformat.write(mutant, path)
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "tests"),
        BOOK_PROFILE="ci",
        CUDA_VISIBLE_DEVICES="",
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "nbval_tolerance",
            "-c",
            os.devnull,
            "--rootdir",
            tmp_path,
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with",
            str(ROOT / "tests" / "nbval_sanitize.cfg"),
            "-q",
            str(path),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    report = run.stdout + run.stderr
    assert run.returncode == 1, report[-3000:]
    failed = sorted(
        int(m) for m in re.findall(r"FAILED .*::Cell (\d+)", report)
    )
    # nbval numbers code cells only.
    code = [k for k, c in enumerate(nb.cells) if c.cell_type == "code"]
    expected = sorted(code.index(k) for k in (k_num, k_text, k_warn))
    assert failed == expected, report[-3000:]
    assert "exceeds the tolerance" in report
    assert "(edited)" in report and "new warning" in report, report[:6000]
