"""Write the code blocks every chapter shares into every chapter's setup cell.

A shared block is a few lines that all twelve chapters need word for word
(today: `progress`, the tqdm bar on long loops, and `figures`, 2x PNGs).
Its one source is BLOCKS below; in a notebook it sits between its BEGIN and
END lines, right after the setup cell's `DEVICE = ...` line. This script
writes the current text there (inserting it where it is missing);
tests/test_structure.py checks that every chapter holds it unchanged. The
blocks print nothing, so a sync changes no committed output.

An opt-in block (OPT_IN below: today `explore`, the Explore widgets that
also work on the static web page) is written only where a chapter asks for
it: into any code cell holding its BEGIN and END lines (put those two
lines at the top of a cell of Explore, tag the cell `hide-input`, run
`make shared-sync`). Such a cell defines functions and prints nothing.
Usage: python tools/sync_shared.py [--check]        (`make shared-sync`)
"""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]

BLOCKS = {
    "progress": '''\
# A progress bar on long loops when a person runs the notebook. The book's own
# runs (make test, make notebooks, make gpu) set BOOK_QUIET=1: no bar, so the
# committed outputs stay as they are.
from tqdm.auto import tqdm


def progress(iterable, **kw):
    """`iterable` with a tqdm bar (none when BOOK_QUIET=1)."""
    quiet = os.environ.get("BOOK_QUIET") == "1"
    return tqdm(iterable, disable=quiet, **kw)''',
    "figures": """\
# Figures stored at twice their pixel size, so they stay sharp on HiDPI
# screens; pages and notebooks show them at their usual size.
from matplotlib_inline.backend_inline import set_matplotlib_formats

set_matplotlib_formats("retina")""",
}

