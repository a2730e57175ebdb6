"""How far a re-executed notebook's outputs drift from the committed ones.

Usage:  python tools/output_drift.py [--all] COMMITTED.ipynb NEW.ipynb [...]

For every compared cell (not tagged nbval-ignore-output or nbval-skip) it
prints each line that changed, the numbers on it with their absolute and
relative change, and whether the cell's declared tolerance covers it
(`--all`: ignored cells too, to see what an ignore tag hides). Use it
to choose a tolerance from measurements: execute a copy under another CPU
setting (e.g. ATEN_CPU_CAPABILITY=default, see CONTRIBUTING.md) and compare.
Exit status 1 when some change is not covered.
"""

import pathlib
import re
import sys

import nbformat
from nbval.plugin import get_sanitize_patterns

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from output_compare import _split, compare_text  # noqa: E402

IGNORED = {"nbval-ignore-output", "nbval-skip"}
TEXT_MIMES = ("text/plain", "text/html", "text/markdown", "text/latex")
PATTERNS = get_sanitize_patterns(
    (ROOT / "tests" / "nbval_sanitize.cfg").read_text()
)


def sanitize(s):
    for regex, replace in PATTERNS:
        s = re.sub(regex, replace, s)
    return s


def texts(cell):
    """The cell's text outputs by kind, streams merged as nbval merges them."""
    out = {}
    for o in cell.get("outputs", []):
        if o["output_type"] == "stream":
            out[o["name"]] = out.get(o["name"], "") + o["text"]
        elif "data" in o:
            for mime in TEXT_MIMES:
                if mime in o["data"]:
                    out.setdefault(mime, []).append(o["data"][mime])
    return {
        k: v if isinstance(v, str) else "\n".join(v) for k, v in out.items()
    }


def drift(committed, new, ignored=IGNORED):
    """Print the drift of `new` from `committed`; True when all is covered."""
    a_nb, b_nb = nbformat.read(committed, 4), nbformat.read(new, 4)
    ok = True
    pairs = zip(a_nb.cells, b_nb.cells)
    code = -1  # nbval's numbering: code cells only
    for k, (a, b) in enumerate(pairs):
        code += a.cell_type == "code"
        if a.cell_type != "code" or ignored & set(a.metadata.get("tags", [])):
            continue
        spec = a.metadata.get("tolerance")
        ta, tb = texts(a), texts(b)
        for key in sorted(set(ta) | set(tb)):
            x, y = sanitize(ta.get(key, "")), sanitize(tb.get(key, ""))
            if x == y:
                continue
            problems, _ = compare_text(x, y, spec)
            ok &= not problems
            mark = "NOT COVERED" if problems else "covered"
            where = f"{pathlib.Path(new).parent.name}/{pathlib.Path(new).name}"
            print(
                f"{where} cell {k} (nbval Cell {code}) {key} ({mark}; "
                f"tolerance {spec})"
            )
            for la, lb in zip(x.splitlines(), y.splitlines()):
                if la == lb:
                    continue
                _, na, _ = _split(la, True)
                _, nb, _ = _split(lb, True)
                changes = [
                    f"{p:g}->{q:g} (abs {abs(p - q):.3g}, rel "
                    f"{abs(p - q) / abs(p) if p else float('inf'):.2g})"
                    for p, q in zip(na, nb)
                    if p != q
                ]
                print(f"    - {la[:100]}\n    + {lb[:100]}")
                if changes and len(na) == len(nb):
                    print(f"      {'; '.join(changes)}")
            if len(x.splitlines()) != len(y.splitlines()):
                print("    (number of lines differs)")
    return ok


def main(argv):
    ignored = set() if argv[:1] == ["--all"] else IGNORED
    argv = argv[1:] if argv[:1] == ["--all"] else argv
    if len(argv) < 2:
        sys.exit(__doc__)
    results = [drift(argv[0], new, ignored) for new in argv[1:]]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main(sys.argv[1:])
