"""Open the built book in a real headless Chromium with no network.

Every chapter page loads with no JavaScript error, its plots are present, its
math is rendered by the locally served MathJax, and its widgets render from
the saved widget state. At a laptop's 1280x900 and a phone's 390x844 every
chapter page can be navigated (the sidebar button opens and closes the
chapter list, a home link is in the header) and nothing is cut off: code fits
its box at 1280 px, and what cannot fit (outputs, display equations, tables,
code on a phone) scrolls sideways. Explore widgets made with the shared
block `explore` work without a kernel: moving a control swaps the figure.
Every exercise's solution is folded (a prose one in a "Solution" box, a code
one in its collapsed answer cell) and opens when clicked. Every image has
meaningful alt text. Screenshots go to test-artifacts/.
"""

import functools
import http.server
import os
import re
import shutil
import sys
import threading
import tomllib

import pytest

from book import ROOT, chapter_notebooks, code_cells, load, source, toc_files

sys.path.insert(0, str(ROOT / "tools"))
import make_student  # noqa: E402

# The first line of the shared block `explore` (tools/sync_shared.py).
EXPLORE_BEGIN = "# >>> shared block 'explore'"

HTML = ROOT / "_build" / "html"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# ruff's line length (ruff.toml): code this long must fit the code area.
LINE_LENGTH = tomllib.loads((ROOT / "ruff.toml").read_text())["line-length"]
# A laptop and a phone (the review's widths, ../shared/reviews/web.md).
VIEWPORTS = {"1280": (1280, 900), "390": (390, 844)}
CHAPTERS = [
    p for p in chapter_notebooks() if f"notebooks/{p.stem}" in toc_files()
]


@pytest.fixture(scope="module")
def server():
    if not (HTML / "index.html").exists():
        pytest.fail(
            "the book is not built: run `make book` "
            "(make test builds it first)"
        )
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(HTML)
    )
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright import sync_api as playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(
            "Debian's chromium is not installed "
            "(tools/run_tests.sh installs it)"
        )
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


def open_page(browser, url, math=True, size=(1200, 1000)):
    """Load `url` with every non-local request refused.

    Return the page, its JavaScript errors and the refused requests.

    With `math`, wait for MathJax (Sphinx loads it only on pages with math).
    """
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    errors, blocked = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on(
        "response",
        lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"),
    )

    def route(r):
        if r.request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(url, wait_until="networkidle")
    if math:
        page.wait_for_function(
            "window.MathJax && MathJax.startup && MathJax.startup.promise"
        )
        page.evaluate("MathJax.startup.promise")
    page.wait_for_timeout(500)
    # Offline, the only external things a page references are the Colab
    # badge image and links; any error that they cause is not the page's.
    errors = [
        e
        for e in errors
        if "net::ERR_FAILED" not in e
        # reported with its URL above
        and not e.startswith("Failed to load resource")
    ]
    return page, errors, blocked


def test_intro_page_loads(server, browser):
    page, errors, _ = open_page(browser, f"{server}/book/intro.html")
    assert not errors, errors
    assert page.locator("h1").first.inner_text().strip()
    page.close()


def test_results_page(server, browser):
    """The Results page has its table, with a row for every chapter."""
    page, errors, _ = open_page(
        browser, f"{server}/book/results.html", math=False
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "results.png"), full_page=True)
    assert not errors, f"JavaScript errors: {errors}"
    table = page.locator("table.results-table")
    assert table.count() == 1, "the Results page shows one results table"
    heads = table.locator("thead th").all_inner_texts()
    assert [h.split()[0] for h in heads] == [
        "chapter",
        "quantity",
        "ci",
        "paper",
        "GPU",
    ], heads
    links = table.locator("tbody a").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    linked = {
        h.split("#")[0].rsplit("/", 1)[-1].removesuffix(".html") for h in links
    }
    missing = [p.stem for p in CHAPTERS if p.stem not in linked]
    assert not missing, f"chapters missing from the Results table: {missing}"
    page.close()


