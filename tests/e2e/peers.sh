#!/usr/bin/env bash
# peers.sh — end-to-end test of bench/peers: the bench model in SimPy
# (simpy_model.py) and as plain C on the engine (bare_model.c) agree with
# `retrysim bench model` (requests, attempts, success rate within 2%, as
# compare.py requires before it prints a ratio); the bare model is
# deterministic and rejects bad arguments with exit 2. No timing is checked
# (speed belongs to `make bench-peers`).
source tests/e2e/lib.sh
BARE="$(dirname "$RETRYSIM")/bench-bare-model"
[ -x "$BARE" ] || fail "$BARE is not built (make tests builds it)"

expect_status 0 "$BARE" 1000 60 1
a=$(cat "$TMPDIR/out")
expect_status 0 "$BARE" 1000 60 1
[ "$(cut -d' ' -f1-5 <<< "$a")" = "$(cut -d' ' -f1-5 "$TMPDIR/out")" ] || fail "bare model: same seed, other counts"
expect_status 0 "$BARE" 1000 60 2
[ "$(cut -d' ' -f3,4 <<< "$a")" != "$(cut -d' ' -f3,4 "$TMPDIR/out")" ] || fail "bare model: the seed changes nothing"
ok "bare model: deterministic per seed ($(cut -d' ' -f3,4 <<< "$a"))"

for bad in "0" "-5 60" "1000 0" "1000 -1"; do
  # shellcheck disable=SC2086
  expect_status 2 "$BARE" $bad
done
expect_status 2 "$BARE"
ok "bare model: bad arguments exit 2"

# the three models agree (compare.py exits 1 when any count is off by > 2%)
/usr/bin/python3 -c 'import SimPy' 2> /dev/null || fail "python3-simpy is missing (scripts/deps.sh installs it)"
expect_status 0 /usr/bin/python3 bench/peers/compare.py "$RETRYSIM" --bare "$BARE" --reps 2 --sizes 1000
grep -q "retrysim is .*x SimPy" "$TMPDIR/out" && grep -q "bare C is .*x SimPy" "$TMPDIR/out" \
  || fail "compare.py printed no ratios: $(cat "$TMPDIR/out")"
ok "retrysim, SimPy and the bare model agree within 2% at 1k clients"

# and the check can fail: a peer whose attempts are 30% short
printf '#!/bin/sh\necho "$1 $2 36600 59000 0.69 0.001"\n' > "$TMPDIR/off"
chmod +x "$TMPDIR/off"
expect_status 1 /usr/bin/python3 bench/peers/compare.py "$RETRYSIM" --bare "$TMPDIR/off" --reps 1 --sizes 1000
grep -q "bare C and SimPy: attempts differ by more than 2%" "$TMPDIR/err" || fail "no disagreement reported: $(cat "$TMPDIR/err")"
grep -q "bare C is" "$TMPDIR/out" && fail "a ratio was printed for models that disagree"
ok "compare.py fails a model that disagrees"
