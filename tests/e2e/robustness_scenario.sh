# robustness_scenario.sh — the scenario and CSV rows of docs/robustness.md's
# table of bad inputs: each is refused with exit 2, one located message line,
# nothing written under --out, and in bounded time (the big inputs print
# their timings; the bounds are loose sanity checks, not benchmarks).
# ROBUST_SOFT=1 reports every failing row instead of stopping at the first.
. tests/e2e/lib.sh
[ "${ROBUST_SOFT:-}" = 1 ] && fail() { echo "FAIL: $*" >&2; }
W=$TMPDIR/w; mkdir -p "$W"; cd "$W" || fail "no work dir"
BASE='scenario: t
duration: 10m
providers:
  - name: primary
workload: { clients: 2, think: 1s }
policies:
  - name: p
'
base() { printf '%s%s' "$BASE" "$1" > "$2"; }
n=0
# bad ID FRAGMENT [--slow SECONDS] VERB ARGS...: exit 2, stderr one line
# containing FRAGMENT, no file under the run's --out, within the time bound
bad() {
  local id=$1 frag=$2 bound=20; shift 2
  [ "$1" = --slow ] && { bound=$2; shift 2; }
  local verb=$1; shift
  local out=$TMPDIR/out-$id extra=()
  case "$verb" in run|sweep) extra=(--quiet --out "$out");; esac
  local t0; t0=$(date +%s.%N)
  expect_status 2 timeout 120 "$RETRYSIM" "$verb" "$@" "${extra[@]}"
  local dt; dt=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  [ "$(wc -l < "$TMPDIR/err")" -eq 1 ] || { cat "$TMPDIR/err"; fail "#$id: want exactly one message line"; }
  grep -qF -- "$frag" "$TMPDIR/err" || fail "#$id: stderr '$(cat "$TMPDIR/err")', want '$frag'"
  [ -z "$(ls -A "$out" 2>/dev/null)" ] || fail "#$id: files left in --out: $(ls -A "$out")"
  fcmp "$dt" "<" "$bound" || fail "#$id: took $dt s (bound $bound s)"
  n=$((n + 1))
  ok "#$id ${dt}s: $(cut -c1-150 "$TMPDIR/err")"
}
# good ID FILE: accepted (exit 0)
good() { expect_status 0 "$RETRYSIM" validate "$2"; n=$((n + 1)); ok "#$1 accepted: $(cat "$TMPDIR/out")"; }

# --- YAML
base '' ok.yaml
printf 'scenario: t\nduration: 1m\n  providers: x\n' > s1.yaml
bad 1 "s1.yaml:3:12: YAML syntax error: mapping values are not allowed" run s1.yaml
printf 'scenario: t\nproviders: [a, b\n' > s2.yaml
bad 2 "s2.yaml:3:1: YAML syntax error" run s2.yaml
printf 'scenario: t\n\tduration: 1m\n' > s3.yaml
bad 3 "s3.yaml:2:1: YAML syntax error: found a tab character that violates indentation" run s3.yaml
base 'bucket: [1s]
' s4.yaml
bad 4 "s4.yaml:8:9: expected a positive duration like 250ms for 'bucket', got a list" run s4.yaml
sed 's/clients: 2/clients: many/' ok.yaml > s5.yaml
bad 5 "s5.yaml:5:22: expected an integer for 'clients', got 'many'" run s5.yaml
sed 's/clients: 2/clients: 99999999999999999999/' ok.yaml > s6.yaml
bad 6 "s6.yaml:5:22: expected an integer for 'clients', got '99999999999999999999'" run s6.yaml
sed 's/clients: 2/clients: 20000000/' ok.yaml > s7.yaml
bad 7 "s7.yaml:5:22: value for 'clients' must be between 1 and 10000000, got '20000000'" run s7.yaml
sed 's/duration: 10m/duration: -5s/' ok.yaml > s8.yaml
bad 8 "s8.yaml:2:11: duration for 'duration' must not be negative or huge, got '-5s'" run s8.yaml
sed 's/duration: 10m/duration: 1e30s/' ok.yaml > s9.yaml
bad 9 "s9.yaml:2:11: duration for 'duration' must not be negative or huge, got '1e30s'" run s9.yaml
sed 's/  - name: primary/  - { name: primary, error_rate: nan }/' ok.yaml > s10.yaml
bad 10 "s10.yaml:4:34: expected a number for 'error_rate', got 'nan'" run s10.yaml
sed 's/  - name: primary/  - { name: primary, latency_factor: inf }/' ok.yaml > s11.yaml
bad 11 "s11.yaml:4:38: expected a number for 'latency_factor', got 'inf'" run s11.yaml
python3 -c "print('a: ' + '[' * 200000)" > s12.yaml
bad 12 "s12.yaml:1:68: nesting deeper than 64 levels" --slow 2 run s12.yaml
python3 -c "print('a: ' + '{x: ' * 200000)" > s13.yaml
bad 13 "s13.yaml:1:257: nesting deeper than 64 levels" --slow 2 run s13.yaml
python3 - > s14.yaml <<'PY'
print('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]')
for i in range(1, 10):
    p, c = chr(96 + i), chr(97 + i)
    print(f'{c}: &{c} [' + ','.join(['*' + p] * 9) + ']')
