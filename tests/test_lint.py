"""ruff formats and lints the code: every line fits the page (79 characters,
ruff.toml), notebooks included (ruff reads them natively)."""

import json
import subprocess
import sys

from book import ROOT, chapter_notebooks

PATHS = ["notebooks", "tools", "tests", "benchmarks", "conftest.py"]


def ruff(*args):
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *PATHS],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_ruff_check():
    r = ruff("check", "--output-format", "concise")
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_format():
    r = ruff("format", "--check")
    assert r.returncode == 0, r.stdout + r.stderr


def test_writefile_cells_fit_the_page():
    """ruff skips the `%%writefile` cells (the modules a chapter writes to
    disk), so their lines are checked here: none may exceed 79 characters,
    like every other line of code in the book."""
    too_long = []
    for path in chapter_notebooks():
        nb = json.loads(path.read_text(encoding="utf-8"))
        for k, cell in enumerate(nb["cells"]):
            src = "".join(cell["source"])
            if cell["cell_type"] != "code" or not src.startswith(
                "%%writefile"
            ):
                continue
            too_long += [
                f"{path.name} cell {k} line {j + 1}: {len(line)} characters"
                for j, line in enumerate(src.split("\n"))
                if len(line) > 79
            ]
    assert not too_long, "\n".join(too_long)
