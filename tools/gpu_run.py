"""Run the chapters in the `full` profile on a CUDA GPU and record RESULTS.

Usage:  python tools/gpu_run.py [--limit S] [NOTEBOOK ...]   (`make gpu`)

Each chapter is copied to _build/gpu/ and executed there, never over the
committed ci outputs in notebooks/, with BOOK_PROFILE=full and a wall-clock
limit per chapter (--limit, default 300 s). A cell appended in memory
prints the chapter's RESULTS as JSON. book/results_gpu.json then holds the
machine (device, driver, CUDA and torch versions, date) and per chapter
its run time, status (ok; error, with the exception's last line; timeout)
and RESULTS. A run on some chapters keeps the others' entries. The book's
Results page (tools/results_page.py) shows them.

Without a CUDA device it exits with status 2. --allow-cpu runs anyway, on
the CPU: it exists for the tests of this script, not for real numbers.
"""

import argparse
import asyncio
import datetime
import json
import os
import pathlib
import platform
import shutil
import subprocess
import sys
import time

import nbformat
from nbclient.exceptions import CellExecutionError
from nbclient.util import ensure_async

from execute_notebooks import ROOT, notebook_client

NO_CUDA = (
    "gpu_run: `make gpu` needs a CUDA GPU and torch sees none "
    "(torch.cuda.is_available() is False); on a CPU use "
    "`make notebooks` (ci profile), or run a chapter with "
    "BOOK_PROFILE=full by hand"
)
MARK = "RESULTS_JSON:"
DUMP_CELL = f"""\
if "RESULTS" in globals():
    import json as _json
    print({MARK!r} + _json.dumps(RESULTS))"""


def machine(cuda: bool) -> dict:
    import torch

    info = dict(
        device=None,
        driver=None,
        cuda=torch.version.cuda,
        torch=torch.__version__,
        date=datetime.date.today().isoformat(),
    )
    if cuda:
        info["device"] = torch.cuda.get_device_name(0)
    else:
        cpu = platform.processor() or platform.machine()
        info["device"] = f"CPU {cpu} (--allow-cpu test run)"
    try:
        smi = subprocess.run(
            [
                "nvidia-smi",
                "--query-gpu=driver_version",
                "--format=csv,noheader",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if smi.returncode == 0 and smi.stdout.strip():
            info["driver"] = smi.stdout.strip().splitlines()[0]
    except (OSError, subprocess.TimeoutExpired):  # no nvidia-smi here
        pass
    return info


async def _execute(client, limit: float) -> bool:
    """Run the notebook; False if it passed `limit` seconds (then stopped)."""
    task = asyncio.ensure_future(client.async_execute())
    done, _ = await asyncio.wait({task}, timeout=limit)
    if done:
        task.result()  # raises the notebook's error, if any
        return True
    task.cancel()  # nbclient then shuts the kernel down
    try:
        await task
    except (Exception, asyncio.CancelledError):  # however it comes back
        pass
    if client.km is not None and client.km.has_kernel:  # stopped mid-start
        await ensure_async(client.km.shutdown_kernel(now=True))
    return False


def run_chapter(
    src: pathlib.Path, out_dir: pathlib.Path, limit: float
) -> dict:
    """Execute a copy of `src` in `out_dir`; its record for the JSON."""
    dst = out_dir / src.name
    shutil.copyfile(src, dst)
    nb = nbformat.read(dst, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(DUMP_CELL))
    client = notebook_client(nb, out_dir, shutdown_kernel="immediate")
    record = dict(status="ok")
    start = time.perf_counter()
    try:
        if not asyncio.run(_execute(client, limit)):
            record = dict(status="timeout", limit_s=limit)
    except CellExecutionError as e:
        record = dict(status="error", error=f"{e.ename}: {e.evalue}")
    except Exception as e:  # a dead kernel, a kernel that never started
        last = (str(e).strip().splitlines() or [""])[-1]
        record = dict(status="error", error=f"{type(e).__name__}: {last}")
    record["seconds"] = round(time.perf_counter() - start, 1)
    dump = nb.cells.pop()
    record["results"] = {}
    for line in "".join(o.get("text", "") for o in dump.outputs).splitlines():
        if line.startswith(MARK):
            record["results"] = json.loads(line[len(MARK) :])
    nbformat.write(nb, dst)
    return record


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "notebooks",
        nargs="*",
        type=pathlib.Path,
        help="chapters to run (default: all)",
    )
    ap.add_argument(
        "--limit",
        type=float,
        default=300,
        help="wall-clock seconds per chapter (default 300)",
    )
    ap.add_argument(
        "--out-dir",
        type=pathlib.Path,
        default=ROOT / "_build" / "gpu",
        help="where the executed copies go (default _build/gpu)",
    )
    ap.add_argument(
        "--json",
        type=pathlib.Path,
        default=ROOT / "book" / "results_gpu.json",
        help="the record to merge into (default book/results_gpu.json)",
    )
    ap.add_argument(
        "--allow-cpu",
        action="store_true",
        help="run without CUDA: for the tests of this script only",
    )
    args = ap.parse_args(argv)

    import torch

    cuda = torch.cuda.is_available()
    if not cuda and not args.allow_cpu:
        print(NO_CUDA, file=sys.stderr)
        return 2
    paths = args.notebooks or sorted(
        (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
    )
    missing = [str(p) for p in paths if not p.is_file()]
    if missing or not paths:
        print(
            f"gpu_run: no such notebook: {missing or 'notebooks/*'}",
            file=sys.stderr,
        )
        return 2
    out_dir = args.out_dir.resolve()
    if any(p.resolve().parent == out_dir for p in paths):
        print(
            f"gpu_run: --out-dir {out_dir} holds the notebooks themselves;"
            " it must be another folder",
            file=sys.stderr,
        )
        return 2
    out_dir.mkdir(parents=True, exist_ok=True)

    os.environ["BOOK_PROFILE"] = "full"
    os.environ["BOOK_QUIET"] = "1"  # progress bars would only fill the outputs
    os.environ.pop("MPLBACKEND", None)  # an inherited Agg hides the plots
    info = machine(cuda)
    record = json.loads(args.json.read_text()) if args.json.exists() else {}
    chapters = record.get("chapters", {})
    failed = 0
    for p in paths:
        print(f"{p.stem}: running (limit {args.limit:g} s)", flush=True)
        rec = run_chapter(p, out_dir, args.limit)
        chapters[p.stem] = dict(rec, device=info["device"], date=info["date"])
        failed += rec["status"] != "ok"
        print(
            f"{p.stem}: {rec['status']} in {rec['seconds']} s"
            + (f" ({rec['error']})" if "error" in rec else "")
            + f", {len(rec['results'])} RESULTS",
            flush=True,
        )
        # written after every chapter, so an interrupted run keeps its part
        record = dict(info, chapters=dict(sorted(chapters.items())))
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(record, indent=1) + "\n")
    print(
        f"wrote {args.json} ({len(paths) - failed} of {len(paths)} "
        "chapters ok)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
