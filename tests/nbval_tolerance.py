"""nbval with declared tolerances: a pytest plugin (loaded by conftest.py).

nbval compares a cell's new outputs with the committed ones character by
character, so a trained result printed as 0.011 on one CPU and 0.012 on
another fails. This plugin replaces nbval's comparison with one that is
exact everywhere except for decimal numbers in cells that declare a
tolerance in their metadata (see `output_compare.py` and CONTRIBUTING.md).
Everything else stays exact: which outputs a cell makes, their order, every
line of text, every integer, every number in a cell with no tolerance. A
number that moves beyond its tolerance fails, with the line, both values and
the tolerance in the report.

At the end of a run it prints how much of its tolerance each number that
moved used, so a tolerance that is nearly used up shows before it fails.
"""

import os
from collections import defaultdict

import nbval.plugin as nbval

from output_compare import check_tolerance, compare_text

_moved = []  # (cell id, line, committed, new, fraction of tolerance used)


def _flatten(item, outputs, skip):
    """nbval's view of outputs: one list of sanitized values per key."""
    flat = defaultdict(list)
    for out in nbval.transform_streams_for_comparison(outputs):
        for key, value in out.items():
            if key in skip:
                continue
            if key == "data":
                for mime, data in value.items():
                    if mime not in skip:
                        flat[mime].append(item.sanitize(data))
            else:
                flat[key].append(item.sanitize(value))
    return flat


def compare_outputs(self, test, ref, skip_compare=None):
    """Replacement for nbval's IPyNbCell.compare_outputs (same contract)."""
    skip = skip_compare or self.parent.skip_compare
    self.comparison_traceback = problems = []
    spec = self.cell.metadata.get("tolerance")
    if spec is not None:
        try:
            check_tolerance(spec)
        except ValueError as e:
            problems.append(f"bad tolerance in cell metadata: {e}")
            return False
    new, old = _flatten(self, test, skip), _flatten(self, ref, skip)
    if set(new) != set(old):
        problems.append(
            f"output kinds differ: committed {sorted(old)}, new {sorted(new)}"
        )
        return False
    for key in old:
        if len(old[key]) != len(new[key]):
            problems.append(
                f"{key}: {len(new[key])} outputs where "
                f"{len(old[key])} were committed"
            )
            continue
        for a, b in zip(old[key], new[key]):
            if a == b:
                continue
            if not (isinstance(a, str) and isinstance(b, str)):
                problems.append(f"{key}: output changed")
                self.format_output_compare(key, a, b)
                continue
            found, within = compare_text(a, b, spec)
            problems += [f"{key}: {p}" for p in found]
            for line, x, y, used in within:
                self.user_properties.append(
                    ("moved_within_tolerance", (line, x, y, used))
                )
    return not problems


nbval.IPyNbCell.compare_outputs = compare_outputs


def pytest_configure(config):
    # The kernels nbval starts inherit this: no progress bars (the chapters'
    # shared `progress` block), as in every run of the book's own tools.
    os.environ.setdefault("BOOK_QUIET", "1")


def pytest_runtest_logreport(report):
    # Runs in the controller too under xdist: user_properties travel back.
    if report.when != "call":
        return
    for name, value in report.user_properties:
        if name == "moved_within_tolerance":
            _moved.append((report.nodeid, *value))


def pytest_terminal_summary(terminalreporter):
    if not _moved:
        return
    terminalreporter.section("numbers that moved within their tolerance")
    for nodeid, line, x, y, used in sorted(_moved, key=lambda m: -m[4]):
        terminalreporter.write_line(
            f"{used:4.0%} of tolerance  {x} -> {y}  {nodeid}: {line[:60]}"
        )
