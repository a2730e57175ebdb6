#!/usr/bin/env bash
# Debian's chromium, once: the browser check (make test) and the PDF
# (make pdf) print and read the built pages with it.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing chromium (Debian package) for the browser check and the PDF"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