PY
bad 14 "s14.yaml:5:8: aliases expand to more than 10000 nodes (an alias bomb?)" --slow 2 run s14.yaml
printf 'a: &x [*x]\n' > s15.yaml
bad 15 "s15.yaml:1:4: nesting deeper than 64 levels: alias '*x' is inside its own anchor (a recursive alias)" run s15.yaml
base 'bucket: *nope
' s16.yaml
bad 16 "s16.yaml:8:9: YAML syntax error: found undefined alias '*nope'" run s16.yaml
base 'duration: 5m
' s17.yaml
bad 17 "s17.yaml:8:1: duplicate key 'duration' (first written at line 2)" run s17.yaml
base '---
scenario: u
' s18.yaml
bad 18 "s18.yaml:9:1: only one YAML document is allowed per file" run s18.yaml
printf '\xef\xbb\xbf' > s19.yaml; cat ok.yaml >> s19.yaml
good 19 s19.yaml
sed 's/$/\r/' ok.yaml > s20.yaml
good 20 s20.yaml
sed 's/duration: 10m/duration: 10m\xff/' ok.yaml > s21.yaml
bad 21 "s21.yaml:2:14: not valid text: invalid leading UTF-8 octet (byte 0xFF)" run s21.yaml
sed 's/duration: 10m/duration: 1\x01m/' ok.yaml > s22.yaml
bad 22 "s22.yaml:2:12: not valid text: control characters are not allowed (U+0001)" run s22.yaml
printf 'scenario: t\nduration: 1\0m\n' > s23.yaml
bad 23 "s23.yaml:2:12: not valid text: control characters are not allowed (U+0000)" run s23.yaml
mkdir -p adir
bad 24 "adir: cannot read: it is a directory" run adir
bad 25 "/dev/zero: cannot read: not a regular file (a device)" run /dev/zero
mkfifo fifo
bad 26 "fifo: cannot read: not a regular file (a FIFO)" --slow 5 run fifo
bad 27 "missing.yaml: cannot open: No such file or directory" run missing.yaml
cp ok.yaml locked.yaml; chmod 000 locked.yaml
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
  chmod 755 "$TMPDIR" "$W"   # the unprivileged user must reach the file, not read it
  expect_status 2 setpriv --reuid=65534 --regid=65534 --clear-groups "$RETRYSIM" validate "$W/locked.yaml"
  grep -qF "locked.yaml: cannot open: Permission denied" "$TMPDIR/err" || fail "#28: $(cat "$TMPDIR/err")"
  n=$((n + 1)); ok "#28 $(cat "$TMPDIR/err")"
elif [ "$(id -u)" != 0 ]; then
  bad 28 "locked.yaml: cannot open: Permission denied" run locked.yaml
else ok "#28 skipped: root without setpriv"; fi
: > s29.yaml
bad 29 "s29.yaml:1:1: the file is empty" run s29.yaml
{ cat ok.yaml; head -c 17000000 /dev/zero | tr '\0' '#'; } > s30.yaml
bad 30 "s30.yaml: larger than 16 MiB (the limit of a YAML input)" run s30.yaml
base 'bucket: "1
  minute"
