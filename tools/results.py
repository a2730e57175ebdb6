"""The chapters' headline numbers: the RESULTS cell and the files around it.

Each chapter's Reproduce section ends with its RESULTS cell: author lines
that define `RESULTS = dict(...)` (snake_case names, the unit in the name,
plain int or float values), then RESULTS_FOOTER below, the same in every
chapter (`make results-sync` writes it). The footer checks the dict and
prints it as a table, which `parse_results` reads back, so the book's
Results page takes the ci values from the committed outputs. The page also
shows book/results_paper.yml (the papers' values) and book/results_gpu.json
(written by `make gpu`, tools/gpu_run.py).
"""

import json
import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAPER_FILE = "book/results_paper.yml"  # relative to the repository root
GPU_FILE = "book/results_gpu.json"

# The footer's first line is also the mark that tools/sync_results.py cuts at.
RESULTS_FOOTER = """\
# Printed for the book's Results page; `make results-sync` writes the lines
# from here on (the same in every chapter): edit only the ones above.
for name, value in RESULTS.items():
    assert name.isascii() and name.isidentifier() and name.islower(), (
        f"RESULTS names are snake_case, not {name!r}"
    )
    assert isinstance(value, (int, float)) and not isinstance(value, bool), (
        f"RESULTS[{name!r}] = {value!r} is not a plain number"
    )
print(f"{'RESULTS':<36} value")
for name, value in RESULTS.items():
    print(
        f"{name:<36} {value:.4g}"
        if isinstance(value, float)
        else f"{name:<36} {value}"
    )"""

# The code cell that defines RESULTS: a line that starts `RESULTS = `.
RESULTS_CELL_RE = re.compile(r"^RESULTS\s*=(?!=)", re.M)
SNAKE_CASE_RE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
_HEADER_RE = re.compile(r"RESULTS\s+value\s*")
_ROW_RE = re.compile(r"([A-Za-z_]\w*)\s+(\S+)\s*")
_INT_RE = re.compile(r"[-+]?\d+")


def chapter_notebooks(root=ROOT):
    notebooks = pathlib.Path(root) / "notebooks"
    return sorted(notebooks.glob("[0-9][0-9]_*.ipynb"))


def cell_source(cell):
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def results_cells(nb):
    """The code cells of a notebook (a dict) that define RESULTS."""
    return [
        c
        for c in nb["cells"]
        if c["cell_type"] == "code" and RESULTS_CELL_RE.search(cell_source(c))
    ]


def cell_stdout(cell):
    """Everything a code cell printed to stdout, as one string."""
    return "".join(
        cell_source({"source": o["text"]})
        for o in cell.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stdout"
    )


def parse_results(text):
    """The dict that RESULTS_FOOTER printed into `text` ({} if none).

    Reads the `name value` rows under the last `RESULTS  value` header, up
    to the first line that is not such a row; values come back as int or
    float (the footer prints floats to 4 significant digits).
    """
    out, inside = {}, False
    for line in text.splitlines():
        if _HEADER_RE.fullmatch(line):
            out, inside = {}, True
            continue
        m = _ROW_RE.fullmatch(line) if inside else None
        try:
            name, value = m.groups()
            out[name] = (
                int(value) if _INT_RE.fullmatch(value) else float(value)
            )
        except (AttributeError, ValueError):  # not a row: the table ended
            inside = False
    return out


