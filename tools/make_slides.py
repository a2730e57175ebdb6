"""Write a reveal.js deck of each chapter's Derive and Reproduce sections.

`make slides` writes _build/slides/NN_name.slides.html (not committed): the
cells of `## Derive` and `## Reproduce` as slides, with their committed
outputs (no execution). A chapter chooses its slides with the cell metadata
nbconvert's reveal.js decks use, `"slideshow": {"slide_type": ...}`:
"slide" (a new slide), "subslide" (a new slide below the last), "fragment"
(revealed on the same slide), "-" (on the same slide), "skip" and "notes"
(speaker notes). Where a chapter sets none: a markdown cell with a heading
starts a slide, other markdown continues it; a code cell of Reproduce shows
its outputs (figures, printed text) on a slide below, without its code, and a
code cell of Derive is skipped. The decks work offline: reveal.js is
fetched once from the npm registry into _build/slides/reveal/, and MathJax
is the book's own copy (web_assets/, tools/fetch_web_assets.sh). Open a
deck from the clone (file://) or serve the folder; `s` shows the notes.

Usage: python tools/make_slides.py [--out DIR] [notebooks/NN_name.ipynb ...]
"""

import argparse
import html
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

from markdown_it import MarkdownIt
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "slides"
SECTIONS = ("Derive", "Reproduce")
REVEAL_PACKAGE = "reveal.js@5.1.0"
REVEAL = "reveal"  # relative to the decks
MATHJAX = "../../web_assets/mathjax/tex-chtml.js"
TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}


def source(cell) -> str:
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def math(content, options):
    tex = html.escape(content)
    return f"\\[{tex}\\]" if options.get("display_mode") else f"\\({tex}\\)"


MD = (
    MarkdownIt("commonmark", {"html": True})
    .enable("table")
    .use(dollarmath_plugin, renderer=math, double_inline=True)
    .use(amsmath_plugin)
)


def section_cells(nb, name):
    """(cell, name) for the cells from `## name` to the next `## `."""
    out, inside = [], False
    for c in nb["cells"]:
        if c["cell_type"] == "markdown":
            h2 = [s[3:] for s in source(c).splitlines() if s.startswith("## ")]
            if h2:
                inside = re.split(r"[:(]", h2[0])[0].strip() == name
        if inside:
            out.append(c)
    return out


def slide_type(cell, section) -> str:
    chosen = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
    if chosen is not None:
        if chosen not in TYPES:
            raise ValueError(
                f"slide_type {chosen!r} is not one of {sorted(TYPES)}"
            )
        return chosen
    if cell["cell_type"] == "markdown":
        return "slide" if source(cell).lstrip().startswith("#") else "-"
    return "subslide" if section == "Reproduce" else "skip"


def outputs_html(cell, alt="a figure of the chapter") -> str:
    parts = []
    for o in cell.get("outputs", []):
        data = o.get("data", {})
        if "image/png" in data:
            img_alt = html.escape(str(o.get("metadata", {}).get("alt", alt)))
            png = data["image/png"]
            png = "".join(png) if isinstance(png, list) else png
            src = f"data:image/png;base64,{png.strip()}"
            parts.append(f'<img alt="{img_alt}" src="{src}">')
        elif o["output_type"] == "stream" or "text/plain" in data:
            text = o.get("text") or data.get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else text
            if text.strip():
                parts.append(f"<pre>{html.escape(text)}</pre>")
    return "\n".join(parts)


def cell_html(cell, kind, section, alt) -> str:
    if cell["cell_type"] == "markdown":
        body = MD.render(source(cell))
    elif kind in ("slide", "subslide") and section == "Reproduce":
        body = outputs_html(cell, alt)  # the figure, not the code
    else:
        code = f"<pre><code>{html.escape(source(cell))}</code></pre>"
        body = code + outputs_html(cell, alt)
    if kind == "fragment":
        return f'<div class="fragment">{body}</div>'
    if kind == "notes":
        return f'<aside class="notes">{body}</aside>'
    return body


def deck(nb, title) -> tuple:
    """(the deck's HTML, its number of slides)."""
    slides = []  # [[slide html, ...] per vertical stack]
    for section in SECTIONS:
        for cell in section_cells(nb, section):
            kind = slide_type(cell, section)
            if kind == "skip":
                continue
            alt = f"{title}: a figure of the {section} section"
            body = cell_html(cell, kind, section, alt)
            if not body.strip():
                continue
            if kind == "slide" or not slides:
                slides.append([body])
            elif kind == "subslide":
                slides[-1].append(body)
            else:
                slides[-1][-1] += "\n" + body
    first = (
        f"<section><h1>{html.escape(title)}</h1>"
        "<p>Derive and Reproduce</p></section>"
    )
    stacks = [first]
    for stack in slides:
        inner = "".join(f"<section>\n{s}\n</section>" for s in stack)
        stacks.append(
            f"<section>{inner}</section>" if len(stack) > 1 else inner
        )
    count = 1 + sum(len(s) for s in slides)
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}: slides</title>
<link rel="stylesheet" href="{REVEAL}/dist/reveal.css">
<link rel="stylesheet" href="{REVEAL}/dist/theme/white.css">
<style>
.reveal {{ font-size: 26px; }}
.reveal img {{ max-height: 560px; }}
.reveal pre {{ font-size: 0.55em; box-shadow: none; }}
.reveal .slides section {{ max-height: 100%; overflow-y: auto; }}
.reveal p, .reveal li {{ text-align: left; }}
.reveal table {{ font-size: 0.7em; }}
</style>
</head>
<body>
<div class="reveal"><div class="slides">
{chr(10).join(stacks)}
</div></div>
<script src="{REVEAL}/dist/reveal.js"></script>
<script src="{REVEAL}/plugin/math/math.js"></script>
<script src="{REVEAL}/plugin/notes/notes.js"></script>
<script>
Reveal.initialize({{hash: true, slideNumber: true,
  mathjax3: {{mathjax: "{MATHJAX}"}},
  plugins: [RevealMath.MathJax3, RevealNotes]}});
</script>
</body>
</html>
"""
    return page, count


def fetch_reveal(out: pathlib.Path) -> None:
    """reveal.js's dist/ and plugin/ into out/reveal (once)."""
    target = out / REVEAL
    if (target / "dist" / "reveal.js").is_file():
        return
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", "--silent", REVEAL_PACKAGE],
            cwd=tmp,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (tgz,) = pathlib.Path(tmp).glob("*.tgz")
        with tarfile.open(tgz) as tar:
            tar.extractall(tmp, filter="data")
        shutil.rmtree(target, ignore_errors=True)
        for part in ("dist", "plugin"):
            shutil.copytree(
                pathlib.Path(tmp) / "package" / part, target / part
            )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebooks", nargs="*")
    ap.add_argument("--out", type=pathlib.Path, default=OUT)
    args = ap.parse_args(argv)
    paths = [pathlib.Path(p) for p in args.notebooks] or sorted(
        (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
    )
    args.out.mkdir(parents=True, exist_ok=True)
    fetch_reveal(args.out)
    for path in paths:
        nb = json.loads(path.read_text())
        title = source(nb["cells"][0]).split("\n")[0].lstrip("# ").strip()
        page, count = deck(nb, title)
        target = args.out / f"{path.stem}.slides.html"
        target.write_text(page)
        print(f"wrote {target.name}: {count} slides")
    return 0


if __name__ == "__main__":
    sys.exit(main())
