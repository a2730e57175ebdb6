#!/usr/bin/env bash
# The whole test suite (`make test`; .ci/run runs the same):
#   1. the browser the book check uses (Debian's chromium, installed once),
#   2. the web book built from the committed outputs (-W: any warning fails the build),
#   3. pytest: nbval over every chapter notebook (outputs compared: text exactly,
#      numbers within the tolerances cells declare; tests/nbval_tolerance.py), the
#      structure tests, and the headless-browser check of the built pages.
# With notebook paths as arguments (`make test NB="notebooks/10_edm.ipynb ..."`) it runs
# only those chapters' notebook checks: no book build, no browser.
# The environment passes through to the kernels (e.g. ATEN_CPU_CAPABILITY=default).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
unset MPLBACKEND  # an inherited Agg backend makes inline plots vanish
# Notebooks run on the CPU in the ci profile, two at a time (--dist loadscope: one
# notebook per worker, and a chapter's copy tests, one class in tests/test_student.py,
# on one worker next to them; test functions stay together by file).
export BOOK_PROFILE=ci CUDA_VISIBLE_DEVICES=""  # BOOK_QUIET=1: set by tests/nbval_tolerance.py
NBVAL=(--nbval --nbval-current-env --nbval-cell-timeout=600
       --nbval-sanitize-with tests/nbval_sanitize.cfg)

pytest_rc() {  # pytest's exit status, with "collected nothing" (5) as a failure
  set +e
  python -m pytest -n 2 --dist loadscope "$@"
  local rc=$?
  set -e
  if [ $rc -eq 5 ]; then echo "pytest collected no tests: that is a failure"; return 1; fi
  return $rc
}

if [ $# -gt 0 ]; then
  for nb in "$@"; do [ -f "$nb" ] || { echo "no such notebook: $nb"; exit 2; }; done
  echo "== notebook checks: $* (ATEN_CPU_CAPABILITY=${ATEN_CPU_CAPABILITY:-native})"
  if [ -n "${NOTEBOOK_CHECKS_ONLY:-}" ]; then  # set by tools/run_cpu_variants.sh
    pytest_rc "${NBVAL[@]}" "$@"
    exit $?
  fi
  # and the chapters' copy tests (tests/test_student.py), next to them
  stems=$(for nb in "$@"; do basename "$nb" .ipynb; done | paste -sd'|' | sed 's/|/ or /g')
  pytest_rc "${NBVAL[@]}" "$@" tests/test_student.py -k "$stems"
  exit $?
fi

bash tools/install_chromium.sh

echo "== building the book"
bash tools/fetch_web_assets.sh
start=$(date +%s)
jupyter-book build . -W -n --keep-going --quiet
echo "book built in $(( $(date +%s) - start )) s"

echo "== pytest"
pytest_rc "${NBVAL[@]}" --durations=20 notebooks tests