' s31.yaml
bad 31 "s31.yaml:8:9: expected a positive duration like 250ms for 'bucket', got '1 minute'" run s31.yaml
base 'bucket: "1\nminute"
' s32.yaml
bad 32 "s32.yaml:8:9: expected a positive duration like 250ms for 'bucket', got '1\nminute'" run s32.yaml

# --- CSV inputs
base 'timeline_csv: /dev/zero
' c1.yaml
bad 33 "c1.yaml:8:15: cannot read '/dev/zero': not a regular file (a device)" --slow 5 run c1.yaml
base 'timeline_csv: adir
' c2.yaml
bad 34 "c2.yaml:8:15: cannot read 'adir': it is a directory" run c2.yaml
base 'timeline_csv: fifo
' c3.yaml
bad 35 "c3.yaml:8:15: cannot read 'fifo': not a regular file (a FIFO)" --slow 5 run c3.yaml
base 'timeline_csv: nope.csv
' c4.yaml
bad 36 "c4.yaml:8:15: cannot open 'nope.csv': No such file or directory" run c4.yaml
: > empty.csv
base 'timeline_csv: empty.csv
' c5.yaml
bad 37 "c5.yaml:8:15: empty.csv: empty file (expected the header at,for,provider,key,value, then one change per row)" run c5.yaml
printf 'scenario: t\nduration: 1m\nproviders: [{name: a}]\npolicies: [{name: p}]\nworkload: { loop: trace, arrivals_csv: empty.csv }\n' > c6.yaml
bad 38 "c6.yaml:5:40: empty.csv: empty file (expected a header naming the columns: at, and any of class, prompt_tokens, output_tokens, deadline, stream; then one arrival per row)" run c6.yaml
base 'network: { latency: empirical(empty.csv) }
' c7.yaml
bad 39 "c7.yaml:8:21: bad distribution for 'latency': empty.csv: empty file (expected one value per row, after an optional header)" run c7.yaml
bad 40 "empty.csv: empty file (expected a header of override keys, then one row per point)" sweep ok.yaml --grid-file empty.csv
printf 'at,for,provider,key,value\n1m,,pri\0mary,rpm,100\n' > nul.csv
base 'timeline_csv: nul.csv
' c9.yaml
bad 41 "nul.csv:2:8: a NUL byte (a CSV input is text; is this a CSV file?)" run c9.yaml
printf 'v\n100\0junk\n' > nul2.csv
base 'network: { latency: empirical(nul2.csv) }
' c10.yaml
bad 42 "nul2.csv:2:4: a NUL byte" run c10.yaml
printf 'at,for,provider,key,value\n1m,,primary,rpm,100\n2m,,primary,rpm,lots\n' > badrow.csv
base 'timeline_csv: badrow.csv
' c11.yaml
bad 43 "badrow.csv:3:17: expected a number for 'rpm', got 'lots'" run c11.yaml
printf 'at,class\n0.5,x,extra\n' > wide.csv
printf 'scenario: t\nduration: 1m\nproviders: [{name: a}]\npolicies: [{name: p}]\nworkload: { loop: trace, arrivals_csv: wide.csv, classes: [{name: x}] }\n' > c12.yaml
bad 44 "wide.csv:2:1: expected 2 cells, got 3" run c12.yaml
python3 -c "print(','.join(['x'] * 3000))" > wider.csv
base 'timeline_csv: wider.csv
' c13.yaml
bad 45 "wider.csv:1:2049: more than 1024 cells in a row (the limit of a CSV input)" run c13.yaml
printf 'at,for,provider,key,value\n1m,,primary,"rp\nm",100\n' > qnl.csv
base 'timeline_csv: qnl.csv
' c14.yaml
bad 46 "qnl.csv:2:13: unknown key 'rp\nm' in the trace row set" run c14.yaml
printf 'at,for,provider,key,value\n"1m,,primary,rpm,100\n' > quote.csv
base 'timeline_csv: quote.csv
' c15.yaml
bad 47 "quote.csv:3:1: malformed CSV" run c15.yaml
printf 'at,for,provider,key,value\n1e30s,,primary,rpm,100\n' > over.csv
base 'timeline_csv: over.csv
' c16.yaml
bad 48 "over.csv:2:1: duration for 'at' must not be negative or huge, got '1e30s'" run c16.yaml
printf 'at\n1s\n3s\n2s\n' > order.csv
printf 'scenario: t\nduration: 1m\nproviders: [{name: a}]\npolicies: [{name: p}]\nworkload: { loop: trace, arrivals_csv: order.csv }\n' > c17.yaml
bad 49 "order.csv:4:1: arrivals must be sorted by time: 2s comes after 3s (line 3)" run c17.yaml
base 'timeline_csv: /etc/passwd
' c18.yaml
bad 50 "/etc/passwd:1:1: the first row is not a header of at,for,provider,key,value (is this a timeline CSV file?)" run c18.yaml
grep -q root "$TMPDIR/err" && fail "#50 quoted the file"
bad 51 "/etc/passwd:1:1: the first row is not a header of override keys (is this a grid CSV file?)" sweep ok.yaml --grid-file /etc/passwd
bad 52 "cannot read '/dev/zero': not a regular file (a device)" --slow 5 sweep ok.yaml --grid-file /dev/zero
base 'network: { latency: empirical(/etc/passwd) }
' c21.yaml
bad 61 "/etc/passwd:2:1: expected a non-negative duration (250ms, or seconds) (is this a file of values, one per row?)" run c21.yaml
grep -q daemon "$TMPDIR/err" && fail "#61 quoted the file"
printf 'scenario: t\nduration: 1m\nproviders: [{name: a}]\npolicies: [{name: p}]\nworkload: { loop: trace, arrivals_csv: /etc/passwd }\n' > c22.yaml
bad 62 "/etc/passwd:1:1: the first row is not a header naming an 'at' column (is this an arrivals CSV file?)" run c22.yaml
{ printf 'at\n'; yes 0.5 | head -n 10000001; } > rows.csv
printf 'scenario: t\nduration: 1m\nproviders: [{name: a}]\npolicies: [{name: p}]\nworkload: { loop: trace, arrivals_csv: rows.csv }\n' > c19.yaml
bad 53 "rows.csv:10000001:1: more than 10000000 rows (the limit of a CSV input)" --slow 60 run c19.yaml
{ printf 'at\n'; yes "1$(printf '%100s' '')" | head -c 280000000; } > huge.csv
printf 'scenario: t\nduration: 1m\nproviders: [{name: a}]\npolicies: [{name: p}]\nworkload: { loop: trace, arrivals_csv: huge.csv }\n' > c20.yaml
bad 54 "the file is larger than 256 MiB (the limit of a CSV input)" --slow 60 run c20.yaml
rm -f huge.csv rows.csv

