#!/usr/bin/env bash
# Requested vs measured wall time of `opal` under --time-limit for each family, measured
# from process start (file loading included), printed as a markdown table. Each run is a
# long job that only the limit ends (tolerances 0, huge iteration limits). Needs the
# release binary and ../shared/data (a9a, NCVXBQP1.SIF); the inputs it generates go to
# target/time-limits.
#
#   bash bench/scripts/time_limits.sh          # 5 s
#   LIMITS="5 30" bash bench/scripts/time_limits.sh
set -uo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$REPO"
SHARED="${OPAL_SHARED:-$REPO/../shared}/data"
LIMITS="${LIMITS:-5}"
OPAL="$REPO/target/release/opal"
DIR="$REPO/target/time-limits"
mkdir -p "$DIR"
[ -x "$OPAL" ] || cargo build --release --workspace --bin opal
[ -f "$DIR/cover.mps" ] || "$OPAL" generate setcover:elements=3000,sets=1500 -o "$DIR/cover.mps" >/dev/null
[ -f "$DIR/lowrank.mtx" ] || "$OPAL" generate completion:m=6000,n=6000,rank=30 -o "$DIR/lowrank.mtx" >/dev/null

# family|arguments (before --time-limit)
CASES="
nlp (ipm, SIF)|solve $SHARED/sif/NCVXBQP1.SIF --param N=100000 --json
mip (balans)|solve $DIR/cover.mps --json --quiet
mip (highs)|solve $DIR/cover.mps --solver highs --json --quiet
mip (parbalans, 2 threads)|solve $DIR/cover.mps --threads 2 --json --quiet
relu (fista)|relu train $SHARED/libsvm/a9a --solver fista --tol 1e-300 --max-iter 100000000 --json
completion|complete $DIR/lowrank.mtx --rank 30 --max-iter 1000000 --tol 0 --json
calibration|calibrate --n 512 --m 256 --p 32 --max-iterations 1000000000 --tol-residual 0 --tol-step 0 --json
"

echo "| family | requested (s) | measured (s) | over by | status |"
echo "|---|---:|---:|---:|---|"
for limit in $LIMITS; do
    echo "$CASES" | while IFS='|' read -r family args; do
        [ -n "$family" ] || continue
        start=$(date +%s.%N)
        # shellcheck disable=SC2086 # the arguments are words
        out=$("$OPAL" $args --time-limit "$limit" 2>/dev/null)
        end=$(date +%s.%N)
        status=$(echo "$out" | grep -oE '"status": ?"[a-z_]+"' | head -1 | grep -oE '"[a-z_]+"$' | tr -d '"')
        awk -v f="$family" -v l="$limit" -v s="$start" -v e="$end" -v st="${status:-?}" \
            'BEGIN { w = e - s; printf "| %s | %s | %.2f | %+.2f | %s |\n", f, l, w, w - l, st }'
    done
done