def ci_spread(notebook_path):
    """How far each ci value may move across CPUs, as the page shows it.

    Read from the RESULTS cell's declared tolerance (CONTRIBUTING.md): the
    first `lines` rule whose pattern matches the value's printed line.
    {name: "±0.1 across CPUs"} (or "±15% ..." or "varies run to run", a
    timing); names without a rule
    (exact values) are left out.
    """
    nb = json.loads(pathlib.Path(notebook_path).read_text())
    cells = results_cells(nb)
    if not cells:
        return {}
    spec = cells[-1].get("metadata", {}).get("tolerance") or {}
    lines = cell_stdout(cells[-1]).splitlines()
    out = {}
    for name in parse_results("\n".join(lines)):
        line = next((ln for ln in lines if ln.split()[:1] == [name]), "")
        rule = next(
            (
                r
                for pat, r in spec.get("lines", {}).items()
                if re.search(pat, line)
            ),
            None,
        )
        if rule is None and (spec.get("abs") or spec.get("rel")):
            rule = spec
        if not rule:
            continue
        if rule.get("any"):
            out[name] = "varies run to run"
        else:
            parts = [
                f"±{fmt(rule['abs'])}" if rule.get("abs") else "",
                f"±{rule['rel']:.0%}" if rule.get("rel") else "",
            ]
            out[name] = " + ".join(p for p in parts if p) + " across CPUs"
    return out


def ci_results(notebook_path):
    """RESULTS as the committed outputs of a chapter show them ({} if none).

    Empty when the chapter has no RESULTS cell yet or the cell has no
    output; the last RESULTS cell counts if there are several.
    """
    nb = json.loads(pathlib.Path(notebook_path).read_text())
    cells = results_cells(nb)
    return parse_results(cell_stdout(cells[-1])) if cells else {}


def paper_values(path=ROOT / PAPER_FILE):
    """book/results_paper.yml: {chapter: {name: {value, source}}}."""
    path = pathlib.Path(path)
    return (yaml.safe_load(path.read_text()) or {}) if path.exists() else {}


def gpu_runs(path=ROOT / GPU_FILE):
    """book/results_gpu.json ({} when no GPU run has been recorded)."""
    path = pathlib.Path(path)
    return json.loads(path.read_text()) if path.exists() else {}


def fmt(value):
    """A number as the Results page shows it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:.4g}"


def gpu_cell(run, name=None):
    """The GPU column for one quantity (None: the whole chapter) of a run."""
    if not run:
        return "not run yet"
    where = ", ".join(str(run[k]) for k in ("device", "date") if run.get(k))
    if run.get("status") == "ok":
        value = run.get("results", {}).get(name)
        what = (
            "ran, no RESULTS"
            if name is None
            else "not in its RESULTS"
            if value is None
            else fmt(value)
        )
    elif run.get("status") == "timeout":
        what = f"timeout after {fmt(run.get('limit_s', '?'))} s"
    else:
        what = f"error: {run.get('error', '?')}"
    return f"{what} ({where})" if where else what


def table_rows(root=ROOT):
    """The Results page's rows: (chapter stem, quantity, ci, paper, GPU).

    Every chapter has at least one row; one with no RESULTS cell yet says
    so. A quantity that only the paper or the GPU run has still shows.
    """
    root = pathlib.Path(root)
    paper, gpu = paper_values(root / PAPER_FILE), gpu_runs(root / GPU_FILE)
    rows = []
    for path in chapter_notebooks(root):
        stem = path.stem
        has_cell = bool(results_cells(json.loads(path.read_text())))
        ci = ci_results(path)
        spread = ci_spread(path)
        ch_paper = paper.get(stem) or {}
        run = gpu.get("chapters", {}).get(stem)
        gpu_names = list(run.get("results", {})) if run else []
        names = list(dict.fromkeys([*ci, *ch_paper, *gpu_names]))
        if not has_cell:
            no_ci = "no RESULTS cell yet"
        else:
            no_ci = "not in its RESULTS" if ci else "RESULTS cell not run"
        if not names:
            rows.append((stem, "", no_ci, "", gpu_cell(run)))
        for name in names:
            p = ch_paper.get(name)
            paper_text = f"{fmt(p['value'])} ({p['source']})" if p else ""
            ci_text = fmt(ci[name]) if name in ci else no_ci
            if name in spread:
                ci_text += f" ({spread[name]})"
            rows.append((stem, name, ci_text, paper_text, gpu_cell(run, name)))
    return rows
