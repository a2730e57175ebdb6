"""The teaching page (book/course.md) and its prerequisites figure are what
tools/sync_course.py writes from the chapters' first cells and exercises."""

import sys
import xml.dom.minidom

from book import ROOT, chapter_notebooks, load

sys.path.insert(0, str(ROOT / "tools"))
import sync_course  # noqa: E402


def test_course_page_is_current():
    infos = sync_course.chapters()
    lacking = sync_course.lacking(infos)
    assert not lacking, (
        "chapters without objectives or exercises in the format: "
        + "; ".join(lacking)
    )
    page = sync_course.PAGE.read_text()
    assert page == sync_course.render(page, infos), (
        "book/course.md is stale: run `make course`"
    )
    assert sync_course.FIGURE.read_text() == sync_course.svg(infos), (
        "the prerequisites figure is stale: run `make course`"
    )


def test_course_page_is_in_the_book():
    assert "book/course" in (ROOT / "_toc.yml").read_text()


def test_figure_draws_every_chapter_and_link(tmp_path):
    """On the chapters as they are: a box per chapter, an arrow per link
    between chapters, a title (the figure's own alt text), well-formed."""
    infos = sync_course.chapters()
    doc = xml.dom.minidom.parseString(sync_course.svg(infos))
    texts = " ".join(
        t.firstChild.data
        for t in doc.getElementsByTagName("text")
        if t.firstChild
    )
    for nb in chapter_notebooks():
        assert nb.stem[:2] in texts, f"{nb.stem} has no box"
    links = sum(
        n in {p.stem for p in chapter_notebooks()} and n != i["stem"]
        for i in infos
        for n in i["needs"]
    )
    assert len(doc.getElementsByTagName("path")) == links + 1  # + marker
    assert doc.getElementsByTagName("title"), "the figure has a title"


def test_objectives_are_read_from_the_first_cell():
    nb = load(ROOT / "tests" / "fixtures" / "99_fixture.ipynb")
    items, before = sync_course.ms.objectives(nb)
    assert items == [
        "implement a clipped mean",
        "explain why a median is robust",
        "compute a sum of squares",
    ]
    assert before.startswith("nothing beyond the [setup]")
