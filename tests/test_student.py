"""The student and autograder copies work (tools/make_student.py).

Per chapter (and per the fixture tests/fixtures/99_fixture.ipynb):
(a) the committed student/ copy is what `make student` writes;
(b) no line of a solution or hidden test leaks into the student copy;
(c) in ONE kernel: the student copy runs top to bottom with only its
    exercise cells failing and every grade cell failing; then, per code
    exercise, the reference answer passes the autograder's grade cell, and
    the wrong answer (book.wrong_answer) passes the public checks and fails
    the autograder's;
(d) the exercises keep the format (CONTRIBUTING.md, "Exercises").
Each chapter's tests form one class (TestCopies_NN_name), so under `pytest
-n 2 --dist loadscope` (tools/run_tests.sh) a chapter's kernel runs once, on
one worker, next to the notebook checks.
"""

import csv
import json
import re
import sys
import tempfile

import nbformat
import pytest

from book import ROOT, cells_of_section, chapter_notebooks, load, source

sys.path.insert(0, str(ROOT / "tools"))
import autograde  # noqa: E402
import make_student as ms  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "99_fixture.ipynb"
NOTEBOOKS = chapter_notebooks() + [FIXTURE]
CELL_TIMEOUT = 600  # a chapter cell's limit (tools/execute_notebooks.py)


def exercises_of(path, nb):
    exs = ms.exercises(nb, path.name)
    if not exs:
        pytest.fail(
            f"{path.name}: no exercises in the nbgrader format yet "
            "(CONTRIBUTING.md, Exercises)"
        )
    return exs


class _ChapterCopies:
    """The tests of one chapter's copies; one subclass per chapter (at the
    end of this file), so `pytest -n 2 --dist loadscope` runs each chapter's
    tests, and its one kernel, on one worker, next to the notebook checks."""

    path = None

    @pytest.fixture
    def nb_path(self):
        return self.path

    @pytest.fixture
    def chapter(self):
        nb = load(self.path)
        return self.path, nb, exercises_of(self.path, nb)

    @pytest.fixture(scope="class")
    @classmethod
    def kernel_run(cls):
        return run_chapter(cls.path)


# (a) fresh ---------------------------------------------------------------


def check_student_copy_is_fresh(chapter):
    path, nb, _ = chapter
    want = ms.dumps(ms.copy_for(nb, path.name, hidden=False))
    # regenerating gives the same bytes (it depends on sources only)
    assert ms.dumps(ms.copy_for(load(path), path.name, hidden=False)) == want
    if path == FIXTURE:
        return  # the fixture's copy is not committed
    target = ROOT / "student" / path.name
    assert target.is_file() and target.read_text() == want, (
        f"student/{path.name} is stale or missing: run `make student`"
    )


def test_no_student_copy_without_a_chapter():
    names = {p.name for p in chapter_notebooks()}
    extra = [
        p.name
        for p in (ROOT / "student").glob("*.ipynb")
        if p.name not in names
    ]
    assert not extra, f"student copies of no chapter: {extra}"


# (b) no leaks ------------------------------------------------------------


def block_lines(text, begin, end):
    block = ms.marker_block(text, begin, end, "")
    return text.split("\n")[block[0] : block[1]] if block else []


