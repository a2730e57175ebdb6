"""Re-execute chapter notebooks in place: fresh kernel, CPU `ci` profile,
widget state saved.

Usage:  python tools/execute_notebooks.py [notebooks/NN_name.ipynb ...]
        (default: all)

The committed outputs must always be one fresh top-to-bottom run of this
script; nbval then compares a new run against them. `make notebooks` calls it
for every chapter.
"""

import os
import pathlib
import sys
import time

import nbformat
import nbclient.output_widget
from nbclient import NotebookClient

# nbclient mirrors what an ipywidgets Output captures back to the kernel over
# the shell channel; with a large figure in the Output (tens of kB of PNG) the
# execute_reply then never arrives and the cell waits out its whole timeout
# (nbclient 0.10-0.11). The kernel does not need that mirror in a batch run,
# and the saved widget state is written separately, so skip it.
nbclient.output_widget.OutputWidget.sync_state = lambda self: None

ROOT = pathlib.Path(__file__).resolve().parents[1]
TIMEOUT_PER_CELL = 600


def use_ci_environment():
    """The environment CI runs the notebooks in (the kernel inherits it):
    CPU, `ci` profile."""
    os.environ["BOOK_PROFILE"] = "ci"
    os.environ["CUDA_VISIBLE_DEVICES"] = ""
    os.environ["BOOK_QUIET"] = "1"  # no progress bars in the committed outputs
    # an inherited Agg backend makes inline plots vanish
    os.environ.pop("MPLBACKEND", None)


def notebook_client(nb, cwd: pathlib.Path, **options) -> NotebookClient:
    """The client the book executes a notebook with, its kernel in `cwd`.

    `options` (NotebookClient traits) override the defaults; tools/gpu_run.py
    uses it too.
    """
    settings = dict(
        timeout=TIMEOUT_PER_CELL,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
        store_widget_state=True,
        # no per-cell timestamps: diffs show only real changes
        record_timing=False,
    )
    return NotebookClient(nb, **{**settings, **options})


def execute(path: pathlib.Path) -> float:
    nb = nbformat.read(path, as_version=4)
    use_ci_environment()
    client = notebook_client(nb, path.parent)
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nbformat.write(nb, path)
    return seconds


def main(argv):
    paths = [pathlib.Path(a) for a in argv] or sorted(
        (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
    )
    if not paths:
        sys.exit("no notebooks found under notebooks/")
    for p in paths:
        seconds = execute(p)
        size = p.stat().st_size / 1e6
        print(
            f"{p.name}: executed in {seconds:.1f} s, {size:.2f} MB", flush=True
        )


if __name__ == "__main__":
    main(sys.argv[1:])
