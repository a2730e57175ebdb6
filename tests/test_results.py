"""The RESULTS convention: the cell, its footer, the Results page's sources.

Every chapter may (and will) end its Reproduce section with a RESULTS cell;
these tests hold with none, some or all chapters having one.
"""

import contextlib
import io
import json
import os
import subprocess
import sys

import nbformat
import pytest
import yaml

from book import ROOT, cells_of_section, chapter_notebooks, load, toc_files

sys.path.insert(0, str(ROOT / "tools"))
import results  # noqa: E402
from results import (
    RESULTS_FOOTER,
    SNAKE_CASE_RE,  # noqa: E402
    cell_source,
    ci_results,
    parse_results,
    results_cells,
    table_rows,
)
from sync_results import sync, synced_source  # noqa: E402

GPU_RUN = ROOT / "tools" / "gpu_run.py"
WITH_RESULTS = [
    pytest.param(p, id=p.stem)
    for p in chapter_notebooks()
    if results_cells(load(p))
] or [
    pytest.param(
        None,
        marks=pytest.mark.skip(reason="no chapter has a RESULTS cell yet"),
    )
]


def footer_output(values):
    """What the footer prints for RESULTS = values (run in-process)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(RESULTS_FOOTER, {"RESULTS": dict(values)})
    return out.getvalue()


def results_notebook(path, source, outputs=True):
    """A notebook with one RESULTS cell, its output the footer's if asked."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source)
    if outputs:
        ns = {}
        exec(source.split(RESULTS_FOOTER)[0], ns)
        cell.outputs = [
            nbformat.v4.new_output(
                "stream", name="stdout", text=footer_output(ns["RESULTS"])
            )
        ]
        cell.execution_count = 1
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), cell]
    nbformat.write(nb, path)
    return path


SAMPLE = {
    "speedup_wall_clock": 2.3456789,
    "map_at_0_5": 0.91,
    "b0_params": 5_288_548,
    "loss_nats": 1.5e-7,
    "delta_ms": -3,
    "whole_float": 2.0,
    "big_float": 123456789.0,
    "a_name_longer_than_the_thirty_six_columns": 0.5,
}


# --- the footer and its reader ------------------------------------------


def test_footer_output_parses_back():
    parsed = parse_results(footer_output(SAMPLE))
    assert list(parsed) == list(SAMPLE)
    for name, value in SAMPLE.items():
        want = float(f"{value:.4g}") if isinstance(value, float) else value
        assert parsed[name] == want, (name, parsed[name], want)
        if isinstance(value, int):
            assert isinstance(parsed[name], int), name


def test_parse_results_reads_only_the_table():
    text = (
        "training took 3 s\nRESULTS value\n"
        + footer_output({"acc": 0.5, "n": 3})
        + "\nUserWarning: x\n"
    )
    assert parse_results(text) == {"acc": 0.5, "n": 3}
    assert parse_results("no table here\n") == {}
    assert parse_results(footer_output({})) == {}


@pytest.mark.parametrize(
    "bad",
    [
        {"BadName": 1},
        {"two words": 1},
        {"flag": True},
        {"acc": "0.9"},
        {"acc": None},
        {"acc": [0.9]},
    ],
)
def test_footer_rejects_what_is_not_a_snake_case_number(bad):
    with pytest.raises(AssertionError):
        footer_output(bad)


def test_footer_lines_fit_79_columns():
    assert all(len(line) <= 79 for line in RESULTS_FOOTER.splitlines())


def test_ci_results_of_a_notebook(tmp_path):
    src = "RESULTS = dict(acc_test=0.875, n_params=1234)\n" + RESULTS_FOOTER
    with_cell = results_notebook(tmp_path / "a.ipynb", src)
    assert ci_results(with_cell) == {"acc_test": 0.875, "n_params": 1234}
    not_run = results_notebook(tmp_path / "b.ipynb", src, outputs=False)
    assert ci_results(not_run) == {}
    none = tmp_path / "c.ipynb"
    nbformat.write(
        nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell("MY_RESULTS = 1")]
        ),
        none,
    )
    assert ci_results(none) == {}


def test_ci_spread_shows_each_value_s_declared_tolerance(tmp_path):
    src = (
        "RESULTS = dict(map_at_0_5=0.853, n_params=3, step_ms=1.5, "
        "loss=0.011)\n" + RESULTS_FOOTER
    )
    path = results_notebook(tmp_path / "a.ipynb", src)
    nb = nbformat.read(path, 4)
    nb.cells[1].metadata["tolerance"] = {
        "why": "w",
        "lines": {
            "^map_at_0_5 ": {"abs": 0.1},
            "^step_ms ": {"any": True},
            "^loss ": {"rel": 0.15},
        },
    }
    nbformat.write(nb, path)
    assert results.ci_spread(path) == {
        "map_at_0_5": "±0.1 across CPUs",
        "step_ms": "varies run to run",
        "loss": "±15% across CPUs",
    }  # n_params: exact, no entry


