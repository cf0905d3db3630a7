#!/bin/sh
# Test accuracy of the convex ReLU network (opal, ReLU program, default solver, bias column)
# against a two-layer ReLU network of the same width trained by Adam (relu_baselines.py:
# full batch, squared loss + weight decay lam/2, the same X with its ones column), on the
# same training rows. The a9a / w8a training subsets are seeded random draws
# (relu_subsample.py), not the files' first rows (w8a's head is 26% positive, 3% overall).
# Usage: relu_accuracy.sh PY OUT
PY=$1; OUT=$2
B=$(dirname "$0")/../../target/release/relu_bench
S=$(dirname "$0")
L=/work/shared/data/libsvm
mkdir -p /tmp/relu_acc
run() { # name train test patterns features
  dir=/tmp/relu_acc/$1; mkdir -p $dir
  $B export $2 --patterns $4 --seed 0 --bias --features $5 --out $dir > /dev/null
  opal=$($B solve $2 --patterns $4 --seed 0 --bias --features $5 --variant relu --tol 1e-6 --test $3)
  width=$(echo "$opal" | $PY -c "import json,sys; print(json.load(sys.stdin)['width'])")
  adam=$($PY $S/relu_baselines.py $dir --adam $width --test $3)
  echo "{\"data\":\"$1\",\"P\":$4,\"opal\":$opal,\"adam\":$adam}" >> $OUT
}
$PY $S/relu_subsample.py $L/a9a 2000 0 /tmp/relu_acc/a9a_2000
$PY $S/relu_subsample.py $L/w8a 2000 0 /tmp/relu_acc/w8a_2000
run breast_cancer_sklearn /tmp/relu2/breast_cancer /tmp/relu2/breast_cancer.t 50 30
run a9a /tmp/relu_acc/a9a_2000 $L/a9a.t 30 123
run w8a /tmp/relu_acc/w8a_2000 $L/w8a.t 20 300
