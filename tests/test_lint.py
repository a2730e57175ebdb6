"""ruff formats and lints the code: every line fits the page (79 characters,
ruff.toml), notebooks included (ruff reads them natively)."""

import subprocess
import sys

from book import ROOT

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