def check_no_solution_or_hidden_test_in_student_copy(chapter):
    path, nb, exs = chapter
    secret, public = [], []
    for i, cell in enumerate(nb["cells"]):
        text = source(cell)
        k = ms.kind(cell)
        if k == "answer":
            lines = block_lines(text, ms.BEGIN_SOLUTION, ms.END_SOLUTION)
            lines += cell["metadata"]["book"]["wrong_answer"].split("\n")
        elif k == "grade":
            lines = block_lines(text, ms.BEGIN_HIDDEN, ms.END_HIDDEN)
        elif k == "prose":
            lines = text.split("\n")
        else:
            lines = []
        secret += lines
        public += [s for s in text.split("\n") if s not in lines]
    public = {s.strip() for s in public}
    secret = {
        s.strip()
        for s in secret
        if len(s.strip()) >= 8 and s.strip() not in public
    }
    student = ms.copy_for(nb, path.name, hidden=False)
    shown = [
        (i, s.strip())
        for i, c in enumerate(student["cells"])
        for s in source(c).split("\n")
    ]
    leaks = [(i, s) for i, s in shown if s in secret]
    assert not leaks, f"solution lines in the student copy: {leaks[:5]}"
    text = "\n".join(source(c) for c in student["cells"])
    assert not re.search(r"<summary>\s*Solution", text), (
        "a folded solution is left in the student copy"
    )
    assert not any(
        "wrong_answer" in c["metadata"].get("book", {})
        for c in student["cells"]
    ), "book.wrong_answer is left in the student copy"
    for marker in ms.MARKERS:
        assert marker not in text, f"{marker} left in the student copy"


# (c) one kernel per chapter ----------------------------------------------


def run_cell(client, nb, code):
    """Run `code` as a new cell in the client's kernel; its error or None."""
    cell = nbformat.v4.new_code_cell(code)
    nb.cells.append(cell)
    client.execute_cell(cell, len(nb.cells) - 1)
    return autograde.error_of(cell)


def run_chapter(path):
    """Run the student copy, then every code exercise's reference and wrong
    answer, in one kernel; return what failed where."""
    instructor = load(path)
    exs = exercises_of(path, instructor)
    student = ms.copy_for(instructor, path.name, hidden=False)
    grader = ms.copy_for(instructor, path.name, hidden=True)
    nb = nbformat.reads(json.dumps(student), 4)
    n_cells = len(nb.cells)
    out = {"path": path, "exs": exs, "errors": {}, "checks": {}}
    with tempfile.TemporaryDirectory() as cwd:
        client = autograde.client_for(nb, cwd, timeout=CELL_TIMEOUT)
        with autograde.running_kernel(client):
            for i in range(n_cells):
                client.execute_cell(nb.cells[i], i)
                err = autograde.error_of(nb.cells[i])
                if err:
                    out["errors"][i] = err
            for ex in exs:
                if ex["kind"] != "code":
                    continue
                answer = instructor["cells"][ex["answer"]]
                grade_all = source(grader["cells"][ex["grade"]])
                grade_public = source(student["cells"][ex["grade"]])
                out["checks"][ex["number"]] = {
                    "reference": run_cell(client, nb, source(answer)),
                    "reference, all tests": run_cell(client, nb, grade_all),
                    "wrong": run_cell(
                        client, nb, ms.wrong_answer_source(answer)
                    ),
                    "wrong, public tests": run_cell(client, nb, grade_public),
                    "wrong, all tests": run_cell(client, nb, grade_all),
                    # later exercises may use this one's function
                    "reference again": run_cell(client, nb, source(answer)),
                }
    return out


def check_student_copy_fails_only_in_exercise_cells(kernel_run):
    exs = kernel_run["exs"]
    allowed = {ex["answer"] for ex in exs} | {
        ex["grade"] for ex in exs if "grade" in ex
    }
    bad = {i: e for i, e in kernel_run["errors"].items() if i not in allowed}
    assert not bad, (
        f"{kernel_run['path'].name}: cells other than exercises fail in the "
        f"student copy: {bad}"
    )


def check_every_grade_cell_fails_with_the_stubs(kernel_run):
    passing = [
        ex["number"]
        for ex in kernel_run["exs"]
        if "grade" in ex and ex["grade"] not in kernel_run["errors"]
    ]
    assert not passing, (
        f"{kernel_run['path'].name}: the grade cells of exercises {passing} "
        "pass with the stub (a grade cell must call the answer)"
    )