# --- derived sizes
bad 55 "override 'bucket=1ns': 4294967297 time-series buckets of 1ns in a run of 4.29497s: at most 1000000" \
  run ok.yaml --set duration=4294967297ns --set bucket=1ns
bad 56 "override 'bucket=1us': 60000000 time-series buckets of 1us in a run of 1m: at most 1000000" \
  run ok.yaml --set duration=1m --set bucket=1us
bad 57 "override 'replications=100001': value for 'replications' must be between 1 and 100000" run ok.yaml --set replications=100001
{ printf 'scenario: t\nduration: 1m\nworkload: { clients: 1 }\npolicies: [{name: p}]\nproviders:\n'
  for i in $(seq 300); do echo "  - name: p$i"; done; } > z1.yaml
bad 58 "z1.yaml:6:3: 'providers' has 300 entries: at most 256" run z1.yaml
printf 'scenario: t\nduration: 100h\nbucket: 1s\nworkload: { clients: 1 }\npolicies: [{name: p}]\nproviders: [{name: a}, {name: b}, {name: c}, {name: d}, {name: e}, {name: f}, {name: g}, {name: h}, {name: i}, {name: j}, {name: k}, {name: l}]\n' > z2.yaml
bad 59 "z2.yaml:3:9: 360000 buckets x 12 providers = 4320000 time-series cells: at most 4000000" run z2.yaml
printf 'scenario: t\nduration: 1m\nreplications: 100000\nworkload: { clients: 1 }\nproviders: [{name: a}]\npolicies: [{name: p}, {name: q}, {name: r}, {name: s}, {name: t}, {name: u}, {name: v}, {name: w}, {name: x}, {name: y}, {name: z}]\n' > z3.yaml
bad 60 "z3.yaml:3:15: 11 policies x 100000 replications = 1100000 runs: at most 1000000" run z3.yaml
ok "$n rows of docs/robustness.md checked"
