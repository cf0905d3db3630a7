#!/usr/bin/env bash
# Regenerates bench/RESULTS.md and its plots from scratch with one command: the harness on
# every default suite (opal's solvers, plain HiGHS, and IPOPT when libipopt is installed),
# then the Python anchors (scipy trust-constr/SLSQP, the Python Balans over SCIP; with
# ANCHORS_HEAVY=1 also fancyimpute's SoftImpute on completion and CVXPY (SCS, Clarabel) and
# scnn on relu) in their own venv, then the
# report. Without ANCHORS_HEAVY=1 the stored SoftImpute and relu anchor rows are kept. About 15 minutes on 2 cores. Optional tooling: CI runs only the
# harness's quick mode (bench/tests/harness_quick.rs).
#
#   bash bench/scripts/regenerate_results.sh            # everything
#   SKIP_PYTHON_ANCHORS=1 bash bench/scripts/regenerate_results.sh   # harness only
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$REPO"
cargo build --release -p opal-bench --bin harness
target/release/harness --no-progress
if [ "${SKIP_PYTHON_ANCHORS:-0}" != 1 ]; then
    bash bench/scripts/install_anchors.sh
    target/anchors-venv/bin/python bench/python/anchors.py cutest-paper cutest-eq logreg pde miplib
    if [ "${ANCHORS_HEAVY:-0}" = 1 ]; then
        target/anchors-venv/bin/python bench/python/anchors.py completion relu
    fi
fi
target/release/harness report
echo "regenerate_results: wrote bench/RESULTS.md"