def check_reference_answers_pass_every_test(kernel_run):
    bad = {
        n: {k: v for k, v in c.items() if k.startswith("reference") and v}
        for n, c in kernel_run["checks"].items()
    }
    bad = {n: v for n, v in bad.items() if v}
    assert not bad, f"{kernel_run['path'].name}: reference answers fail: {bad}"


def check_wrong_answers_pass_public_fail_hidden(kernel_run):
    bad = {}
    for n, c in kernel_run["checks"].items():
        if c["wrong"] or c["wrong, public tests"]:
            bad[n] = (
                "the wrong answer must run and pass the public checks: "
                f"{c['wrong'] or c['wrong, public tests']}"
            )
        elif not c["wrong, all tests"]:
            bad[n] = "no hidden test catches the wrong answer"
    assert not bad, f"{kernel_run['path'].name}: {bad}"


# (d) the format ----------------------------------------------------------


def check_exercise_format(chapter):
    path, nb, exs = chapter
    code = [ex for ex in exs if ex["kind"] == "code"]
    assert len(code) >= 2, f"{len(code)} code exercises (need 2 or more)"
    if path != FIXTURE:
        assert 4 <= len(exs) <= 6, f"{len(exs)} exercises (4 to 6)"
    section = cells_of_section(nb, "Exercises")
    assert section, "no ## Exercises section"
    start = nb["cells"].index(section[0])
    head = source(section[0])
    assert head.startswith("## Exercises") and ms.LEGEND in head, (
        "the Exercises cell holds the heading and the legend"
    )
    found = ms.statements(nb)
    bad = [s for s in found if s[1] is None]
    assert not bad, (
        "statement lines must look like **2. Title** (★★, about 30 min): "
        f"{[s[2] for s in bad]}"
    )
    assert [s[1] for s in found] == list(range(1, len(exs) + 1)), (
        f"statements numbered {[s[1] for s in found]}, exercises 1..{len(exs)}"
    )
    for (i, n, *_), ex in zip(found, exs):
        assert start < i < ex["answer"], (
            f"exercise {n}'s statement is in Exercises, above its answer"
        )
        between = nb["cells"][i + 1 : ex["answer"]]
        assert not between, f"exercise {n}: cells between statement, answer"
        assert "<details>" not in source(nb["cells"][i]), (
            f"exercise {n}: no solution in the statement"
        )
        if ex["kind"] == "code":
            answer = nb["cells"][ex["answer"]]
            assert ex["grade"] == ex["answer"] + 1, (
                f"exercise {n}: the grade cell is right under the answer"
            )
            assert not answer.get("outputs"), (
                f"exercise {n}: the answer cell prints nothing"
            )
            assert "hide-input" in answer["metadata"].get("tags", []), (
                f"exercise {n}: the answer cell is tagged hide-input"
            )


def check_first_cell_has_the_objectives(nb_path):
    items, before = ms.objectives(load(nb_path))
    assert 3 <= len(items) <= 5, (
        f"{len(items)} items under {ms.OBJECTIVES_HEAD} (3 to 5)"
    )
    assert before, f"no {ms.BEFORE_HEAD} line in the first cell"
    assert re.search(r"\]\([^)]+\.(ipynb|md)\)", before), (
        "Before this chapter links the chapters (or the setup page)"
    )


# the autograder, on the fixture ------------------------------------------


