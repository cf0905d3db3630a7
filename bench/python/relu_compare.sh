#!/bin/sh
# Gated program on every small LIBSVM set: opal ADMM/FISTA vs CVXPY (SCS, Clarabel) and scnn,
# same data and gates (exported by relu_bench). Usage: relu_compare.sh PY LIBSVM_DIR P OUT
PY=$1; L=$2; P=$3; OUT=$4
B=$(dirname "$0")/../../target/release/relu_bench
S=$(dirname "$0")
for f in heart_scale sonar_scale ionosphere_scale breast-cancer_scale australian_scale diabetes_scale german.numer_scale splice_scale; do
  dir=/tmp/relu_cmp/$f; $B export $L/$f --patterns $P --seed 0 --out $dir > /dev/null
  ref=$($PY $S/relu_cvxpy.py $dir --solver CLARABEL 2>/dev/null)
  scs=$($PY $S/relu_cvxpy.py $dir --solver SCS --eps 1e-6 2>/dev/null)
  scnn=$(OMP_NUM_THREADS=1 $PY $S/relu_baselines.py $dir --scnn gated 2>/dev/null)
  target=$(echo "$scs" | $PY -c "import json,sys; print(json.load(sys.stdin)['objective'])")
  admm=$($B trace $L/$f --patterns $P --seed 0 --solver admm --tol 1e-9 --target $target)
  fista=$($B trace $L/$f --patterns $P --seed 0 --solver fista --tol 1e-9 --target $target)
  echo "{\"data\":\"$f\",\"ref\":$ref,\"scs\":$scs,\"scnn\":$scnn,\"admm\":$admm,\"fista\":$fista}" >> $OUT
done
