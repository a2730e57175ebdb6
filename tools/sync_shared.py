"""Write the code blocks every chapter shares into every chapter's setup cell.

A shared block is a few lines that all twelve chapters need word for word
(today: `progress`, the tqdm bar on long loops, and `figures`, 2x PNGs). Its
one source is BLOCKS below; in a notebook it sits between its BEGIN and END
lines, right after the setup cell's `DEVICE = ...` line. This script writes
the current text there (inserting it where it is missing);
tests/test_structure.py checks that every chapter holds it unchanged. The
blocks print nothing, so a sync changes no committed output.
Usage: python tools/sync_shared.py [--check]        (`make shared-sync`)
"""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]

BLOCKS = {
    "progress": '''\
# A progress bar on long loops when a person runs the notebook. The book's own
# runs (make test, make notebooks, make gpu) set BOOK_QUIET=1: no bar, so the
# committed outputs stay as they are.
from tqdm.auto import tqdm


def progress(iterable, **kw):
    """`iterable` with a tqdm bar (none when BOOK_QUIET=1)."""
    quiet = os.environ.get("BOOK_QUIET") == "1"
    return tqdm(iterable, disable=quiet, **kw)''',
    "figures": """\
# Figures stored at twice their pixel size, so they stay sharp on HiDPI
# screens; pages and notebooks show them at their usual size.
from matplotlib_inline.backend_inline import set_matplotlib_formats

set_matplotlib_formats("retina")""",
}


def begin(name):
    return f"# >>> shared block {name!r}: tools/sync_shared.py writes it"


def end(name):
    return f"# <<< shared block {name!r}"


def block_lines(name):
    # The two blank lines before END are what `ruff format` keeps after a
    # top-level def, so a formatted notebook still holds the block verbatim.
    return [begin(name), *BLOCKS[name].splitlines(), "", "", end(name)]


def setup_cell(nb):
    """The chapter's setup cell: the code cell that reads BOOK_PROFILE."""
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        reads_profile = 'environ.get("BOOK_PROFILE")' in src
        if cell["cell_type"] == "code" and reads_profile:
            return cell
    raise ValueError("no setup cell (a code cell reading BOOK_PROFILE)")


def synced_source(source: str) -> str:
    lines = source.splitlines()
    for name in BLOCKS:
        if begin(name) in lines:
            i = lines.index(begin(name))
            if end(name) not in lines[i:]:
                raise ValueError(f"shared block {name!r} has no END line")
            j = lines.index(end(name), i)
            lines[i : j + 1] = block_lines(name)
        else:
            at = [k for k, s in enumerate(lines) if s.startswith("DEVICE = ")]
            if not at:
                raise ValueError("setup cell has no `DEVICE = ...` line")
            lines[at[0] + 1 : at[0] + 1] = block_lines(name)
    return "\n".join(lines)


def sync(notebook: pathlib.Path, write: bool = True) -> bool:
    """Bring the notebook's shared blocks up to date; True if they changed."""
    nb = json.loads(notebook.read_text())
    cell = setup_cell(nb)
    old = "".join(cell["source"])
    try:
        new = synced_source(old)
    except ValueError as e:
        raise ValueError(f"{notebook.name}: {e}") from e
    if new == old:
        return False
    if write:
        cell["source"] = new.splitlines(keepends=True)
        notebook.write_text(
            json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        )
    return True


def main(argv):
    check = "--check" in argv
    stale = [
        nb.name
        for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
        if sync(nb, write=not check)
    ]
    for name in stale:
        print(("stale shared block in " if check else "updated ") + name)
    if check and stale:
        sys.exit("run `make shared-sync`")


if __name__ == "__main__":
    main(sys.argv[1:])
