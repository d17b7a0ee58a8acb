# lib.sh — helpers sourced by the end-to-end tests (tests/e2e/*.sh).
# Each test runs from the repository root with RETRYSIM set; it fails by
# exiting non-zero, after printing what it expected and what it saw.
set -u
: "${RETRYSIM:?RETRYSIM must name the retrysim binary}"
fail() { echo "FAIL: $*" >&2; exit 1; }
ok()   { echo "ok: $*"; }
# expect_status WANT CMD...: runs CMD, fails unless it exits WANT.
expect_status() {
  local want=$1; shift
  "$@" > "$TMPDIR/out" 2> "$TMPDIR/err"; local got=$?
  [ "$got" -eq "$want" ] || { cat "$TMPDIR/out" "$TMPDIR/err" >&2; fail "'$*' exited $got, want $want"; }
}
# csv_get FILE KEYCOL KEYVAL COL: value of column COL (by header name) in the first row whose KEYCOL equals KEYVAL
csv_get() {
  awk -F, -v kc="$2" -v kv="$3" -v c="$4" 'NR==1{for(i=1;i<=NF;i++){h[$i]=i}; next} $h[kc]==kv{print $h[c]; exit}' "$1"
}
# fcmp A OP B: floating-point comparison with awk (OP one of < <= > >= ==)
fcmp() { awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN{ r = (op=="<")?a<b:(op=="<=")?a<=b:(op==">")?a>b:(op==">=")?a>=b:(a==b); exit !r }'; }
# ci FILE POLICY METRIC [FIELD]: a field (default mean) of summary-ci.csv for a policy and metric
ci() {
  awk -F, -v p="$2" -v m="$3" -v f="${4:-mean}" '
    { gsub(/"/, "") }
    NR==1 { for (i=1;i<=NF;i++) h[$i]=i; next }
    $h["policy"]==p && $h["metric"]==m { print $h[f]; found=1; exit }
    END { if (!found) exit 1 }' "$1" || fail "no $3 for policy $2 in $1"
}
# assert_cmp A OP B MESSAGE
assert_cmp() { fcmp "$1" "$2" "$3" || fail "$4 (got $1 $2 $3 false)"; ok "$4 ($1 $2 $3)"; }
# wait_for TIMEOUT_S CMD...: polls CMD (every 0.1 s) until it succeeds; returns 1
# if it still fails after TIMEOUT_S seconds. For waiting on another process's
# observable state (a file's first row, a line it printed), never a fixed sleep.
wait_for() {
  local t=$1; shift
  local end=$(( ${EPOCHREALTIME//[!0-9]/} + t * 1000000 ))
  until "$@"; do
    [ "${EPOCHREALTIME//[!0-9]/}" -lt "$end" ] || return 1
    sleep 0.1
  done
}
# has_rows FILE N: FILE exists and has at least N lines after its header
has_rows() { [ -f "$1" ] && [ "$(($(wc -l < "$1") - 1))" -ge "$2" ]; }
# now_s: wall-clock seconds (for bounds measured by a test, not waited on)
now_s() { local t=${EPOCHREALTIME//[!0-9]/}; echo "$((t / 1000000)).$(printf '%06d' $((t % 1000000)))"; }
# csv_shape FILE: fails unless FILE's header and every row have the same
# number of fields (python3's csv module: quoted commas are one field);
# prints the number of rows.
csv_shape() {
  python3 - "$1" <<'PY' || fail "$1: a row's field count differs from the header's"
import csv, sys
with open(sys.argv[1], newline='') as f:
    r = csv.reader(f)
    n = len(next(r))
    rows = 0
    for k, row in enumerate(r, 2):
        if len(row) != n:
            sys.exit(f'{sys.argv[1]}:{k}: {len(row)} fields, header {n}')
        rows += 1
print(rows)
PY
}
# csv_no_empty FILE [COLUMN...]: fails if a row of FILE has an empty field
# outside the named columns; prints the number of rows.
csv_no_empty() {
  python3 - "$@" <<'PY' || fail "$1: empty fields"
import csv, sys
with open(sys.argv[1], newline='') as f:
    r = csv.reader(f)
    h = next(r)
    allowed = set(sys.argv[2:])
    rows = 0
    for k, row in enumerate(r, 2):
        bad = [h[i] for i, v in enumerate(row) if v == '' and h[i] not in allowed]
        if bad:
            sys.exit(f'{sys.argv[1]}:{k}: empty {", ".join(bad)}')
        rows += 1
print(rows)
PY
}
# csv_column FILE NAME: the 1-based index of column NAME in FILE's header (empty if none)
csv_column() { head -1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }
