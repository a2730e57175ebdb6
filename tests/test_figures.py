"""Every figure in a chapter has alt text and a caption.

A code cell that draws a figure draws one, and says in its metadata what it
shows (`mystnb.image.alt`, read by screen readers and shown when the image
cannot load) and what it is (`mystnb.figure.caption`, printed under it):
myst-nb renders both on the web page (CONTRIBUTING.md, Figures).
"""

import pytest

from book import chapter_notebooks, code_cells, load

GENERIC = {"figure", "plot", "image", "chart", "graph", "output"}


def figure_cells(nb):
    for i, cell in enumerate(code_cells(nb)):
        images = [
            o
            for o in cell.get("outputs", [])
            if "image/png" in o.get("data", {})
            or "image/svg+xml" in o.get("data", {})
        ]
        if images:
            yield i, cell, len(images)


@pytest.mark.parametrize("nb_path", chapter_notebooks(), ids=lambda p: p.stem)
def test_every_figure_has_alt_text_and_a_caption(nb_path):
    nb = load(nb_path)
    bad = []
    for i, cell, n in figure_cells(nb):
        meta = cell["metadata"].get("mystnb", {})
        alt = str(meta.get("image", {}).get("alt", "")).strip()
        caption = str(meta.get("figure", {}).get("caption", "")).strip()
        if n != 1:
            bad.append(f"code cell {i}: {n} figures (draw one per cell)")
        if len(alt) < 30 or alt.lower().rstrip(".") in GENERIC:
            bad.append(f"code cell {i}: alt text {alt!r} says too little")
        if not caption:
            bad.append(f"code cell {i}: no caption")
    assert not bad, f"{nb_path.name}:\n" + "\n".join(bad)
