"""Grade students' submitted notebooks without a JupyterHub.

For each SUBMISSION.ipynb (a student copy the student completed): its grade
cells are replaced by the autograder's (matched by nbgrader grade_id, or
by their public checks where an editor dropped the metadata, so a
student cannot edit the checks away; hidden tests, and a teacher's private
`--extra-tests DIR`, included), it runs top to bottom in a fresh kernel
(CPU, ci profile, a timeout per cell), and each grade cell that runs without
an error earns its points. Prose answers are graded by hand: they are listed
with their maximum and no points.

Usage:
  python tools/autograde.py SUBMISSION.ipynb [...] [--csv grades.csv]
      [--chapter NN_name] [--extra-tests DIR] [--timeout SECONDS]
      [--executed DIR]
The chapter is the one whose NN_name the file name contains (or whose title
the submission's first cell starts with), or --chapter. `--csv` writes one
row per (student file, grade_id, points, max_points); `--executed DIR` keeps
each executed notebook (the student's feedback). Exit status 0 when every
notebook could be graded.
"""

import argparse
import contextlib
import csv
import json
import os
import pathlib
import sys
import tempfile
import time

import nbformat

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import make_student  # noqa: E402
from make_student import ROOT, nbgrader, source  # noqa: E402

TIMEOUT_PER_CELL = 120


def use_ci_environment():
    """What the kernel inherits: CPU, ci profile, no progress bars."""
    os.environ["BOOK_PROFILE"] = "ci"
    os.environ["CUDA_VISIBLE_DEVICES"] = ""
    os.environ["BOOK_QUIET"] = "1"
    os.environ.pop("MPLBACKEND", None)


def client_for(nb, cwd, timeout=TIMEOUT_PER_CELL):
    """An nbclient client that records errors instead of stopping."""
    # the same batch-run fix tools/execute_notebooks.py applies
    import nbclient.output_widget
    from nbclient import NotebookClient

    nbclient.output_widget.OutputWidget.sync_state = lambda self: None
    use_ci_environment()
    return NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
    )


@contextlib.contextmanager
def running_kernel(client, tries=3):
    """client.setup_kernel(), tried again when the kernel dies on start
    (two kernels starting at once on a loaded machine, now and then)."""
    with contextlib.ExitStack() as stack:
        for attempt in range(tries):
            try:
                stack.enter_context(client.setup_kernel())
                break
            except RuntimeError:
                if attempt == tries - 1:
                    raise
                time.sleep(2)
        yield client


def run_all(client, nb):
    """Run every cell of `nb` in a fresh kernel, errors recorded."""
    with running_kernel(client):
        for i, cell in enumerate(nb.cells):
            client.execute_cell(cell, i)


def error_of(cell):
    """'Name: message' of the cell's error output, or None."""
    for o in cell.get("outputs", []):
        if o["output_type"] == "error":
            return f"{o['ename']}: {o['evalue']}"[:200]
    return None


def chapter_of(path: pathlib.Path, nb) -> pathlib.Path:
    chapters = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    hits = [c for c in chapters if c.stem in path.stem]
    if not hits and nb.get("cells"):
        title = source(nb["cells"][0]).split("\n")[0]
        hits = [
            c
            for c in chapters
            if source(json.loads(c.read_text())["cells"][0]).split("\n")[0]
            == title
        ]
    if len(hits) != 1:
        raise SystemExit(
            f"{path}: cannot tell which chapter it is; pass --chapter NN_name"
        )
    return hits[0]


