#!/bin/sh
# Test accuracy of the convex ReLU network (opal, ReLU program, default solver) against a
# two-layer ReLU network of the same width trained by Adam (relu_baselines.py), on the same
# training rows. Usage: relu_accuracy.sh PY OUT  (runs the sets listed below)
PY=$1; OUT=$2
B=$(dirname "$0")/../../target/release/relu_bench
S=$(dirname "$0")
L=/work/shared/data/libsvm
run() { # name train test rows patterns
  dir=/tmp/relu_acc/$1; mkdir -p $dir
  $B export $2 --subsample $4 --patterns $5 --seed 0 --out $dir > /dev/null
  opal=$($B solve $2 --subsample $4 --patterns $5 --seed 0 --variant relu --tol 1e-6 --test $3)
  width=$(echo "$opal" | $PY -c "import json,sys; print(json.load(sys.stdin)['width'])")
  adam=$($PY $S/relu_baselines.py $dir --adam $width --test $3)
  echo "{\"data\":\"$1\",\"rows\":$4,\"P\":$5,\"opal\":$opal,\"adam\":$adam}" >> $OUT
}
run breast_cancer_sklearn /tmp/relu2/breast_cancer /tmp/relu2/breast_cancer.t 455 50
run a9a $L/a9a $L/a9a.t 1000 30
run w8a $L/w8a $L/w8a.t 1000 30
