"""Write the student and autograder copies of every chapter notebook.

The chapter notebook (notebooks/NN_name.ipynb) is the instructor notebook:
it holds every reference solution and hidden test, in nbgrader's format
(CONTRIBUTING.md, "Exercises"). From it this script writes

- student/NN_name.ipynb (committed): outputs cleared; each code answer's
  lines from `### BEGIN SOLUTION` to `### END SOLUTION` replaced by
  `raise NotImplementedError("exercise N")`; each prose solution cell
  replaced by "YOUR ANSWER HERE"; the hidden tests dropped from the grade
  cells; `book.wrong_answer` and `hide-input` removed. The nbgrader
  metadata stays, so the copy is also an nbgrader release notebook.
- _build/autograder/NN_name.ipynb (not committed): the same, with the
  hidden tests kept; with `--extra-tests DIR`, each
  DIR/NN_name/<grade_id>.py
  (a teacher's private tests) appended to its grade cell.

Usage:
  python tools/make_student.py [--check] [--extra-tests DIR]
                               [--student-dir D] [--autograder-dir D]
                               [notebooks/NN_name.ipynb ...]
`--check` writes nothing and fails when a committed student copy is stale
or missing, or when a chapter has no exercises in the format yet.
A chapter without exercises in the format is skipped (with a message) when
writing.
"""

import argparse
import copy
import json
import pathlib
import re
import sys
import textwrap

ROOT = pathlib.Path(__file__).resolve().parents[1]
STUDENT_DIR = ROOT / "student"
AUTOGRADER_DIR = ROOT / "_build" / "autograder"

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
MARKERS = (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN)
PROSE_STUB = "YOUR ANSWER HERE"
STUDENT_NOTE = (
    "*Student edition: the exercises at the end are yours to complete "
    "(`YOUR ANSWER HERE` and `raise NotImplementedError`); the cell under "
    "each code exercise checks your answer. The book's chapter holds the "
    "solutions.*"
)
ID_RE = re.compile(r"^ex(\d+)_(answer|tests)$")
# The first line of an exercise's statement (CONTRIBUTING.md, "Exercises").
STATEMENT_RE = re.compile(
    r"^\*\*(\d+)\. (.+)\*\* \((★{1,3}), about (\d+) min\)$"
)
LEGEND = (
    "Difficulty: ★ a few minutes, ★★ about half an hour, ★★★ a small "
    "project.\nA code exercise has a cell to complete and a cell of checks "
    "under it."
)
OBJECTIVES_HEAD = "**After this chapter you can**"
BEFORE_HEAD = "**Before this chapter:**"


class ExerciseError(ValueError):
    """A malformed exercise: the message names the notebook and the cell."""


def source(cell) -> str:
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def set_source(cell, text: str) -> None:
    cell["source"] = text.splitlines(keepends=True)