def test_autograde_fixture(tmp_path):
    nb = ms.copy_for(load(FIXTURE), FIXTURE.name, hidden=False)
    for c in nb["cells"]:
        s = source(c)
        if 'NotImplementedError("exercise 1")' in s:  # correct
            c["source"] = s.replace(
                'raise NotImplementedError("exercise 1")',
                "return sum(min(x, hi) for x in xs) / len(xs)",
            )
        elif 'NotImplementedError("exercise 3")' in s:  # wrong
            c["source"] = "sum_sq = 113.0"
        elif ms.nbgrader(c).get("grade_id") == "ex3_tests":
            c["source"] = "pass  # a student removed the checks"
    sub = tmp_path / "alice_99_fixture.ipynb"
    sub.write_text(json.dumps(nb))
    # bob's editor dropped every cell's metadata; his answers are right
    nb = ms.copy_for(load(FIXTURE), FIXTURE.name, hidden=False)
    for c in nb["cells"]:
        c["metadata"] = {}
        s = source(c)
        if 'NotImplementedError("exercise 1")' in s:
            c["source"] = s.replace(
                'raise NotImplementedError("exercise 1")',
                "return sum(min(x, hi) for x in xs) / len(xs)",
            )
        elif 'NotImplementedError("exercise 3")' in s:
            c["source"] = "sum_sq = 114.0"
    bob = tmp_path / "bob_99_fixture.ipynb"
    bob.write_text(json.dumps(nb))
    grades = tmp_path / "grades.csv"
    argv = [str(sub), str(bob), "--chapter", str(FIXTURE)]
    assert autograde.main(argv + ["--csv", str(grades)]) == 0
    rows = list(csv.DictReader(grades.open()))
    got = {
        (r["student_file"][:3], r["grade_id"]): (r["points"], r["max_points"])
        for r in rows
    }
    assert got == {
        ("ali", "ex1_tests"): ("2", "2"),
        ("ali", "ex2_answer"): ("", "1"),
        ("ali", "ex3_tests"): ("0", "1"),
        ("bob", "ex1_tests"): ("2", "2"),
        ("bob", "ex2_answer"): ("0", "1"),  # no metadata: not found
        ("bob", "ex3_tests"): ("1", "1"),
    }, got


def test_extra_tests_reach_the_autograder_copy(tmp_path):
    (tmp_path / "99_fixture").mkdir()
    (tmp_path / "99_fixture" / "ex1_tests.py").write_text(
        "assert clipped_mean([3.0], 1.0) == 1.0, 'private'\n"
    )
    extra = ms.extra_tests(tmp_path, "99_fixture")
    nb = ms.copy_for(load(FIXTURE), FIXTURE.name, hidden=True, extra=extra)
    text = "\n".join(source(c) for c in nb["cells"])
    assert "'private'" in text and ms.BEGIN_HIDDEN in text
    with pytest.raises(ms.ExerciseError, match="ex9_tests"):
        ms.copy_for(load(FIXTURE), FIXTURE.name, True, {"ex9_tests": "x"})


def broken(edit):
    nb = load(FIXTURE)
    edit(nb["cells"])
    return nb


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda c: c[5].update(source="x = 1\n### BEGIN SOLUTION\n"), "one"),
        (
            lambda c: c[11]["metadata"]["nbgrader"].update(
                grade_id="ex1_tests"
            ),
            "also cell",
        ),
        (lambda c: c[6].update(source="assert True"), "HIDDEN TESTS"),
        (lambda c: c[5]["metadata"].pop("book"), "wrong_answer"),
        (lambda c: c.pop(6), "no grade cell"),
        (lambda c: c[2].update(source="### END HIDDEN TESTS"), "outside"),
    ],
    ids=[
        "unbalanced",
        "duplicate-id",
        "no-hidden",
        "no-wrong",
        "no-grade",
        "stray-marker",
    ],
)
def test_malformed_exercises_are_named(edit, message):
    with pytest.raises(ms.ExerciseError, match=message) as e:
        ms.exercises(broken(edit), "99_fixture.ipynb")
    assert "99_fixture.ipynb" in str(e.value)


# one class per chapter (and the fixture): TestCopies_01_mixed_precision, ...
CHECKS = [
    f for name, f in list(globals().items()) if name.startswith("check_")
]
for _path in NOTEBOOKS:
    _name = f"TestCopies_{_path.stem}"
    globals()[_name] = type(
        _name,
        (_ChapterCopies,),
        {"path": _path}
        | {f"test_{f.__name__[6:]}": staticmethod(f) for f in CHECKS},
    )
