"""`make slides` (tools/make_slides.py) builds a reveal.js deck of every
chapter's Derive and Reproduce sections."""

import html.parser
import sys

import pytest

from book import ROOT, chapter_notebooks, load

sys.path.insert(0, str(ROOT / "tools"))
import make_slides  # noqa: E402

NOTEBOOKS = chapter_notebooks()


class Sections(html.parser.HTMLParser):
    """Counts <section> nesting and images without alt text."""

    def __init__(self):
        super().__init__()
        self.depth = self.max_depth = self.sections = 0
        self.no_alt = 0

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            self.depth += 1
            self.sections += 1
            self.max_depth = max(self.max_depth, self.depth)
        if tag == "img" and not dict(attrs).get("alt"):
            self.no_alt += 1

    def handle_endtag(self, tag):
        if tag == "section":
            self.depth -= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_deck_builds(path):
    nb = load(path)
    page, count = make_slides.deck(nb, path.stem)
    parsed = Sections()
    parsed.feed(page)
    assert parsed.depth == 0, "unbalanced <section> tags"
    assert parsed.max_depth <= 2, "reveal.js nests slides two deep at most"
    assert count >= 4, f"only {count} slides"
    assert not parsed.no_alt, f"{parsed.no_alt} images without alt text"
    assert "Reveal.initialize" in page and make_slides.MATHJAX in page
    reproduce = make_slides.section_cells(nb, "Reproduce")
    if any(
        "image/png" in o.get("data", {})
        for c in reproduce
        for o in c.get("outputs", [])
    ):
        assert "data:image/png;base64," in page, "Reproduce's figure"


def test_slide_types_from_metadata():
    md = {"cell_type": "markdown", "source": "text", "metadata": {}}
    assert make_slides.slide_type(md, "Derive") == "-"
    md["metadata"] = {"slideshow": {"slide_type": "fragment"}}
    assert make_slides.slide_type(md, "Derive") == "fragment"
    md["metadata"] = {"slideshow": {"slide_type": "sldie"}}
    with pytest.raises(ValueError, match="sldie"):
        make_slides.slide_type(md, "Derive")
    code = {"cell_type": "code", "source": "x", "metadata": {}}
    assert make_slides.slide_type(code, "Derive") == "skip"
    assert make_slides.slide_type(code, "Reproduce") == "subslide"
