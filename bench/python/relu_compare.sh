#!/bin/sh
# Gated program on every small LIBSVM set: opal ADMM/FISTA vs CVXPY (SCS, Clarabel) and scnn,
# same data and gates (exported by relu_bench).
# Usage: relu_compare.sh PY LIBSVM_DIR P OUT [WORK_DIR] (exported data in WORK_DIR, a new
# temporary directory by default; RELU_BENCH overrides target/release/relu_bench).
set -e
PY=$1; L=$2; P=$3; OUT=$4; W=${5:-$(mktemp -d)}
S=$(dirname "$0")
B=${RELU_BENCH:-$S/../../target/release/relu_bench}
for pkg in cvxpy scnn; do
  $PY -c "import $pkg" 2>/dev/null || echo "SKIPPED parts of relu_compare.sh: the optional Python package '$pkg' is not installed"
done
for f in heart_scale sonar_scale ionosphere_scale breast-cancer_scale australian_scale diabetes_scale german.numer_scale splice_scale; do
  dir=$W/$f; $B export $L/$f --patterns $P --seed 0 --out $dir > /dev/null
  ref=$($PY $S/relu_cvxpy.py $dir --solver CLARABEL 2>/dev/null | tail -n 1)
  scs=$($PY $S/relu_cvxpy.py $dir --solver SCS --eps 1e-6 2>/dev/null | tail -n 1)
  scnn=$(OMP_NUM_THREADS=1 $PY $S/relu_baselines.py $dir --scnn gated 2>/dev/null | tail -n 1)
  # Without SCS's objective there is no target: the traces run to their own tolerance.
  target=$(echo "$scs" | $PY -c "import json,sys
try: print(json.load(sys.stdin)['objective'])
except Exception: print('-inf')")
  admm=$($B trace $L/$f --patterns $P --seed 0 --solver admm --tol 1e-9 --target=$target)
  fista=$($B trace $L/$f --patterns $P --seed 0 --solver fista --tol 1e-9 --target=$target)
  q() { case "$1" in \{*) echo "$1";; *) echo "\"$1\"";; esac; }
  echo "{\"data\":\"$f\",\"ref\":$(q "$ref"),\"scs\":$(q "$scs"),\"scnn\":$(q "$scnn"),\"admm\":$admm,\"fista\":$fista}" >> $OUT
done
