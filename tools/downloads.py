"""The book's downloads, linked from the home page: every chapter notebook in
one zip, and the whole book as one PDF.

- `write_zip(outdir)`: _build/html/downloads/notebooks.zip, the chapter
  notebooks as committed (with their outputs), in reading order. The book
  build writes it (tools/page_fixes.py calls it when the build finishes).
- `python tools/downloads.py pdf` (`make pdf`): prints every page of the
  built book, in the table of contents' order, with headless Chromium (the
  one the browser test uses, no network) and joins the pages with pypdf
  into _build/html/downloads/book.pdf.
"""

import functools
import http.server
import pathlib
import shutil
import sys
import threading
import zipfile

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
DOWNLOADS = "downloads"  # folder under the site root
ZIP_NAME = "notebooks.zip"
PDF_NAME = "book.pdf"


def toc_pages(root=ROOT):
    """The book's pages in reading order, as paths without a suffix."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [c["file"] for c in part.get("chapters", [])]
    return pages


def chapter_notebooks(root=ROOT):
    return [
        root / f"{p}.ipynb"
        for p in toc_pages(root)
        if (root / f"{p}.ipynb").exists()
    ]


def write_zip(outdir, root=ROOT):
    """Write outdir/downloads/notebooks.zip; return its path."""
    target = pathlib.Path(outdir) / DOWNLOADS / ZIP_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    # a fixed timestamp: the same notebooks give the same zip
    stamp = (2026, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for nb in chapter_notebooks(root):
            info = zipfile.ZipInfo(f"notebooks/{nb.name}", stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, nb.read_bytes())
    return target


def _serve(directory):
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(directory)
    )
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def print_pages(pages, html=HTML, chromium=None):
    """Print each page (a path under the built site, no suffix) to PDF;
    return (titles, PDF bytes), one per page, in order."""
    from playwright import sync_api as playwright

    chromium = chromium or shutil.which("chromium") or "/usr/bin/chromium"
    missing = [p for p in pages if not (html / f"{p}.html").exists()]
    if missing:
        raise FileNotFoundError(
            f"not built: {missing} (run `make book` first)"
        )
    httpd, base = _serve(html)
    out, titles = [], []
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium,
                args=["--no-sandbox", "--disable-gpu"],
            )
            page = browser.new_page()
            # nothing outside the local server: the book is self-contained
            page.route(
                "**/*",
                lambda r: (
                    r.continue_()
                    if r.request.url.startswith(base)
                    else r.abort()
                ),
            )
            for name in pages:
                page.goto(f"{base}/{name}.html", wait_until="load")
                # MathJax typesets after load on pages with math
                page.evaluate(
                    "() => window.MathJax && MathJax.startup"
                    " ? MathJax.startup.promise.then(() => true) : true"
                )
                titles.append(page.title().split(" — ")[0].strip())
                out.append(
                    page.pdf(
                        format="A4",
                        print_background=True,
                        margin=dict(
                            top="15mm",
                            bottom="15mm",
                            left="12mm",
                            right="12mm",
                        ),
                    )
                )
            browser.close()
    finally:
        httpd.shutdown()
    return list(zip(titles, out))


def join_pdfs(parts, target):
    """Join PDF byte strings into one file, with an outline entry per
    part; return the number of pages."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for title, data in parts:
        start = len(writer.pages)
        writer.append(PdfReader(io.BytesIO(data)))
        writer.add_outline_item(title=title, page_number=start)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as f:
        writer.write(f)
    return len(writer.pages)


def write_pdf(html=HTML, pages=None):
    pages = pages or toc_pages()
    target = html / DOWNLOADS / PDF_NAME
    n = join_pdfs(print_pages(pages, html), target)
    return target, n


if __name__ == "__main__":
    if sys.argv[1:] == ["pdf"]:
        path, n = write_pdf()
        print(f"{path.relative_to(ROOT)}: {n} pages")
    elif sys.argv[1:] == ["zip"]:
        print(write_zip(HTML).relative_to(ROOT))
    else:
        sys.exit("usage: python tools/downloads.py pdf|zip")