def dumps(nb) -> str:
    """The chapters' JSON serialisation (CONTRIBUTING.md, "Editing a
    notebook as text")."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def kind(cell) -> str | None:
    """'answer' (code to complete), 'prose' (a markdown solution), 'grade'
    (a cell of checks) or None."""
    meta = nbgrader(cell)
    if not meta:
        return None
    if meta.get("solution") and cell["cell_type"] == "code":
        return "answer"
    if meta.get("solution") and cell["cell_type"] == "markdown":
        return "prose"
    if meta.get("grade") and cell["cell_type"] == "code":
        return "grade"
    return None


def marker_block(text: str, begin: str, end: str, where: str):
    """(start, stop, indent) of the one `begin`...`end` block of `text`'s
    lines (stop exclusive, markers included); None when there is none."""
    lines = text.split("\n")
    starts = [i for i, s in enumerate(lines) if s.strip() == begin]
    stops = [i for i, s in enumerate(lines) if s.strip() == end]
    if not starts and not stops:
        return None
    if len(starts) != 1 or len(stops) != 1 or stops[0] < starts[0]:
        raise ExerciseError(
            f"{where}: needs exactly one `{begin}` line followed by one "
            f"`{end}` line (found {len(starts)} and {len(stops)})"
        )
    a, b = starts[0], stops[0]
    indent = lines[a][: len(lines[a]) - len(lines[a].lstrip())]
    if lines[b][: len(lines[b]) - len(lines[b].lstrip())] != indent:
        raise ExerciseError(f"{where}: `{end}` is not indented like `{begin}`")
    if not "\n".join(lines[a + 1 : b]).strip():
        raise ExerciseError(f"{where}: the `{begin}` block is empty")
    return a, b + 1, indent


def replace_block(text, block, new_lines) -> str:
    lines = text.split("\n")
    a, b, _ = block
    return "\n".join(lines[:a] + new_lines + lines[b:])


def drop_block(text, block) -> str:
    out = replace_block(text, block, [])
    return out.rstrip("\n ")


def indented(code: str, indent: str) -> list:
    return [
        (indent + s) if s.strip() else ""
        for s in textwrap.dedent(code).strip("\n").split("\n")
    ]


def exercises(nb, name: str) -> list:
    """Check the exercise cells of a notebook; return one dict per exercise
    in order: number, kind ('code' or 'prose'), the cells' indices.

    Raise ExerciseError, naming the notebook and cell, on a malformed one.
    """
    found, seen = {}, {}
    for i, cell in enumerate(nb["cells"]):
        where = f"{name}, cell {i} (id {cell.get('id', '?')})"
        text = source(cell)
        k = kind(cell)
        meta = nbgrader(cell)
        if meta and k is None:
            raise ExerciseError(
                f"{where}: nbgrader metadata on a cell that is neither an "
                "answer (solution: true) nor a grade cell (grade: true, code)"
            )
        for m in MARKERS:
            if m in text and not (
                (k == "answer" and m in MARKERS[:2])
                or (k == "grade" and m in MARKERS[2:])
            ):
                raise ExerciseError(
                    f"{where}: `{m}` outside an "
                    + ("answer" if m in MARKERS[:2] else "grade")
                    + " cell (or the cell lacks its nbgrader metadata)"
                )
        if k is None:
            continue
        gid = meta.get("grade_id", "")
        if gid in seen:
            raise ExerciseError(
                f"{where}: grade_id {gid!r} is also cell {seen[gid]}'s"
            )
        seen[gid] = i
        m = ID_RE.match(gid)
        role = "tests" if k == "grade" else "answer"
        if not m or m.group(2) != role:
            raise ExerciseError(
                f"{where}: grade_id {gid!r} should be ex<N>_{role}"
            )
        n = int(m.group(1))
        if k in ("prose", "grade") and not meta.get("points"):
            raise ExerciseError(f"{where}: a graded cell needs `points`")
        if k == "grade" and not meta.get("locked"):
            raise ExerciseError(f"{where}: a grade cell is `locked: true`")
        ex = found.setdefault(n, {"number": n, "where": where})
        if k == "answer":
            if marker_block(text, BEGIN_SOLUTION, END_SOLUTION, where) is None:
                raise ExerciseError(
                    f"{where}: an answer cell has no `{BEGIN_SOLUTION}` ... "
                    f"`{END_SOLUTION}` block"
                )
            wrong = cell["metadata"].get("book", {}).get("wrong_answer")
            if not (isinstance(wrong, str) and wrong.strip()):
                raise ExerciseError(
                    f"{where}: a code answer needs metadata "
                    "book.wrong_answer (a plausible mistake)"
                )
            if "prose" in ex or "answer" in ex:
                raise ExerciseError(f"{where}: exercise {n} has two answers")
            ex.update(kind="code", answer=i)
        elif k == "prose":
            if "<details>" not in text or "answer" in ex:
                raise ExerciseError(
                    f"{where}: a prose solution cell holds the folded "
                    "<details><summary>Solution</summary> box"
                )
            ex.update(kind="prose", answer=i)
        else:
            if "answer" not in ex or ex["kind"] != "code":
                raise ExerciseError(
                    f"{where}: grade cell {gid!r} has no code answer cell "
                    f"ex{n}_answer above it"
                )
            if marker_block(text, BEGIN_HIDDEN, END_HIDDEN, where) is None:
                raise ExerciseError(
                    f"{where}: a grade cell needs a `{BEGIN_HIDDEN}` ... "
                    f"`{END_HIDDEN}` block"
                )
            if "grade" in ex:
                raise ExerciseError(
                    f"{where}: exercise {n} has two grade cells"
                )
            ex["grade"] = i
    out = [found[n] for n in sorted(found)]
    for want, ex in enumerate(out, 1):
        if ex["number"] != want:
            raise ExerciseError(
                f"{name}: exercises are numbered 1..n; "
                f"exercise {want} is missing"
            )
        if ex["kind"] == "code" and "grade" not in ex:
            raise ExerciseError(
                f"{ex['where']}: code exercise {want} has no grade cell "
                f"ex{want}_tests"
            )
    return out


def statements(nb) -> list:
    """(cell index, number, title, stars, minutes) of every markdown cell
    whose first line looks like an exercise statement (`**N. ...`)."""
    out = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown" or kind(cell):
            continue
        first = source(cell).split("\n")[0].strip()
        if re.match(r"^\*\*\d+\.", first):
            m = STATEMENT_RE.match(first)
            out.append(
                (i, int(m[1]), m[2], len(m[3]), int(m[4]))
                if m
                else (i, None, first, None, None)
            )
    return out


def objectives(nb):
    """(the "After this chapter you can" items, the "Before this chapter:"
    text) of the chapter's first cell; ([], None) when missing."""
    text = source(nb["cells"][0])
    items, before = [], None
    if OBJECTIVES_HEAD in text:
        rest = text.split(OBJECTIVES_HEAD, 1)[1].lstrip("\n")
        for line in rest.split("\n"):
            if line.startswith("- "):
                items.append(line[2:].strip())
            elif line.startswith("  ") and items:
                items[-1] += " " + line.strip()
            else:
                break
    if BEFORE_HEAD in text:
        para = text.split(BEFORE_HEAD, 1)[1].split("\n\n")[0]
        before = " ".join(para.split())
    return items, before


