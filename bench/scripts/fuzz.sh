#!/usr/bin/env bash
# Runs opal's cargo-fuzz targets one after the other, niced, each for a number of
# executions or seconds, with seed corpora made now from ../shared/data (never committed:
# they live under target/fuzz-corpus), and prints a markdown table of executions, exec/s,
# coverage (libFuzzer's `cov:`) and crashes. Needs the nightly toolchain and cargo-fuzz
# (`cargo +nightly install cargo-fuzz`). The targets' checks also run in ordinary
# `cargo test` (the tests/fuzz_checks.rs files), which is what CI covers.
#
#   bash bench/scripts/fuzz.sh                      # every target, 10^6 runs or 600 s each
#   RUNS=10000 SECONDS_EACH=60 bash bench/scripts/fuzz.sh sif_decode spec
#
# Targets (fuzz crate, target, seed kind, max input length):
#   sif_decode sif_evaluate (cutest/fuzz), libsvm matrix_market spec (problems/fuzz),
#   mps lp balans_config (solvers/io/fuzz), qp_ipm (solvers/nlp/fuzz),
#   mip_small (solvers/mip/fuzz).
# A crash leaves its input in <crate>/fuzz/artifacts/<target>/ (not committed); replay it
# with `cargo +nightly fuzz run --fuzz-dir <crate>/fuzz <target> <file>`.
set -uo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$REPO"
SHARED="${OPAL_SHARED:-$REPO/../shared}/data"
RUNS="${RUNS:-1000000}"
SECONDS_EACH="${SECONDS_EACH:-600}"
SELECT="$*"
CORPORA="$REPO/target/fuzz-corpus"
LOGS="$REPO/target/fuzz-logs"
export CARGO_TARGET_DIR="$REPO/target/fuzz"
mkdir -p "$CORPORA" "$LOGS"

# name|fuzz dir|cargo-fuzz target|seed kind|max_len
TARGETS="
sif_decode|cutest/fuzz|decode|sif|20000
sif_evaluate|cutest/fuzz|evaluate|sif|20000
libsvm|problems/fuzz|libsvm|libsvm|8192
matrix_market|problems/fuzz|matrix_market|mtx|8192
spec|problems/fuzz|spec|spec|256
mps|solvers/io/fuzz|mps|mps|16384
lp|solvers/io/fuzz|lp|lp|16384
balans_config|solvers/io/fuzz|balans_config|json|4096
qp_ipm|solvers/nlp/fuzz|qp_ipm|none|512
mip_small|solvers/mip/fuzz|mip_small|none|512
"

# Copies at most $3 files of $1 no larger than $2 bytes into corpus dir $4 (heads of
# larger files are left out: libFuzzer's max_len would cut them anyway).
small_files() {
    local n=0
    for f in $1; do
        [ -f "$f" ] || continue
        [ "$(stat -c %s "$f")" -le "$2" ] || continue
        cp "$f" "$4/"
        n=$((n + 1))
        [ "$n" -ge "$3" ] && break
    done
}

seed_corpus() { # kind dir
    local kind=$1 dir=$2
    mkdir -p "$dir"
    case $kind in
    sif)
        cp cutest/fuzz/seeds/* cutest/tests/data/*.SIF "$dir/"
        small_files "$SHARED/sif/*.SIF" 6000 200 "$dir"
        ;;
    libsvm)
        for f in "$SHARED"/libsvm/*_scale; do head -c 4000 "$f" >"$dir/$(basename "$f")"; done
        ;;
    mtx)
        printf '%%%%MatrixMarket matrix coordinate real general\n3 2 3\n1 1 1.5\n3 2 -2\n2 1 4e1\n' >"$dir/coord.mtx"
        printf '%%%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n1 1 1\n2 1 3\n' >"$dir/sym.mtx"
        printf '%%%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n' >"$dir/array.mtx"
        printf 'user,item,rating\n1,1,5\n2,3,4.5\n' >"$dir/triplets.csv"
        ;;
    spec)
        for s in pde:N=3 pde knapsack:items=6,dims=2,seed=4 setcover:elements=8,sets=5,density=0.4 \
            indset:nodes=7,edge_prob=0.3 completion:m=6,n=5,rank=2; do
            printf '%s' "$s" >"$dir/$(echo "$s" | tr ':=,' '___')"
        done
        ;;
    mps) small_files "$SHARED/mps/highs-check/*.mps $SHARED/mps/miplib/*.mps" 16384 80 "$dir" ;;
    lp)
        small_files "$SHARED/mps/highs-check/*.lp" 16384 40 "$dir"
        for f in "$SHARED"/mps/distributional/*.lp; do head -c 16000 "$f" >"$dir/$(basename "$f")"; done
        ;;
    json)
        echo '{}' >"$dir/empty.json"
        echo '{"sub_mip_time_limit": 6, "bandit": {"policy": "uniform"}}' >"$dir/bandit.json"
        echo '{"operators": [{"kind": "mutation", "rate": 0.3}]}' >"$dir/ops.json"
        ;;
    none) ;;
    esac
}

echo "| target | executions | exec/s | cov | crashes | seconds |"
echo "|---|---:|---:|---:|---|---:|"
echo "$TARGETS" | while IFS='|' read -r name dir target kind maxlen; do
    [ -n "$name" ] || continue
    if [ -n "${SELECT:-}" ] && ! [[ " $SELECT " == *" $name "* ]]; then continue; fi
    corpus="$CORPORA/$name"
    [ -d "$corpus" ] || seed_corpus "$kind" "$corpus"
    log="$LOGS/$name.log"
    start=$(date +%s)
    nice -n 10 cargo +nightly fuzz run --sanitizer none --fuzz-dir "$dir" "$target" "$corpus" -- \
        -runs="$RUNS" -max_total_time="$SECONDS_EACH" -max_len="$maxlen" -timeout=20 \
        -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1
    rc=$?
    secs=$(($(date +%s) - start))
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    rate=$(grep -E '^stat::average_exec_per_sec' "$log" | awk '{print $2}')
    cov=$(echo "$last" | grep -oE 'cov: [0-9]+' | awk '{print $2}')
    crash="none"
    if [ "$rc" -ne 0 ]; then
        crash="exit $rc: $(grep -m1 -E 'panicked|ERROR: libFuzzer|SUMMARY' "$log" | cut -c1-80) (log $log)"
    fi
    echo "| $name | ${execs:-?} | ${rate:-?} | ${cov:-?} | $crash | $secs |"
done
