#!/bin/sh
# Test accuracy of the convex ReLU network (opal, ReLU program, default solver, bias column)
# against a two-layer ReLU network of the same width trained by Adam (relu_baselines.py:
# full batch, squared loss + weight decay lam/2, the same X with its ones column), on the
# same training rows. The a9a / w8a training subsets are seeded random draws
# (relu_subsample.py), not the files' first rows (w8a's head is 26% positive, 3% overall);
# breast_cancer is scikit-learn's (relu_sklearn_data.py).
# Usage: relu_accuracy.sh PY OUT LIBSVM_DIR [WORK_DIR] (data written to WORK_DIR, a new
# temporary directory by default; RELU_BENCH overrides target/release/relu_bench).
set -e
PY=$1; OUT=$2; L=$3; W=${4:-$(mktemp -d)}
S=$(dirname "$0")
B=${RELU_BENCH:-$S/../../target/release/relu_bench}
if ! $PY -c "import sklearn" 2>/dev/null; then
  echo "SKIPPED relu_accuracy.sh: the optional Python package 'sklearn' is not installed"
  exit 0
fi
run() { # name train test patterns features
  dir=$W/$1; mkdir -p $dir
  $B export $2 --patterns $4 --seed 0 --bias --features $5 --out $dir > /dev/null
  opal=$($B solve $2 --patterns $4 --seed 0 --bias --features $5 --variant relu --tol 1e-6 --test $3)
  width=$(echo "$opal" | $PY -c "import json,sys; print(json.load(sys.stdin)['width'])")
  adam=$($PY $S/relu_baselines.py $dir --adam $width --test $3)
  echo "{\"data\":\"$1\",\"P\":$4,\"opal\":$opal,\"adam\":$adam}" >> $OUT
}
mkdir -p $W/sklearn
$PY $S/relu_sklearn_data.py $W/sklearn
$PY $S/relu_subsample.py $L/a9a 2000 0 $W/a9a_2000
$PY $S/relu_subsample.py $L/w8a 2000 0 $W/w8a_2000
run breast_cancer_sklearn $W/sklearn/breast_cancer $W/sklearn/breast_cancer.t 50 30
run a9a $W/a9a_2000 $L/a9a.t 30 123
run w8a $W/w8a_2000 $L/w8a.t 20 300