def stub(cell, n: int) -> str:
    text = source(cell)
    block = marker_block(text, BEGIN_SOLUTION, END_SOLUTION, "")
    return replace_block(
        text, block, [f'{block[2]}raise NotImplementedError("exercise {n}")']
    )


def wrong_answer_source(cell) -> str:
    """The answer cell with its solution replaced by book.wrong_answer."""
    text = source(cell)
    block = marker_block(text, BEGIN_SOLUTION, END_SOLUTION, "")
    wrong = cell["metadata"]["book"]["wrong_answer"]
    return replace_block(text, block, indented(wrong, block[2]))


def public_tests(cell) -> str:
    text = source(cell)
    return drop_block(text, marker_block(text, BEGIN_HIDDEN, END_HIDDEN, ""))


def clean_metadata(cell) -> None:
    meta = cell.setdefault("metadata", {})
    book = meta.get("book")
    if isinstance(book, dict):
        book.pop("wrong_answer", None)
        if not book:
            del meta["book"]
    tags = [t for t in meta.get("tags", []) if t != "hide-input"]
    if tags:
        meta["tags"] = tags
    else:
        meta.pop("tags", None)


def copy_for(nb, name: str, hidden: bool, extra: dict | None = None):
    """The student copy (hidden=False) or the autograder copy (hidden=True,
    with `extra` {grade_id: code} appended to the grade cells)."""
    exs = exercises(nb, name)
    out = copy.deepcopy(nb)
    out["metadata"].pop("widgets", None)  # the outputs it describes are gone
    by_cell = {}
    for ex in exs:
        by_cell[ex["answer"]] = ("answer", ex)
        if "grade" in ex:
            by_cell[ex["grade"]] = ("grade", ex)
    extra = dict(extra or {})
    if (
        not hidden
        and out["cells"]
        and STUDENT_NOTE not in source(out["cells"][0])
    ):
        lines = source(out["cells"][0]).split("\n")
        at = next(
            (k + 1 for k, s in enumerate(lines) if "Colab" in s), 1
        )  # under the badges (or the title)
        lines[at:at] = ["", STUDENT_NOTE]
        set_source(out["cells"][0], "\n".join(lines))
    for i, cell in enumerate(out["cells"]):
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        role, ex = by_cell.get(i, (None, None))
        if role == "answer" and ex["kind"] == "code":
            set_source(cell, stub(cell, ex["number"]))
        elif role == "answer":
            set_source(cell, PROSE_STUB)
        elif role == "grade":
            gid = nbgrader(cell)["grade_id"]
            text = source(cell) if hidden else public_tests(cell)
            if gid in extra:
                text = text.rstrip("\n") + "\n" + extra.pop(gid).strip("\n")
            set_source(cell, text)
        clean_metadata(cell)
    if extra:
        raise ExerciseError(
            f"{name}: extra tests for grade cells it lacks: {sorted(extra)}"
        )
    return out


def extra_tests(directory: pathlib.Path | None, stem: str) -> dict:
    if directory is None or not (directory / stem).is_dir():
        return {}
    return {
        p.stem: p.read_text() for p in sorted((directory / stem).glob("*.py"))
    }


def chapters(paths) -> list:
    return [pathlib.Path(p) for p in paths] or sorted(
        (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebooks", nargs="*")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--extra-tests", type=pathlib.Path)
    ap.add_argument("--student-dir", type=pathlib.Path, default=STUDENT_DIR)
    ap.add_argument(
        "--autograder-dir", type=pathlib.Path, default=AUTOGRADER_DIR
    )
    args = ap.parse_args(argv)
    problems, lacking = [], []
    paths = chapters(args.notebooks)
    for path in paths:
        nb = json.loads(path.read_text())
        try:
            if not exercises(nb, path.name):
                lacking.append(path.name)
                if not args.check:
                    print(
                        f"skipped {path.name}: no exercises in the nbgrader "
                        "format yet (CONTRIBUTING.md, Exercises)"
                    )
                continue
            student = dumps(copy_for(nb, path.name, hidden=False))
            grader = dumps(
                copy_for(
                    nb,
                    path.name,
                    hidden=True,
                    extra=extra_tests(args.extra_tests, path.stem),
                )
            )
        except ExerciseError as e:
            problems.append(str(e))
            continue
        target = args.student_dir / path.name
        if args.check:
            if not target.is_file() or target.read_text() != student:
                problems.append(
                    f"{target.name}: the student copy is stale or missing "
                    "(run `make student`)"
                )
            continue
        for folder, text in (
            (args.student_dir, student),
            (args.autograder_dir, grader),
        ):
            folder.mkdir(parents=True, exist_ok=True)
            f = folder / path.name
            if not f.is_file() or f.read_text() != text:
                f.write_text(text)
                print(f"wrote {f.relative_to(folder.parent)}")
    if args.check and not args.notebooks and args.student_dir.is_dir():
        names = {p.name for p in paths}
        problems += [
            f"{p.name}: a student copy of no chapter (delete it)"
            for p in sorted(args.student_dir.glob("*.ipynb"))
            if p.name not in names
        ]
    if args.check and lacking:
        problems.append(
            "no exercises in the nbgrader format yet: " + ", ".join(lacking)
        )
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
