"""Sphinx extension (local_extensions in _config.yml): fixes to every page.

- Each script is included once. sphinx-thebe registers its inline config
  (`const THEBE_JS_URL = ...`) on every `env-before-read-docs`, which
  Jupyter Book fires more than once, so without this every page logs
  "Identifier 'THEBE_JS_URL' has already been declared".
- The notebooks' zip (tools/downloads.py) is written into the site when the
  build finishes, so the home page's download link always works.
"""

import downloads


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


def write_downloads(app, exception):
    if exception is None and app.builder.format == "html":
        downloads.write_zip(app.outdir)


def setup(app):
    app.connect("html-page-context", dedupe_scripts, priority=900)
    app.connect("build-finished", write_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