# --- tools/sync_results.py ----------------------------------------------


def test_sync_adds_replaces_and_keeps_the_footer():
    author = "acc = 0.5\nRESULTS = dict(\n    acc_test=acc,\n)"
    synced = author + "\n" + RESULTS_FOOTER
    assert synced_source(author + "\n\n") == synced
    assert synced_source(synced) == synced
    old = author + "\nfor k, v in RESULTS.items():\n    print(k, v)"
    assert synced_source(old) == synced
    with pytest.raises(ValueError, match="not a footer"):
        synced_source(author + "\nprint('after')")


def test_sync_of_a_notebook(tmp_path):
    path = results_notebook(
        tmp_path / "a.ipynb", "RESULTS = dict(n=1)", outputs=False
    )
    assert sync(path, write=False) and sync(path) and not sync(path)
    cell = results_cells(load(path))[0]
    assert cell_source(cell).endswith(RESULTS_FOOTER)


# --- the chapters --------------------------------------------------------


@pytest.mark.parametrize("path", WITH_RESULTS)
def test_chapter_results_cell(path):
    nb = load(path)
    cells = results_cells(nb)
    assert len(cells) == 1, "one RESULTS cell per chapter"
    source = cell_source(cells[0])
    assert source.endswith(RESULTS_FOOTER), (
        "the RESULTS cell ends with the footer of tools/results.py: "
        "run `make results-sync`"
    )
    assert not sync(path, write=False), "run `make results-sync`"
    reproduce = [
        c
        for c in cells_of_section(nb, "Reproduce")
        if c["cell_type"] == "code"
    ]
    assert reproduce and reproduce[-1] is cells[0], (
        "the RESULTS cell is the last code cell of the Reproduce section"
    )
    values = ci_results(path)
    assert values, "the committed RESULTS cell shows its table (re-execute)"
    for name in values:
        assert SNAKE_CASE_RE.fullmatch(name), f"not snake_case: {name!r}"


def test_paper_values_file():
    paper = yaml.safe_load((ROOT / results.PAPER_FILE).read_text()) or {}
    stems = {p.stem for p in chapter_notebooks()}
    for chapter, quantities in paper.items():
        assert chapter in stems, f"results_paper.yml: no chapter {chapter}"
        ci = ci_results(ROOT / "notebooks" / f"{chapter}.ipynb")
        for name, entry in quantities.items():
            assert SNAKE_CASE_RE.fullmatch(name), f"{chapter}: {name!r}"
            assert set(entry) == {"value", "source"}, (chapter, name)
            value = entry["value"]
            assert isinstance(value, (int, float)), (chapter, name, value)
            assert not isinstance(value, bool), (chapter, name)
            assert isinstance(entry["source"], str) and entry["source"]
            if ci:  # once the chapter has RESULTS, the names must match
                assert name in ci, (
                    f"{chapter}: results_paper.yml has "
                    f"{name}, its RESULTS has {list(ci)}"
                )


def test_gpu_record_if_present():
    path = ROOT / results.GPU_FILE
    if not path.exists():
        pytest.skip("no GPU run recorded yet (make gpu)")
    record = json.loads(path.read_text())
    for key in ("device", "driver", "cuda", "torch", "date", "chapters"):
        assert key in record, key
    stems = {p.stem for p in chapter_notebooks()}
    for chapter, run in record["chapters"].items():
        assert chapter in stems, chapter
        assert run["status"] in ("ok", "error", "timeout"), run
        assert all(SNAKE_CASE_RE.fullmatch(k) for k in run["results"])


def test_results_page_in_back_matter():
    files = toc_files()
    assert "book/results" in files
    assert files.index("book/results") < files.index("book/bibliography")