# Opt-in blocks: synced where a notebook holds their BEGIN line, in any
# code cell; never inserted. Their text is ruff-formatted as it stands.
OPT_IN = {
    "explore": '''\
# explore(fn, controls, grid, alt): an Explore widget that also works on
# the static web page. In Jupyter and Colab it is the live
# ipywidgets.interactive(fn, **controls). Its output also carries a
# text/html version, which the web book shows instead (_config.yml's
# nb_mime_priority_overrides): the same controls over `grid`, a few values
# per control, each frame drawn now and embedded, swapped by a small script.
# The functions import what they use, so the block adds no other names to
# the chapter.

_EXPLORE_JS = """(function () {
  var root = document.currentScript.parentElement;
  var frames = JSON.parse(root.querySelector(".sw-data").textContent);
  var inputs = root.querySelectorAll("[data-sw]");
  function update() {
    var key = [];
    inputs.forEach(function (e) {
      key.push(e.value);
      var o = e.nextElementSibling;
      if (o && o.tagName === "OUTPUT") {
        o.textContent = JSON.parse(e.dataset.sw)[e.value];
      }
    });
    var f = frames[key.join("-")];
    var box = root.querySelector(".sw-frame");
    box.textContent = "";
    f.png.forEach(function (p) {
      var img = document.createElement("img");
      img.src = "data:image/png;base64," + p[0];
      img.width = p[1];
      img.alt = f.alt;
      box.appendChild(img);
    });
    if (f.text) {
      var pre = document.createElement("pre");
      pre.textContent = f.text;
      box.appendChild(pre);
    }
  }
  inputs.forEach(function (e) {
    e.addEventListener("input", update);
  });
  update();
})();"""


def _explore_label(v):
    if isinstance(v, bool):
        return "on" if v else "off"
    return str(v)


def _explore_check(name, c, values):
    """Every grid value is one the control can take."""
    if not isinstance(values, (list, tuple)) or not values:
        raise ValueError(f"grid[{name!r}] must be a non-empty list")
    lo, hi = getattr(c, "min", None), getattr(c, "max", None)
    opts = getattr(c, "options", ())
    opts = [o[1] if isinstance(o, tuple) else o for o in opts]
    for v in values:
        out_of_range = lo is not None and not lo <= v <= hi
        if out_of_range or (opts and v not in opts):
            raise ValueError(
                f"grid[{name!r}] has {v!r}, which the control "
                f"{c.description or name!r} cannot take"
            )


def _explore_frame(fn, kw, alt, dpi):
    """Run fn(**kw): its printed text and its new figures as PNG."""
    import base64
    import contextlib
    import io

    from PIL import Image

    before, out = set(plt.get_fignums()), io.StringIO()
    show, plt.show = plt.show, lambda *a, **k: None
    try:
        with contextlib.redirect_stdout(out):
            fn(**kw)
    except ValueError as e:
        # a combination the function refuses: the page says why
        out.write(f"ValueError: {e}\\n")
    finally:
        plt.show = show
    pngs = []
    for num in sorted(set(plt.get_fignums()) - before):
        fig, buf = plt.figure(num), io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
        plt.close(fig)
        # 256 colours: a third of the bytes, so a grid fits the notebook
        img = Image.open(buf).convert("RGB").quantize(256)
        buf = io.BytesIO()
        img.save(buf, format="png", optimize=True)
        png = base64.b64encode(buf.getvalue()).decode()
        # shown at the notebook's size (figure.dpi), dpi/figure.dpi sharper
        pngs.append([png, round(img.width * fig.dpi / dpi)])
    return dict(png=pngs, text=out.getvalue(), alt=alt.format(**kw))


def _explore_control(c, name, values):
    """A labelled <input type=range> (numbers) or <select> (the rest)."""
    import html
    import json

    label = html.escape(c.description or name)
    labels = [_explore_label(v) for v in values]
    start = values.index(c.value) if c.value in values else 0
    data = html.escape(json.dumps(labels))
    attrs = f"aria-label=\\"{label}\\" data-sw='{data}'"
    numeric = all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
    )
    if numeric:
        ctl = (
            f'<input type="range" min="0" max="{len(values) - 1}" '
            f'step="1" value="{start}" {attrs}><output></output>'
        )
    else:
        options = "".join(
            f'<option value="{i}"{" selected" * (i == start)}>'
            f"{html.escape(s)}</option>"
            for i, s in enumerate(labels)
        )
        ctl = f"<select {attrs}>{options}</select>"
    note = f"{label}: {html.escape(', '.join(labels))}"
    return f"<label>{label} {ctl}</label>", note


def explore(fn, controls, grid, alt, dpi=160):
    """Show fn's widget: live in Jupyter/Colab, over `grid` on the web.

    controls: {argument name: ipywidgets control}; grid: {the same names:
    a few values of that control}; alt: the figure's alt text, a format
    string of the argument names. Returns the live widget.
    """
    import itertools
    import json

    import ipywidgets
    from IPython.display import display

    if not isinstance(controls, dict) or not all(
        isinstance(c, ipywidgets.ValueWidget) for c in controls.values()
    ):
        raise TypeError("controls must be a dict of ipywidgets controls")
    if not isinstance(grid, dict) or set(grid) != set(controls):
        got = sorted(grid) if isinstance(grid, dict) else type(grid)
        raise ValueError(
            f"grid must name the controls {sorted(controls)}, got {got}"
        )
    names = list(controls)
    for k in names:
        _explore_check(k, controls[k], grid[k])
    n_frames = 1
    for k in names:
        n_frames *= len(grid[k])
    if n_frames > 64:
        raise ValueError(f"grid has {n_frames} frames; at most 64 fit")
    live = ipywidgets.interactive(fn, **controls)
    frames = {}
    for idx in itertools.product(*(range(len(grid[k])) for k in names)):
        kw = {k: grid[k][i] for k, i in zip(names, idx)}
        key = "-".join(map(str, idx))
        frames[key] = _explore_frame(fn, kw, alt, dpi)
    rows, notes = zip(
        *(_explore_control(controls[k], k, grid[k]) for k in names)
    )
    data = json.dumps(frames).replace("</", "<\\\\/")
    page = (
        '<div class="static-widget"><p class="sw-note">Without a kernel '
        "this widget shows figures drawn when the notebook ran, for "
        + "; ".join(notes)
        + ". Run the notebook (Jupyter or Colab) for every value.</p>"
        f'<div class="sw-controls">{"".join(rows)}</div>'
        '<div class="sw-frame" aria-live="polite"></div>'
        f'<script type="application/json" class="sw-data">{data}</script>'
        f"<script>{_EXPLORE_JS}</script></div>"
    )
    bundle = live._repr_mimebundle_()
    bundle["text/html"] = page
    display(bundle, raw=True)
    return live''',
}


