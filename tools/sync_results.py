"""Write RESULTS_FOOTER (tools/results.py) into every chapter's RESULTS cell.

The RESULTS cell is the code cell with a line starting `RESULTS = `: author
lines that define the dict, then the footer, the same in every chapter.
This script keeps the author lines and puts the current footer after them
(replacing any older footer). The cell's committed output changes only
when the chapter is re-executed: `make notebooks NB=...`.
Usage: python tools/sync_results.py [--check]      (`make results-sync`)
"""

import ast
import json
import pathlib
import sys

from results import RESULTS_FOOTER, ROOT, cell_source, results_cells

MARK = RESULTS_FOOTER.splitlines()[0]


def synced_source(source: str) -> str:
    """The RESULTS cell's source: its author lines, then the current footer.

    The author lines end at the footer's first line if it is there, else
    right after the top-level `RESULTS = ...` statement; what follows that
    statement must then be empty or an older footer (it loops over
    RESULTS.items()).
    """
    lines = source.splitlines()
    if MARK in lines:
        author = lines[: lines.index(MARK)]
    else:
        ends = [
            node.end_lineno
            for node in ast.parse(source).body
            if isinstance(node, ast.Assign)
            and any(
                isinstance(t, ast.Name) and t.id == "RESULTS"
                for t in node.targets
            )
        ]
        if not ends:
            raise ValueError("no top-level `RESULTS = ...` statement")
        author, rest = lines[: ends[-1]], "\n".join(lines[ends[-1] :])
        if rest.strip() and "RESULTS.items()" not in rest:
            raise ValueError(
                "lines after `RESULTS = ...` that are not a "
                f"footer; move them above it:\n{rest}"
            )
    while author and not author[-1].strip():
        author.pop()
    return "\n".join(author + [RESULTS_FOOTER])


def sync(notebook: pathlib.Path, write: bool = True) -> bool:
    """Put the footer in the notebook's RESULTS cell; True if it changed."""
    nb = json.loads(notebook.read_text())
    changed = False
    for cell in results_cells(nb):
        old = cell_source(cell)
        try:
            new = synced_source(old)
        except (SyntaxError, ValueError) as e:
            raise ValueError(f"{notebook.name}: RESULTS cell: {e}") from e
        if new != old:
            cell["source"] = new.splitlines(keepends=True)
            changed = True
    if changed and write:
        notebook.write_text(
            json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        )
    return changed


def main(argv):
    check = "--check" in argv
    stale = []
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        if sync(nb, write=not check):
            stale.append(nb.name)
            if not check:
                print(
                    f"updated the RESULTS footer in {nb.name} (re-execute"
                    f" it: make notebooks NB=notebooks/{nb.name})"
                )
    if check and stale:
        sys.exit(
            "stale RESULTS footers (run `make results-sync`): "
            + ", ".join(stale)
        )


if __name__ == "__main__":
    main(sys.argv[1:])
