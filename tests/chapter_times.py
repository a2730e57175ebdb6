"""Print how long each chapter notebook took under nbval (the ci profile's
budget is 90 s)."""

import collections

_seconds = collections.defaultdict(float)
_copies = collections.defaultdict(float)  # tests/test_student.py, by chapter


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _seconds[path] += report.duration
    elif "::TestCopies_" in report.nodeid:
        name = report.nodeid.split("::TestCopies_")[1].split("::")[0]
        _copies[name] += report.duration


def pytest_terminal_summary(terminalreporter):
    if not _seconds and not _copies:
        return
    if _seconds:
        terminalreporter.section(
            "chapter run times (nbval, ci profile; budget 90 s each)"
        )
    for path, s in sorted(_seconds.items()):
        flag = "  OVER BUDGET" if s > 90 else ""
        terminalreporter.write_line(f"{s:6.1f} s  {path}{flag}")
    if _copies:
        terminalreporter.section(
            "copy tests per chapter (tests/test_student.py: the student "
            "copy's run and the exercises' checks)"
        )
        for name, s in sorted(_copies.items()):
            terminalreporter.write_line(f"{s:6.1f} s  {name}")
