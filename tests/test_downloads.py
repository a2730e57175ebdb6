"""The home page's downloads and the repository's address.

- The notebooks' zip that the book build writes holds every chapter, byte
  for byte as committed, in reading order; the home page links it and the
  PDF where they are served.
- `make pdf` works: two pages printed and joined give a PDF with one
  outline entry per page, titled like the page, holding its text.
- The repository's address is the one in _config.yml everywhere a reader
  meets it: Colab badges and launch buttons, the repository and issue
  buttons, README, CONTRIBUTING and the prose pages.
"""

import posixpath
import re
import sys
import zipfile

import pytest
import yaml

from book import ROOT, chapter_notebooks

sys.path.insert(0, str(ROOT / "tools"))
import downloads

HTML = ROOT / "_build" / "html"
REPO_URL = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"][
    "url"
].rstrip("/")
SLUG = REPO_URL.removeprefix("https://github.com/")
COLAB_RE = re.compile(
    r"colab\.research\.google\.com/github/([^/\s\"')]+/[^/\s\"')]+)"
)
# a link into this book's own files (its notebooks and pages) or its issue
# tracker; other repositories (references) are linked freely
OWN_RE = re.compile(
    r"github\.com/([\w.-]+/[\w.-]+)/(?:blob|tree|edit)/[^/\s]+/"
    r"(?:notebooks|book)/|github\.com/([\w.-]+/[\w.-]+)/issues/new"
)
PLACEHOLDER = "OWNER/REPO"  # CONTRIBUTING's example badge


def built():
    if not (HTML / "book" / "intro.html").exists():
        pytest.fail("the book is not built: run `make book`")


def test_zip_holds_every_chapter_as_committed():
    built()
    path = HTML / downloads.DOWNLOADS / downloads.ZIP_NAME
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        expected = [f"notebooks/{p.name}" for p in chapter_notebooks()]
        assert sorted(names) == sorted(expected)
        assert names == [
            f"notebooks/{p.name}" for p in downloads.chapter_notebooks()
        ], "the zip is in reading order (_toc.yml)"
        for p in chapter_notebooks():
            assert z.read(f"notebooks/{p.name}") == p.read_bytes(), p.name


def test_home_page_links_both_downloads():
    built()
    page = "book/intro.html"
    text = (HTML / page).read_text()
    hrefs = re.findall(r'href="([^"]+)"', text)
    resolved = {
        posixpath.normpath(posixpath.join(posixpath.dirname(page), h))
        for h in hrefs
        if "://" not in h
    }
    for name in (downloads.ZIP_NAME, downloads.PDF_NAME):
        assert f"{downloads.DOWNLOADS}/{name}" in resolved, name


def test_pdf_of_two_pages():
    from pypdf import PdfReader

    built()
    first = [p for p in downloads.toc_pages() if p.startswith("notebooks/")]
    pages = [downloads.toc_pages()[0], first[0]]
    parts = downloads.print_pages(pages)
    target = ROOT / "_build" / "pdf-test" / "two.pdf"
    n = downloads.join_pdfs(parts, target)
    reader = PdfReader(target)
    assert len(reader.pages) == n >= 2
    titles = [o.title for o in reader.outline]
    assert titles == [t for t, _ in parts] and all(titles)
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    for title in titles:
        assert title.split(":")[0] in text, title
    # the chapter's code is in the PDF, not cut off: a line of its
    # setup cell is there whole
    assert "BOOK_PROFILE" in text


def own_addresses(text):
    found = COLAB_RE.findall(text)
    found += [a or b for a, b in OWN_RE.findall(text)]
    return [a for a in found if a != PLACEHOLDER]


@pytest.mark.parametrize(
    "rel",
    ["README.md", "CONTRIBUTING.md"]
    + sorted(str(p.relative_to(ROOT)) for p in (ROOT / "book").glob("*.md"))
    + [str(p.relative_to(ROOT)) for p in chapter_notebooks()],
)
def test_sources_use_the_configured_repository(rel):
    text = (ROOT / rel).read_text()
    wrong = [a for a in own_addresses(text) if a != SLUG]
    assert not wrong, f"{rel}: {wrong}, expected {SLUG} (_config.yml)"


def test_readme_names_the_repository():
    assert REPO_URL in (ROOT / "README.md").read_text()


def test_built_pages_use_the_configured_repository():
    built()
    pages = sorted(HTML.rglob("*.html"))
    checked = 0
    for page in pages:
        text = page.read_text(errors="replace")
        wrong = [a for a in own_addresses(text) if a != SLUG]
        assert not wrong, f"{page.relative_to(HTML)}: {wrong}"
        checked += len(own_addresses(text))
    # every chapter has a Colab badge and a launch button at least
    assert checked >= 2 * len(chapter_notebooks())
    for nb in chapter_notebooks():
        text = (HTML / "notebooks" / f"{nb.stem}.html").read_text()
        colab = f"colab.research.google.com/github/{SLUG}/blob/main"
        assert f"{colab}/notebooks/{nb.name}" in text, nb.name
        assert f'href="{REPO_URL}"' in text, f"{nb.name}: repository button"
