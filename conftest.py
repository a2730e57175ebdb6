"""The suite's pytest plugins; they live in tests/ (pytest.ini puts it on the
path)."""

import pytest

pytest_plugins = ["nbval_tolerance", "chapter_times"]

# tests/fixtures/ holds notebooks the tools are tested on, not chapters.
collect_ignore_glob = ["tests/fixtures/*"]


# tryfirst: xdist's own hook (run in each worker) turns the marks into the
# groups, so they must be set before it runs
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Group the tests for `pytest -n 2 --dist loadgroup` (tools/run_tests.sh):
    a chapter's copy tests (tests/test_student.py, one kernel per chapter)
    form one group, every other file one group (what --dist loadfile did),
    so the copy tests run next to the notebook checks."""
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        group = item.path.name
        params = getattr(getattr(item, "callspec", None), "params", {})
        if group == "test_student.py":
            path = params.get("chapter") or params.get("kernel_run")
            if path is not None:
                group = f"student-{path.stem}"
        item.add_marker(pytest.mark.xdist_group(group))
