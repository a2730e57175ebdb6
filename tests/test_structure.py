"""Structure tests: every chapter notebook keeps the contract in
CONTRIBUTING.md."""

import json
import re
import sys

import pytest
import yaml

from book import (
    ROOT,
    SECTIONS,
    cells_of_section,
    chapter_notebooks,
    code_cells,
    headings,
    load,
    source,
    tags,
    toc_files,
)

sys.path.insert(0, str(ROOT / "tools"))
import make_student  # noqa: E402
from math_blocks import check as math_block_problems  # noqa: E402
import sync_badges  # noqa: E402
from sync_badges import expected_badges  # noqa: E402
from sync_shared import sync as sync_shared  # noqa: E402

NOTEBOOKS = chapter_notebooks()
ids = [p.stem for p in NOTEBOOKS]


def test_there_are_chapters():
    assert NOTEBOOKS, "no chapter notebooks found under notebooks/"


def test_toc_lists_only_files_that_exist():
    for f in toc_files():
        candidates = [ROOT / f"{f}{ext}" for ext in ("", ".md", ".ipynb")]
        assert any(p.is_file() for p in candidates), (
            f"_toc.yml lists {f}, which does not exist"
        )


@pytest.fixture(params=NOTEBOOKS, ids=ids)
def chapter(request):
    return request.param, load(request.param)


def test_listed_in_toc(chapter):
    path, _ = chapter
    assert f"notebooks/{path.stem}" in toc_files(), (
        f"{path.name} is not listed in _toc.yml"
    )


def test_kernel_is_python3(chapter):
    _, nb = chapter
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_file_size_at_most_2mb(chapter):
    path, _ = chapter
    assert path.stat().st_size <= 2_000_000, (
        f"{path.name}: {path.stat().st_size / 1e6:.2f} MB"
    )


def test_first_cell_has_title_and_colab_badge(chapter):
    path, nb = chapter
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown"
    text = source(first)
    assert text.startswith("# "), (
        "the first cell starts with the chapter title (# ...)"
    )
    assert expected_badges(path) in text, (
        "stale or missing Colab badges (the reader's and the student "
        "edition's): run `make badges`"
    )


@pytest.mark.parametrize("start", ["reader badge only", "no badge", "both"])
def test_sync_badges_on_a_copy(tmp_path, start):
    """tools/sync_badges.py puts both badges under the title, once, and
    changes nothing else."""
    path = tmp_path / NOTEBOOKS[0].name
    nb = load(NOTEBOOKS[0])
    first = source(nb["cells"][0])
    plain = sync_badges.STUDENT_RE.sub("", sync_badges.BADGE_RE.sub("", first))
    plain = re.sub(r"\n\n\s*\n", "\n\n", plain)
    text = {
        "reader badge only": plain.replace(
            "\n\n", "\n\n" + sync_badges.expected_badge(path) + "\n\n", 1
        ),
        "no badge": plain,
        "both": sync_badges.synced_text(plain, path),
    }[start]
    nb["cells"][0]["source"] = text.splitlines(keepends=True)
    path.write_text(json.dumps(nb, indent=1, sort_keys=True) + "\n")
    assert sync_badges.sync(path) == (start != "both")
    assert not sync_badges.sync(path), "a second run changes nothing"
    new = load(path)
    out = source(new["cells"][0])
    assert out.count(sync_badges.expected_badges(path)) == 1
    assert out.count("colab-badge.svg") == 2
    assert out.split("\n")[0] == first.split("\n")[0]
    assert new["cells"][1:] == nb["cells"][1:]


def test_shared_blocks_are_current(chapter):
    path, _ = chapter
    assert not sync_shared(path, write=False), (
        f"{path.name}: a shared block (tools/sync_shared.py) is stale or "
        "missing: run `make shared-sync`"
    )


def test_sections_in_template_order(chapter):
    _, nb = chapter
    found = [re.split(r"[:(]", h)[0].strip() for h in headings(nb, 2)]
    assert found == SECTIONS, (
        f"level-2 headings {found} differ from the template {SECTIONS}"
    )
    assert len(headings(nb, 1)) == 1, "exactly one level-1 heading (the title)"


def test_install_cell_only_in_colab_then_setup_cell(chapter):
    _, nb = chapter
    setup = [
        source(c)
        for c in cells_of_section(nb, "Setup")
        if c["cell_type"] == "code"
    ]
    assert len(setup) >= 2, "Setup holds the install cell and the setup cell"
    install, config = setup[0], setup[1]
    assert "google.colab" in install and "if IN_COLAB" in install
    assert not re.search(r"pip.*install[^\n]*\btorch\b", install), (
        "never reinstall torch"
    )
    for needle in (
        "BOOK_PROFILE",
        "PROFILE",
        "SIZES",
        "DEVICE",
        "manual_seed",
    ):
        assert needle in config, f"the setup cell defines {needle}"


def test_at_least_five_assert_cells(chapter):
    _, nb = chapter
    n = sum(
        bool(re.search(r"^\s*assert\b", source(c), re.M))
        for c in code_cells(nb)
    )
    assert n >= 5, f"only {n} code cells assert something"