def begin(name):
    return f"# >>> shared block {name!r}: tools/sync_shared.py writes it"


def end(name):
    return f"# <<< shared block {name!r}"


def block_lines(name):
    # The two blank lines before END are what `ruff format` keeps after a
    # top-level def, so a formatted notebook still holds the block verbatim.
    text = BLOCKS[name] if name in BLOCKS else OPT_IN[name]
    return [begin(name), *text.splitlines(), "", "", end(name)]


def setup_cell(nb):
    """The chapter's setup cell: the code cell that reads BOOK_PROFILE."""
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        reads_profile = 'environ.get("BOOK_PROFILE")' in src
        if cell["cell_type"] == "code" and reads_profile:
            return cell
    raise ValueError("no setup cell (a code cell reading BOOK_PROFILE)")


def replace_block(lines, first, last, new, what):
    """Replace lines from `first` to the next `last` (both included) by
    `new`, in place."""
    i = lines.index(first)
    if last not in lines[i:]:
        raise ValueError(f"{what} has no END line")
    lines[i : lines.index(last, i) + 1] = new


def synced_opt_in(source: str) -> str:
    """Rewrite the opt-in blocks a cell holds; insert none."""
    lines = source.splitlines()
    present = [name for name in OPT_IN if begin(name) in lines]
    for name in present:
        what = f"shared block {name!r}"
        replace_block(lines, begin(name), end(name), block_lines(name), what)
    return "\n".join(lines) if present else source


def synced_source(source: str) -> str:
    lines = source.splitlines()
    for name in BLOCKS:
        if begin(name) in lines:
            what = f"shared block {name!r}"
            replace_block(
                lines, begin(name), end(name), block_lines(name), what
            )
        else:
            at = [k for k, s in enumerate(lines) if s.startswith("DEVICE = ")]
            if not at:
                raise ValueError("setup cell has no `DEVICE = ...` line")
            lines[at[0] + 1 : at[0] + 1] = block_lines(name)
    return "\n".join(lines)


def sync_cells(notebook: pathlib.Path, rewrite, write: bool = True) -> bool:
    """Rewrite code cells' sources with rewrite(nb, cell) -> new source;
    write the notebook if `write`; True if any cell changed."""
    nb = json.loads(notebook.read_text())
    changed = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        old = "".join(cell["source"])
        try:
            new = rewrite(nb, cell, old)
        except ValueError as e:
            raise ValueError(f"{notebook.name}: {e}") from e
        if new != old:
            changed.append((cell, new))
    if changed and write:
        for cell, new in changed:
            cell["source"] = new.splitlines(keepends=True)
        notebook.write_text(
            json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        )
    return bool(changed)


def _rewrite(nb, cell, source):
    new = synced_opt_in(source)
    return synced_source(new) if cell is setup_cell(nb) else new


def sync(notebook: pathlib.Path, write: bool = True) -> bool:
    """Bring the notebook's shared blocks up to date; True if they changed."""
    return sync_cells(notebook, _rewrite, write)


def run(argv, notebooks, sync, what, command):
    """`python tools/X.py [--check]`: sync (or check) every notebook."""
    check = "--check" in argv
    stale = [nb.name for nb in notebooks if sync(nb, write=not check)]
    for name in stale:
        print((f"stale {what} in " if check else "updated ") + name)
    if check and stale:
        sys.exit(f"run `{command}`")


def main(argv):
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    run(argv, notebooks, sync, "shared block", "make shared-sync")


if __name__ == "__main__":
    main(sys.argv[1:])
