#!/usr/bin/env bash
# The whole test suite (`make test`; .ci/run runs the same):
#   1. the browser the book check uses (Debian's chromium, installed once),
#   2. the web book built from the committed outputs (-W: any warning fails the build),
#   3. pytest: nbval over every chapter notebook (strict: outputs compared), the structure
#      tests, and the headless-browser check of the built pages.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
unset MPLBACKEND  # an inherited Agg backend makes inline plots vanish

if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing chromium (Debian package) for the browser check"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

echo "== building the book"
bash tools/fetch_web_assets.sh
start=$(date +%s)
jupyter-book build . -W -n --keep-going --quiet
echo "book built in $(( $(date +%s) - start )) s"

echo "== pytest"
# Notebooks run on the CPU in the ci profile, two at a time (one notebook per worker).
export BOOK_PROFILE=ci CUDA_VISIBLE_DEVICES=""
set +e
python -m pytest -n 2 --dist loadfile \
  --nbval --nbval-current-env --nbval-cell-timeout=600 \
  --nbval-sanitize-with tests/nbval_sanitize.cfg \
  --durations=20 notebooks tests "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then echo "pytest collected no tests: that is a failure"; exit 1; fi
exit $rc
