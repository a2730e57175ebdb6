"""Sphinx extension (local_extensions in _config.yml): fixes to every page.

- Each script is included once. sphinx-thebe registers its inline config
  (`const THEBE_JS_URL = ...`) on every `env-before-read-docs`, which
  Jupyter Book fires more than once, so without this every page logs
  "Identifier 'THEBE_JS_URL' has already been declared".
- A code exercise's answer cell (hide-input, with `### BEGIN SOLUTION`)
  is folded as "Solution (code)" and framed like the prose solutions
  (book.css, `.exercise-answer`), instead of myst-nb's generic "Show code
  cell source".
- The notebooks' zip (tools/downloads.py) is written into the site when the
  build finishes, so the home page's download link always works.
"""

import re

import downloads

_CELL = '<div class="cell tag_hide-input docutils container">'
_SHOW = ">Show code cell source</p>"
_HIDE = ">Hide code cell source</p>"
_NEXT_CELL = re.compile(r'<div class="cell[ "]')


def _key(js):
    # a Sphinx _JavaScript (an inline script: filename None or "") or a str
    name = getattr(js, "filename", js) or ""
    attrs = getattr(js, "attributes", {}) or {}
    return str(name), tuple(sorted((k, str(v)) for k, v in attrs.items()))


def dedupe_scripts(app, pagename, templatename, context, doctree):
    seen, kept = set(), []
    for js in context.get("script_files", []):
        if _key(js) not in seen:
            seen.add(_key(js))
            kept.append(js)
    context["script_files"] = kept


def label_answers(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if not body or _CELL not in body:
        return
    parts = body.split(_CELL)
    for k in range(1, len(parts)):
        nxt = _NEXT_CELL.search(parts[k])
        cell = parts[k][: nxt.start()] if nxt else parts[k]
        if "### BEGIN SOLUTION" not in cell:
            parts[k] = _CELL + parts[k]
            continue
        head = cell.replace(_SHOW, ">Solution (code)</p>", 1)
        head = head.replace(_HIDE, ">Hide the solution</p>", 1)
        parts[k] = (
            _CELL.replace("tag_hide-input", "tag_hide-input exercise-answer")
            + head
            + parts[k][len(cell) :]
        )
    context["body"] = "".join(parts)


def write_downloads(app, exception):
    if exception is None and app.builder.format == "html":
        downloads.write_zip(app.outdir)


def setup(app):
    app.connect("html-page-context", dedupe_scripts, priority=900)
    app.connect("html-page-context", label_answers)
    app.connect("build-finished", write_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
