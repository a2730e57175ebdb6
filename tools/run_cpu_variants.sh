#!/usr/bin/env bash
# `make test-cpus`: the notebook checks, against the committed outputs as they are,
# under the kernels other CPUs would run. PyTorch picks its CPU kernels from the
# machine: ATen's vectorised kernels by ATEN_CPU_CAPABILITY, BLAS (MKL) by
# MKL_ENABLE_INSTRUCTIONS, convolutions (oneDNN) by ONEDNN_MAX_CPU_ISA. Capping them
# makes this machine compute as an older or different CPU would, so outputs committed
# here are checked as the next machine will check them. `make test` covers the native
# setting; .ci/run runs this after it. Arguments: notebook paths (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
VARIANTS=(
  "ATEN_CPU_CAPABILITY=default"                                  # no vector kernels
  "ATEN_CPU_CAPABILITY=avx2"                                     # an AVX2 ATen
  "ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2"  # an AVX2 machine
)
if [ $# -gt 0 ]; then NOTEBOOKS=("$@"); else NOTEBOOKS=(notebooks/[0-9][0-9]_*.ipynb); fi
failed=()
for v in "${VARIANTS[@]}"; do
  echo "== CPU variant: $v"
  start=$(date +%s)
  # the notebooks only: the student copies' tests (make test) check stubs and
  # wrong answers, which no CPU setting changes; the instructor notebooks run
  # every reference solution and hidden test here
  if env $v NOTEBOOK_CHECKS_ONLY=1 bash tools/run_tests.sh "${NOTEBOOKS[@]}"; then
    echo "== passed in $(( $(date +%s) - start )) s: $v"
  else
    echo "== FAILED in $(( $(date +%s) - start )) s: $v"; failed+=("$v")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  printf 'CPU variants that failed:\n'; printf '  %s\n' "${failed[@]}"; exit 1
fi
echo "all ${#VARIANTS[@]} CPU variants passed"