def test_exercises_have_solutions(chapter):
    """Every exercise has a folded solution (CONTRIBUTING.md, Exercises): a
    prose one a <details> box in its nbgrader solution cell, a code one its
    answer cell, folded by the hide-input tag."""
    path, nb = chapter
    try:
        exs = make_student.exercises(nb, path.name)
    except make_student.ExerciseError as e:
        pytest.fail(str(e))
    assert 4 <= len(exs) <= 6, (
        f"{len(exs)} exercises in the nbgrader format (need 4 to 6)"
    )
    for ex in exs:
        cell = nb["cells"][ex["answer"]]
        if ex["kind"] == "prose":
            assert re.match(
                r"\s*<details>\s*<summary>\s*Solution\s*</summary>",
                source(cell),
            ), f"exercise {ex['number']}: the solution is a <details> box"
        else:
            assert "hide-input" in tags(cell), (
                f"exercise {ex['number']}: the answer cell is hide-input"
            )
    exercises_text = "\n".join(
        source(c)
        for c in cells_of_section(nb, "Exercises")
        if not make_student.kind(c)
    )
    assert "<details>" not in exercises_text, (
        "a folded solution outside an nbgrader solution cell"
    )


def test_references_section_is_not_empty(chapter):
    _, nb = chapter
    text = "\n".join(source(c) for c in cells_of_section(nb, "References"))
    entries = re.findall(r"^\s*(?:[-*]|\d+\.)\s+\S", text, re.M)
    assert len(entries) >= 2, "list the references, one item each"
    assert "{cite}" not in "".join(source(c) for c in nb["cells"]), (
        "no {cite} roles in notebooks"
    )


def test_execution_counts_are_one_fresh_run(chapter):
    _, nb = chapter
    counts = [c.get("execution_count") for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), (
        "outputs are not one fresh top-to-bottom run: `make notebooks NB=...`"
    )


def test_no_unexpected_errors_in_outputs(chapter):
    _, nb = chapter
    for c in code_cells(nb):
        errors = [
            o for o in c.get("outputs", []) if o["output_type"] == "error"
        ]
        assert not errors or "raises-exception" in tags(c), source(c)[:80]


def test_at_most_a_third_of_outputs_ignored(chapter):
    _, nb = chapter
    cells = code_cells(nb)
    ignored = sum("nbval-ignore-output" in tags(c) for c in cells)
    assert 3 * ignored <= len(cells), (
        f"{ignored} of {len(cells)} code cells ignore their output"
    )


def test_explore_has_a_widget_with_saved_state(chapter):
    _, nb = chapter
    views = [
        o
        for c in cells_of_section(nb, "Explore")
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert views, "the Explore section displays an ipywidgets control"
    state = (
        nb["metadata"]
        .get("widgets", {})
        .get("application/vnd.jupyter.widget-state+json", {})
        .get("state", {})
    )
    for v in views:
        mid = v["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
        assert mid in state, (
            "widget state is saved (execute with `make notebooks`)"
        )


def test_reproduce_has_a_plot(chapter):
    _, nb = chapter
    pngs = [
        o
        for c in cells_of_section(nb, "Reproduce")
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]
    assert pngs, "the Reproduce section shows a plot"


def bib_keys(path):
    return re.findall(r"^@\w+\{([^,\s]+),", path.read_text(), re.M)


def test_bibliography_files_listed_and_keys_unique():
    listed = yaml.safe_load((ROOT / "_config.yml").read_text())[
        "bibtex_bibfiles"
    ]
    on_disk = ["book/references.bib"] + sorted(
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "book" / "bib").glob("*.bib")
    )
    assert sorted(listed) == sorted(on_disk), (
        "list every .bib file in _config.yml"
    )
    keys = [k for f in on_disk for k in bib_keys(ROOT / f)]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    assert not dupes, (
        f"BibTeX keys defined twice: {dupes} "
        "(keep one, in the first chapter citing it)"
    )


def test_each_chapter_has_its_bibliography(chapter):
    path, _ = chapter
    bib = ROOT / "book" / "bib" / f"{path.stem}.bib"
    assert bib.is_file() and bib_keys(bib), (
        f"{bib.relative_to(ROOT)} holds the chapter's references"
    )


def test_display_math_stands_in_its_own_paragraph(chapter):
    """MyST (the web book) misreads $$...$$ glued to a line of text; Jupyter
    does not."""
    _, nb = chapter
    bad = [
        p
        for c in nb["cells"]
        if c["cell_type"] == "markdown"
        for p in math_block_problems(source(c))
    ]
    assert not bad, f"run `python tools/math_blocks.py --fix`: {bad[:3]}"


def test_no_control_characters_in_text(chapter):
    r"""A "\a", "\b" or "\f" written through a non-raw Python string turns
    \approx into BEL."""
    _, nb = chapter
    bad = [
        (i, m.group())
        for i, c in enumerate(nb["cells"])
        for m in re.finditer(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", source(c))
    ]
    assert not bad, f"control characters in cells {bad[:5]}"


def test_no_warnings_in_outputs(chapter):
    """A reader should not meet a library warning: fix the cause, or explain
    and silence it."""
    _, nb = chapter
    text = json.dumps(
        [c.get("outputs", []) for c in code_cells(nb)]
    ) + json.dumps(nb["metadata"].get("widgets", {}))
    found = re.findall(r"\w*Warning: .{0,60}", text)
    assert not found, found[:3]
