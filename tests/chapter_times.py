"""Print how long each chapter notebook took under nbval (the ci profile's
budget is 90 s)."""

import collections

_seconds = collections.defaultdict(float)


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _seconds[path] += report.duration


def pytest_terminal_summary(terminalreporter):
    if not _seconds:
        return
    terminalreporter.section(
        "chapter run times (nbval, ci profile; budget 90 s each)"
    )
    for path, s in sorted(_seconds.items()):
        flag = "  OVER BUDGET" if s > 90 else ""
        terminalreporter.write_line(f"{s:6.1f} s  {path}{flag}")