def test_table_rows(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "book").mkdir()
    nbformat.write(
        nbformat.v4.new_notebook(), tmp_path / "notebooks" / "01_a.ipynb"
    )
    results_notebook(
        tmp_path / "notebooks" / "02_b.ipynb",
        "RESULTS = dict(acc_test=0.875, n_params=1234)",
    )
    rows = table_rows(tmp_path)
    assert rows == [
        ("01_a", "", "no RESULTS cell yet", "", "not run yet"),
        ("02_b", "acc_test", "0.875", "", "not run yet"),
        ("02_b", "n_params", "1,234", "", "not run yet"),
    ]
    (tmp_path / results.PAPER_FILE).write_text(
        "02_b: {n_params: {value: 1200, source: 'X 2020, Table 1'}}\n"
        "01_a: {b0_params: {value: 5.3e+6, source: 'Y 2019, Table 2'}}\n"
    )
    (tmp_path / results.GPU_FILE).write_text(
        json.dumps(
            {
                "chapters": {
                    "02_b": {
                        "status": "ok",
                        "results": {"acc_test": 0.9},
                        "device": "GPU-X",
                        "date": "2026-01-02",
                    },
                    "01_a": {
                        "status": "timeout",
                        "limit_s": 300,
                        "results": {},
                        "device": "GPU-X",
                        "date": "2026-01-02",
                    },
                }
            }
        )
    )
    rows = table_rows(tmp_path)
    assert rows == [
        (
            "01_a",
            "b0_params",
            "no RESULTS cell yet",
            "5.3e+06 (Y 2019, Table 2)",
            "timeout after 300 s (GPU-X, 2026-01-02)",
        ),
        ("02_b", "acc_test", "0.875", "", "0.9 (GPU-X, 2026-01-02)"),
        (
            "02_b",
            "n_params",
            "1,234",
            "1,200 (X 2020, Table 1)",
            "not in its RESULTS (GPU-X, 2026-01-02)",
        ),
    ]


# --- tools/gpu_run.py ----------------------------------------------------


def gpu_run(*args, timeout=300):
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
    return subprocess.run(
        [sys.executable, str(GPU_RUN), *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=ROOT,
    )


def test_gpu_run_without_cuda_stops_clearly(tmp_path):
    out = gpu_run("--json", tmp_path / "r.json", "--out-dir", tmp_path)
    assert out.returncode == 2, out
    message = out.stderr.strip().splitlines()
    assert len(message) == 1 and "needs a CUDA GPU" in message[0], out.stderr
    assert "BOOK_PROFILE=full" in message[0]
    assert not (tmp_path / "r.json").exists()


def snapshot(paths):
    return {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in paths}


def test_gpu_run_on_cpu_records_each_chapter(tmp_path):
    def write(name, *sources):
        nb = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell(s) for s in sources]
        )
        nbformat.write(nb, tmp_path / name)
        return tmp_path / name

    good = write(
        "01_good.ipynb",
        "import os\nPROFILE = os.environ['BOOK_PROFILE']\nprint(PROFILE)",
        "RESULTS = dict(speedup_wall_clock=1.5, n_params=42)\n"
        + RESULTS_FOOTER,
    )
    bad = write("02_bad.ipynb", "x = 1", "1 / 0", "RESULTS = dict(a=1)")
    slow = write(
        "03_slow.ipynb", "import time\ntime.sleep(600)", "RESULTS = dict(a=1)"
    )
    sources, book = [good, bad, slow], chapter_notebooks()
    before_src, before_book = snapshot(sources), snapshot(book)
    record, out_dir = tmp_path / "gpu.json", tmp_path / "out"
    record.write_text(
        json.dumps(
            {"chapters": {"99_other": {"status": "ok", "results": {"x": 1}}}}
        )
    )

    run = gpu_run(
        "--allow-cpu", "--out-dir", out_dir, "--json", record, good, bad
    )
    assert run.returncode == 1, run  # one chapter failed
    run = gpu_run(
        "--allow-cpu",
        "--limit",
        3,
        "--out-dir",
        out_dir,
        "--json",
        record,
        slow,
    )
    assert run.returncode == 1, run

    data = json.loads(record.read_text())
    chapters = data["chapters"]
    assert set(chapters) == {"01_good", "02_bad", "03_slow", "99_other"}
    assert chapters["01_good"]["status"] == "ok"
    assert chapters["01_good"]["results"] == {
        "speedup_wall_clock": 1.5,
        "n_params": 42,
    }
    assert chapters["02_bad"]["status"] == "error"
    assert chapters["02_bad"]["error"] == "ZeroDivisionError: division by zero"
    assert chapters["02_bad"]["results"] == {}
    assert chapters["03_slow"]["status"] == "timeout"
    assert chapters["03_slow"]["seconds"] < 60
    for key in ("device", "driver", "cuda", "torch", "date"):
        assert key in data, key
    assert "--allow-cpu" in data["device"]
    for name in ("01_good", "02_bad", "03_slow"):
        assert isinstance(chapters[name]["seconds"], float)
        assert chapters[name]["date"] == data["date"]

    # The executed copies are in out_dir, in the full profile, without the
    # appended cell; the sources and the book's notebooks are untouched.
    executed = load(out_dir / "01_good.ipynb")
    assert len(executed["cells"]) == 2
    assert "".join(executed["cells"][0]["outputs"][0]["text"]) == "full\n"
    assert snapshot(sources) == before_src
    assert snapshot(book) == before_book and chapter_notebooks() == book
