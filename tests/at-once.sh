# Sourced by the tests of one run at a time per tree (quick-report.sh,
# configure-recovers.sh), which define fail.
# at_once WHAT LOG_A LOG_B COMMAND [ARG...]: starts COMMAND twice at once, each writing
# to its log; fails unless both end well and exactly one said that it waited for the
# other, in the line scripts/lock prints, with the pid it waited for.
at_once() {
  local what=$1 log_a=$2 log_b=$3 a b status=0 waited
  shift 3
  "$@" > "$log_a" 2>&1 & a=$!
  "$@" > "$log_b" 2>&1 & b=$!
  wait $a || status=1
  wait $b || status=$((status + 2))
  [ $status = 0 ] || { cat "$log_a" "$log_b" >&2; fail "of two $what at once, $status failed (1: the first, 2: the second, 3: both)"; }
  waited=$(cat "$log_a" "$log_b" \
    | grep -c '^flowreport: another run (pid [0-9][0-9]*: .*) is working in .*; waiting for it to end$' || true)
  [ "$waited" = 1 ] || { cat "$log_a" "$log_b" >&2; fail "of two $what at once, $waited said that they waited for the other (expected 1)"; }
}
