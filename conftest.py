"""The suite's pytest plugins; they live in tests/ (pytest.ini puts it on the
path)."""

pytest_plugins = ["nbval_tolerance", "chapter_times"]

# tests/fixtures/ holds notebooks the tools are tested on, not chapters.
collect_ignore_glob = ["tests/fixtures/*"]