def grade(submission, chapter, extra_dir=None, timeout=TIMEOUT_PER_CELL):
    """Grade one submission against one chapter notebook.

    Return (rows, executed notebook); a row is a dict with grade_id,
    points (None: graded by hand), max_points and a note.
    """
    instructor = json.loads(chapter.read_text())
    grader = make_student.copy_for(
        instructor,
        chapter.name,
        hidden=True,
        extra=make_student.extra_tests(extra_dir, chapter.stem),
    )
    graded = {
        nbgrader(c)["grade_id"]: c
        for c in grader["cells"]
        if nbgrader(c).get("grade")
    }
    # a notebook editor that drops cell metadata leaves the public checks:
    # a code cell that is exactly a grade cell's public part is that cell
    public = {
        source(c).strip(): nbgrader(c)["grade_id"]
        for c in make_student.copy_for(instructor, chapter.name, False)[
            "cells"
        ]
        if c["cell_type"] == "code" and nbgrader(c).get("grade")
    }
    nb = nbformat.reads(json.dumps(json.loads(submission.read_text())), 4)
    found = {}
    for cell in nb.cells:
        gid = nbgrader(cell).get("grade_id")
        if gid is None and cell.cell_type == "code":
            gid = public.get(cell.source.strip())
        if gid in graded and gid not in found:
            ref = graded[gid]
            if cell.cell_type != ref["cell_type"]:
                continue
            if cell.cell_type == "code":  # the autograder's checks
                cell.source = source(ref)
                cell.metadata["nbgrader"] = dict(nbgrader(ref))
            found[gid] = cell
    with tempfile.TemporaryDirectory() as cwd:
        run_all(client_for(nb, cwd, timeout), nb)
    rows = []
    for gid, ref in graded.items():
        top = nbgrader(ref)["points"]
        cell = found.get(gid)
        if cell is None:
            rows.append(
                dict(
                    grade_id=gid,
                    points=0,
                    max_points=top,
                    note="grade cell missing",
                )
            )
        elif ref["cell_type"] == "markdown":
            rows.append(
                dict(
                    grade_id=gid,
                    points=None,
                    max_points=top,
                    note="prose: grade by hand",
                )
            )
        else:
            err = error_of(cell)
            rows.append(
                dict(
                    grade_id=gid,
                    points=0 if err else top,
                    max_points=top,
                    note=err or "passed",
                )
            )
    return rows, nb


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "submissions",
        nargs="+",
        type=pathlib.Path,
        help="completed student copies (.ipynb)",
    )
    ap.add_argument(
        "--csv", type=pathlib.Path, help="write the grades here (for an LMS)"
    )
    ap.add_argument(
        "--chapter", help="NN_name or a path to the instructor notebook"
    )
    ap.add_argument(
        "--extra-tests",
        type=pathlib.Path,
        help="DIR/NN_name/<grade_id>.py: private tests appended",
    )
    ap.add_argument(
        "--timeout",
        type=int,
        default=TIMEOUT_PER_CELL,
        help=f"seconds per cell (default {TIMEOUT_PER_CELL})",
    )
    ap.add_argument(
        "--executed",
        type=pathlib.Path,
        help="keep each executed notebook in this folder (feedback)",
    )
    args = ap.parse_args(argv)
    table = []
    for sub in args.submissions:
        if not sub.is_file():
            ap.error(f"no such submission: {sub}")
        try:
            nb = json.loads(sub.read_text())
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            ap.error(f"{sub} is not a notebook (.ipynb JSON): {e}")
        if args.chapter:
            chapter = pathlib.Path(args.chapter)
            if not chapter.is_file():
                chapter = ROOT / "notebooks" / f"{args.chapter}.ipynb"
            if not chapter.is_file():
                ap.error(f"--chapter {args.chapter}: no such chapter")
        else:
            chapter = chapter_of(sub, nb)
        rows, executed = grade(sub, chapter, args.extra_tests, args.timeout)
        got = sum(r["points"] or 0 for r in rows)
        auto = sum(r["max_points"] for r in rows if r["points"] is not None)
        hand = sum(r["max_points"] for r in rows if r["points"] is None)
        print(f"{sub.name} ({chapter.stem}):")
        for r in rows:
            pts = "-" if r["points"] is None else r["points"]
            print(
                f"  {r['grade_id']:<12} {pts:>3} / {r['max_points']:<3}"
                f" {r['note']}"
            )
        print(
            f"  total        {got} / {auto} autograded"
            + (f" (+ {hand} graded by hand)" if hand else "")
        )
        table += [dict(student_file=sub.name, **r) for r in rows]
        if args.executed:
            args.executed.mkdir(parents=True, exist_ok=True)
            nbformat.write(executed, args.executed / sub.name)
    if args.csv:
        with args.csv.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["student_file", "grade_id", "points", "max_points"])
            for r in table:
                pts = "" if r["points"] is None else r["points"]
                w.writerow(
                    [r["student_file"], r["grade_id"], pts, r["max_points"]]
                )
        print(f"wrote {args.csv} ({len(table)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
