"""Sphinx extension: the ``results-table`` directive of book/results.md.

One table, chapter by chapter: each quantity of the chapter's RESULTS, its
ci value (read from the committed outputs), the paper's value
(book/results_paper.yml) and the last GPU run's (book/results_gpu.json);
tools/results.py reads them all. Loaded through `sphinx: local_extensions`
in _config.yml. The page is rebuilt whenever one of those files changes.
"""

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

import results

COLUMNS = [
    ("chapter", 3),
    ("quantity", 3),
    ("ci", 2),
    ("paper (source)", 4),
    ("GPU (device, date)", 4),
]


def _entry(*children):
    entry = nodes.entry()
    entry += nodes.paragraph("", "", *children)
    return entry


class ResultsTable(SphinxDirective):
    """```{results-table}``` : the table, from the files of the repository."""

    def run(self):
        root = results.ROOT
        for path in [
            *results.chapter_notebooks(root),
            root / results.PAPER_FILE,
            root / results.GPU_FILE,
        ]:
            self.env.note_dependency(str(path))  # missing: read every build
        table = nodes.table(classes=["results-table"])
        group = nodes.tgroup(cols=len(COLUMNS))
        table += group
        for _, width in COLUMNS:
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        head += nodes.row("", *(_entry(nodes.Text(c)) for c, _ in COLUMNS))
        body = nodes.tbody()
        group += [head, body]
        shown = None
        for stem, *cells in results.table_rows(root):
            first = _entry(self._chapter(stem)) if stem != shown else _entry()
            shown = stem
            body += nodes.row(
                "", first, *(_entry(nodes.Text(c)) for c in cells)
            )
        return [table]

    def _chapter(self, stem):
        """A link to the chapter, its title as the text."""
        docname = f"notebooks/{stem}"
        if docname not in self.env.found_docs:
            return nodes.Text(stem)
        ref = addnodes.pending_xref(
            "",
            refdomain="std",
            reftype="doc",
            reftarget=f"/{docname}",
            refexplicit=False,
            refwarn=True,
            refdoc=self.env.docname,
        )
        ref += nodes.inline("", stem)
        return ref


def setup(app):
    app.add_directive("results-table", ResultsTable)
    return {
        "version": "1",
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
