#!/usr/bin/env bash
# Installs the Python anchors of the benchmark harness into a venv at target/anchors-venv:
# opal's Python bindings (built against the repository's own target dir, so HiGHS is not
# compiled a second time), scipy, scikit-learn, and the Python Balans 2.2.0 over SCIP
# (pyscipopt wheels ship SCIP). Optional tooling for bench/python/anchors.py; CI does not
# run it, and the core tests do not need it.
#
#   bash bench/scripts/install_anchors.sh            # core anchors
#   ANCHORS_HEAVY=1 bash bench/scripts/install_anchors.sh   # also fancyimpute, cvxpy
#
# Then: target/anchors-venv/bin/python bench/python/anchors.py
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="${ANCHORS_VENV:-$REPO/target/anchors-venv}"
PY="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip)
"${PIP[@]}" install --quiet --upgrade pip

# opal itself: reuse the repository's target dir (HiGHS already built there by cargo).
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}" "${PIP[@]}" install "$REPO/python"

# The anchors. Each is optional: a failure is reported and the rest go on.
want() {
    echo "install_anchors: pip install $*" >&2
    if ! "${PIP[@]}" install --quiet "$@"; then
        echo "install_anchors: could not install $* (anchors.py will mark its rows not_installed)" >&2
    fi
}
want scipy
want scikit-learn
want pyscipopt
want "balans==2.2.0"
if [ "${ANCHORS_HEAVY:-0}" = 1 ]; then
    want cvxpy
    want fancyimpute
    want pyscnn
fi
"$VENV/bin/python" - <<'PY'
import importlib
for m in ["opal", "scipy", "sklearn", "pyscipopt", "balans", "cvxpy", "fancyimpute"]:
    try:
        mod = importlib.import_module(m)
        print(f"  {m:12s} {getattr(mod, '__version__', 'installed')}")
    except Exception as e:  # noqa: BLE001 - report whatever went wrong
        print(f"  {m:12s} missing ({type(e).__name__})")
PY