@pytest.mark.parametrize("nb_path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_page(server, browser, nb_path):
    nb = load(nb_path)
    page, errors, blocked = open_page(
        browser, f"{server}/notebooks/{nb_path.stem}.html"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(
        path=str(ARTIFACTS / f"{nb_path.stem}.png"), full_page=True
    )
    assert not errors, f"JavaScript errors: {errors}"
    external = [u for u in blocked if "colab-badge.svg" not in u]
    assert not external, (
        f"the page asks the network for {external[:3]} (serve it locally)"
    )

    # Plots: every PNG output of the notebook is on the page and decoded.
    n_png = sum(
        "image/png" in o.get("data", {})
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
    )
    imgs = page.eval_on_selector_all(
        "div.cell_output img",
        "els => els.map(e => [e.complete, e.naturalWidth])",
    )
    assert len(imgs) >= n_png, (
        f"{len(imgs)} output images on the page, {n_png} in the notebook"
    )
    assert all(done and w > 0 for done, w in imgs), (
        "an output image failed to load"
    )

    # Math: rendered by MathJax, with no TeX errors and no raw display math
    # left over.
    n_math = page.locator("mjx-container").count()
    assert n_math > 0, "no rendered math"
    tex_errors = page.eval_on_selector_all(
        "mjx-merror",
        "els => els.map(e => e.getAttribute('data-mjx-error')"
        " || e.textContent)",
    )
    assert not tex_errors, f"MathJax could not typeset: {tex_errors}"
    stray = page.evaluate("""() => {
        const a = document.querySelector('article').cloneNode(true);
        a.querySelectorAll('pre, code, mjx-container, .cell_output')
            .forEach(e => e.remove());
        return (a.textContent.match(/.{0,40}\\$.{0,40}/g) || []);
    }""")
    assert not stray, (
        f"dollar signs left unrendered (math MyST did not parse): {stray[:3]}"
    )

    # Widgets: rendered from the saved state by the locally served widget
    # manager (those with a static version, the shared block `explore`,
    # show that instead; test_static_widgets checks them).
    state = (
        nb["metadata"]
        .get("widgets", {})
        .get("application/vnd.jupyter.widget-state+json", {})
        .get("state", {})
    )
    live_only = any(
        "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        and "text/html" not in o.get("data", {})
        for c in code_cells(nb)
        for o in c.get("outputs", [])
    )
    if state and live_only:
        page.wait_for_selector(".jupyter-widgets", timeout=15000)
        n_widgets = page.locator(".jupyter-widgets").count()
        assert n_widgets > 0, "widgets did not render from the saved state"
    page.close()


# Elements wider than their box: `scroll` lists those that neither fit nor
# scroll sideways (overflow-x auto/scroll on them or an ancestor within 3).
OVERFLOW_JS = """([sel, mustFit]) => [...document.querySelectorAll(sel)]
  .filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 1)
  .filter(e => {
    if (mustFit) return true;
    for (let el = e, k = 0; el && k < 4; el = el.parentElement, k++) {
      const o = getComputedStyle(el).overflowX;
      if (o === "auto" || o === "scroll") return false;
    }
    return true;
  })
  .map(e => (e.innerText || "").split("\\n")[0].slice(0, 60))"""


def sidebar_shown(page):
    return page.evaluate("""() => {
        const s = document.querySelector('.bd-sidebar-primary');
        const r = s.getBoundingClientRect();
        return getComputedStyle(s).visibility !== 'hidden' && r.right > 10;
    }""")


@pytest.mark.parametrize("width", VIEWPORTS)
@pytest.mark.parametrize("nb_path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_layout(server, browser, nb_path, width):
    """Navigation works and nothing is cut off, on a laptop and a phone."""
    w, h = VIEWPORTS[width]
    nb = load(nb_path)
    page, errors, _ = open_page(
        browser, f"{server}/notebooks/{nb_path.stem}.html", size=(w, h)
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{nb_path.stem}-{width}px.png"))
    assert not errors, f"JavaScript errors: {errors}"

    # Navigation: the home link is in the header; the sidebar button opens
    # the chapter list on a phone and folds it away on a laptop.
    home = page.locator("a.book-home-link")
    assert home.count() == 1 and home.is_visible(), "no home link in header"
    assert home.get_attribute("href").endswith("intro.html")
    shown = sidebar_shown(page)
    assert shown == (w >= 1200), f"sidebar shown={shown} at {w} px on load"
    page.locator("button.primary-toggle").first.click()
    page.wait_for_timeout(400)
    assert sidebar_shown(page) != shown, "the sidebar button did nothing"

    # Nothing cut off. Every code line is within ruff's line length
    # (tests/test_lint.py, %%writefile cells included), and such code must
    # fit at 1280 px; outputs, equations and tables may scroll sideways,
    # and on a phone code may too.
    longest = max(
        (len(s) for c in code_cells(nb) for s in source(c).splitlines()),
        default=0,
    )
    assert longest <= LINE_LENGTH, f"a code line of {longest} characters"
    must_fit = w >= 1200
    cut = {
        "code": page.evaluate(OVERFLOW_JS, ["div.cell_input pre", must_fit]),
        "output": page.evaluate(OVERFLOW_JS, ["div.cell_output pre", False]),
        "equation": page.evaluate(
            OVERFLOW_JS, ['mjx-container[display="true"]', False]
        ),
        "table": page.evaluate(OVERFLOW_JS, ["article table", False]),
    }
    cut = {k: v for k, v in cut.items() if v}
    assert not cut, f"wider than their box at {w} px: {cut}"
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= w + 1, f"the page is {page_width} px wide at {w} px"

    # Widget controls stay on the screen (they wrap on a phone).
    off = page.evaluate(
        """(w) => [...document.querySelectorAll(
        '.jupyter-widgets .widget-slider, .jupyter-widgets select,'
        + ' .jupyter-widgets button, .jupyter-widgets input,'
        + ' .static-widget select, .static-widget input')]
        .filter(e => e.offsetParent)
        .filter(e => e.getBoundingClientRect().right > w + 1).length""",
        w,
    )
    assert not off, f"{off} widget controls run off a {w} px screen"

    # Exercises look like exercises: every solution is folded. A prose
    # solution is a <details> box, framed and set apart (book.css); a code
    # one is its answer cell, folded by hide-input. One of each opens.
    exs = make_student.exercises(nb, nb_path.name)
    n_prose = sum(ex["kind"] == "prose" for ex in exs)
    n_code = len(exs) - n_prose
    sols = page.locator("article details:not([class])")
    assert sols.count() == n_prose, (
        f"{sols.count()} folded prose solutions, expected {n_prose}"
    )
    looks = page.evaluate(
        """() => [...document.querySelectorAll(
        'article details:not([class])')].map(d => [
        d.querySelector('summary').textContent.trim(), d.open,
        parseFloat(getComputedStyle(d).borderLeftWidth)])"""
    )
    bad = [x for x in looks if x[0] != "Solution" or x[1] or x[2] < 3]
    assert not bad, f"solutions not folded and framed: {bad}"
    answers = page.locator("article div.cell.tag_hide-input").filter(
        has_text=make_student.BEGIN_SOLUTION
    )
    assert answers.count() == n_code, (
        f"{answers.count()} folded answer cells, expected {n_code}"
    )
    folded = answers.evaluate_all(
        "cs => cs.map(c => c.querySelector('details.hide')"
        " && !c.querySelector('details.hide').open)"
    )
    assert all(folded), f"answer cells not folded: {folded}"
    # labelled and framed like the prose solutions (tools/page_fixes.py)
    looks = answers.evaluate_all(
        """cs => cs.map(c => c.querySelector('details.hide')).map(d => [
        d.querySelector('summary').innerText.trim(),
        parseFloat(getComputedStyle(d).borderLeftWidth)])"""
    )
    bad = [x for x in looks if x[0] != "Solution (code)" or x[1] < 3]
    assert not bad, f"code solutions not labelled and framed: {bad}"
    # (clicked from script: on a phone the opened sidebar covers the page)
    boxes = [sols.first] if n_prose else []
    boxes.append(answers.first.locator("details.hide"))
    for box in boxes:
        box.evaluate("d => d.querySelector('summary').click()")
        assert box.evaluate("d => d.open"), "a solution did not open"
    page.close()


def uses_explore(nb):
    return any(EXPLORE_BEGIN in source(c) for c in code_cells(nb))


EXPLORE_CHAPTERS = [p for p in CHAPTERS if uses_explore(load(p))]


def frame_of(widget):
    """What the static widget shows now: its images and printed text."""
    return widget.evaluate("""w => [
        [...w.querySelectorAll('.sw-frame img')].map(i => i.src).join(),
        [...w.querySelectorAll('.sw-frame pre')].map(p => p.textContent)
            .join()]""")


@pytest.mark.parametrize("width", VIEWPORTS)
@pytest.mark.parametrize(
    "nb_path", EXPLORE_CHAPTERS, ids=[p.stem for p in EXPLORE_CHAPTERS]
)
def test_static_widgets(server, browser, nb_path, width):
    """Each Explore widget works without a kernel: every control is
    labelled, the page says which values are available, and moving any
    control changes what is shown; no JavaScript error."""
    w, h = VIEWPORTS[width]
    nb = load(nb_path)
    n_static = sum(
        "static-widget" in "".join(o.get("data", {}).get("text/html", ""))
        for c in code_cells(nb)
        for o in c.get("outputs", [])
    )
    page, errors, _ = open_page(
        browser, f"{server}/notebooks/{nb_path.stem}.html", size=(w, h)
    )
    widgets = page.locator("div.cell_output .static-widget")
    assert n_static > 0 and widgets.count() == n_static, (
        f"{widgets.count()} static widgets on the page, {n_static} in "
        "the notebook"
    )
    for k in range(n_static):
        widget = widgets.nth(k)
        widget.scroll_into_view_if_needed()
        note = widget.locator(".sw-note").inner_text()
        assert "Without a kernel" in note, note
        controls = widget.locator("select, input[type=range]")
        assert controls.count() > 0, "a static widget without controls"
        imgs = widget.locator(".sw-frame img")
        assert imgs.count() > 0, "a static widget shows no figure"
        for j in range(controls.count()):
            ctl = controls.nth(j)
            label = ctl.get_attribute("aria-label") or ""
            assert label.strip(), "a static widget control has no label"
            assert label in note, f"the note lists no values of {label!r}"
            assert ctl.is_visible(), f"control {label!r} is hidden"
            box = ctl.bounding_box()
            assert box["x"] + box["width"] <= w + 1, (
                f"control {label!r} runs off a {w} px screen"
            )
            n_values = int(
                ctl.evaluate(
                    "e => e.tagName === 'SELECT' ? e.options.length"
                    " : Number(e.max) + 1"
                )
            )
            before = frame_of(widget)
            old = ctl.input_value()
            new = str((int(old) + 1) % n_values)
            if ctl.evaluate("e => e.tagName") == "SELECT":
                ctl.select_option(new)
            else:
                ctl.fill(new)
            assert ctl.input_value() == new
            after = frame_of(widget)
            assert after != before, (
                f"moving {label!r} from value {old} to {new} changed nothing"
            )
            alts = widget.locator(".sw-frame img").evaluate_all(
                "els => els.map(e => e.alt)"
            )
            assert all(len(a) > 20 for a in alts), alts
    assert not errors, f"JavaScript errors: {errors}"
    page.screenshot(
        path=str(ARTIFACTS / f"{nb_path.stem}-widgets-{width}px.png"),
        full_page=False,
    )
    page.close()


# Alt text that names a file or a hash instead of saying what is shown.
NOT_MEANINGFUL = re.compile(
    r"^\s*$|\.(png|jpe?g|svg|gif)\s*$|^[0-9a-f]{16,}$|^[\w./-]*/[\w.-]+$",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    "nb_path",
    CHAPTERS,
    ids=[p.stem for p in CHAPTERS],
)
def test_images_have_alt_text(server, browser, nb_path):
    """No image on a chapter page lacks alt text that says what it shows
    (empty, a file name, a path or a hash fail)."""
    page, errors, _ = open_page(
        browser, f"{server}/notebooks/{nb_path.stem}.html"
    )
    alts = page.eval_on_selector_all(
        "article img",
        "els => els.map(e => [e.getAttribute('alt'), e.src.slice(0, 60)])",
    )
    bad = [(alt, src) for alt, src in alts if NOT_MEANINGFUL.search(alt or "")]
    assert alts, "no images on the page"
    assert not bad, (
        f"{len(bad)} of {len(alts)} images lack alt text: {bad[:3]}"
    )
    page.close()
