# Test totals read from the runners' own logs; sourced by .ci/test and tested by
# .ci/tests/test_totals.py. Logs are read as bytes (grep -a) after NUL bytes are dropped:
# a test may print anything, and grep treats a file holding a NUL as binary ("Binary file
# matches") unless told otherwise.

# cargo_count LOG WORD: sum of "N WORD" over cargo's "test result:" lines (WORD passed|failed).
cargo_count() {
  tr -d '\000' <"$1" | grep -a -E '^test result:' | grep -a -oE "[0-9]+ $2" |
    awk '{s += $1} END {print s + 0}'
}

# pytest_count LOG WORD: "N WORD" on pytest's final summary line (WORD passed|failed|errors;
# "errors" also counts a single "error").
pytest_count() {
  local line
  line=$(tr -d '\000' <"$1" | grep -a -E '([0-9]+ (passed|failed|errors?|skipped|deselected|xfailed|xpassed|warnings?)(, )?)+ in [0-9.]+s' | tail -n 1)
  case "$2" in
    errors) printf '%s\n' "$line" | grep -a -oE '[0-9]+ errors?' | grep -a -oE '[0-9]+' | awk '{s += $1} END {print s + 0}' ;;
    *) printf '%s\n' "$line" | grep -a -oE "[0-9]+ $2" | grep -a -oE '[0-9]+' | awk '{s += $1} END {print s + 0}' ;;
  esac
}
