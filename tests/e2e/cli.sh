#!/usr/bin/env bash
# cli.sh — the command line's conventions (docs/cli.md, "Conventions"), end to
# end: the two stack overflows of the old per-verb parsers (64 --set plus
# --seed/--replications in run, --seed/--replications repeated in sweep) as
# regression tests that run under the sanitizers too; --opt=value; --;
# interleaving; the missing-value, unknown-option and unknown-verb messages
# with their did-you-mean; help VERB; version; every verb's --help (usage,
# exit status, examples); the man page renders without a groff warning; the
# bash completion, driven as bash drives it (with and without the
# bash-completion package's helpers).
source tests/e2e/lib.sh
S=scenarios/provider-outage.yaml
want_err() {  # want_err TEXT: stderr of the last expect_status contains TEXT
  grep -qF -- "$1" "$TMPDIR/err" || { cat "$TMPDIR/err" >&2; fail "stderr lacks '$1'"; }
}

# --- the overflows: 64 --set, then --seed and --replications (each repeated)
sets=()
for i in $(seq 64); do sets+=(--set "workload.clients=$((10 + i))"); done
expect_status 0 "$RETRYSIM" run $S "${sets[@]}" --seed 1 --replications 2 --seed 5 --replications 1 --seed 3 \
  --policy full-jitter --out "$TMPDIR/many" --quiet
expect_status 0 "$RETRYSIM" run $S --set workload.clients=74 --seed 3 --replications 1 --policy full-jitter \
  --out "$TMPDIR/few" --quiet
cmp -s "$TMPDIR/many/summary.csv" "$TMPDIR/few/summary.csv" || fail "64 --set + --seed/--replications: not the last values"
# 300 of them: nothing has a fixed size any more
for i in $(seq 65 300); do sets+=(--set "workload.clients=$((10 + i))"); done
expect_status 0 "$RETRYSIM" run $S "${sets[@]}" --set workload.clients=74 --seed 3 --replications 1 \
  --policy full-jitter --out "$TMPDIR/more" --quiet
cmp -s "$TMPDIR/more/summary.csv" "$TMPDIR/few/summary.csv" || fail "300 --set: not the last value"
# --seed and --replications are overrides in command-line order with --set
expect_status 0 "$RETRYSIM" run $S --seed 3 --set seed=9 --replications 1 --policy full-jitter --out "$TMPDIR/order" --quiet
grep -q '^"provider-outage","full-jitter",0,9,' "$TMPDIR/order/summary.csv" || fail "--seed 3 --set seed=9: seed is not 9"
ok "run: 64 and 300 --set with repeated --seed/--replications, the last one wins, in order"

G=(--grid retry.base=500ms,1s --grid workload.clients=20,40 --grid retry.max_attempts=2,3)
expect_status 0 "$RETRYSIM" sweep $S --seed 1 --replications 2 --seed 2 --replications 3 --seed 4 --replications 1 \
  "${G[@]}" --policy full-jitter --jobs 2 --out "$TMPDIR/sw1" --quiet
expect_status 0 "$RETRYSIM" sweep $S --seed 4 --replications 1 "${G[@]}" --policy full-jitter --jobs 1 \
  --out "$TMPDIR/sw2" --quiet
cmp -s "$TMPDIR/sw1/sweep.csv" "$TMPDIR/sw2/sweep.csv" || fail "sweep: repeated --seed/--replications"
[ "$(tail -n +2 "$TMPDIR/sw1/sweep.csv" | wc -l)" -eq 8 ] || fail "sweep: want 8 runs (2x2x2 points, 1 replication)"
ok "sweep: --seed/--replications repeated with three --grid: the last values, 8 runs"

# --- --opt=value is --opt value; options and arguments interleave; --
expect_status 0 "$RETRYSIM" run --replications=1 --policy=full-jitter $S --out="$TMPDIR/eq" --quiet
expect_status 0 "$RETRYSIM" run --quiet $S --out "$TMPDIR/sp" --replications 1 --policy full-jitter
cmp -s "$TMPDIR/eq/summary.csv" "$TMPDIR/sp/summary.csv" || fail "--opt=value and --opt value differ"
cp scenarios/brownout.yaml "$TMPDIR/-dash.yaml"
( cd "$TMPDIR" && "$RETRYSIM" validate -- -dash.yaml ) > "$TMPDIR/out" 2> "$TMPDIR/err" || fail "validate -- -dash.yaml"
grep -q '^-dash.yaml: ok' "$TMPDIR/out" || fail "-- did not end the options"
( cd "$TMPDIR" && "$RETRYSIM" validate -dash.yaml ) > /dev/null 2>&1 && fail "-dash.yaml without -- was taken as a file"
ok "--opt=value, interleaving, -- ends the options"

# --- usage errors: one line, exit 2
expect_status 2 "$RETRYSIM" run $S --out
want_err "retrysim run: --out needs a value"
expect_status 2 "$RETRYSIM" run $S --seed
want_err "retrysim run: --seed needs a value"
expect_status 2 "$RETRYSIM" run $S --polcy full-jitter
want_err "retrysim run: unknown option '--polcy'; did you mean '--policy'?"
expect_status 2 "$RETRYSIM" run $S --pol full-jitter          # no abbreviations
want_err "retrysim run: unknown option '--pol'; did you mean '--policy'?"
expect_status 2 "$RETRYSIM" run $S --quiet=yes
want_err "retrysim run: --quiet takes no value"
expect_status 2 "$RETRYSIM" run $S --replications 0
want_err "retrysim run: --replications needs an integer in 1..100000, got '0'"
expect_status 2 "$RETRYSIM" sweep $S --jobs=lots
want_err "retrysim sweep: --jobs needs an integer in 1..1024, got 'lots'"
expect_status 2 "$RETRYSIM" plot "$TMPDIR" --format gif
want_err "retrysim plot: --format is png, svg or both, got 'gif'"
expect_status 2 "$RETRYSIM" run
want_err "retrysim run: missing SCENARIO"
expect_status 2 "$RETRYSIM" run $S $S
want_err "retrysim run: one SCENARIO at a time"
expect_status 2 "$RETRYSIM" rn $S
want_err "retrysim: unknown verb 'rn'; did you mean 'run'?"
expect_status 2 "$RETRYSIM" --verison
want_err "retrysim: unknown option '--verison'; did you mean '--version'?"
expect_status 2 "$RETRYSIM" bench engin
want_err "retrysim bench: unknown benchmark 'engin'; did you mean 'engine'?"
expect_status 2 "$RETRYSIM" bench engine --reps 0
want_err "retrysim bench engine: --reps needs an integer in 1..101, got '0'"
expect_status 2 "$RETRYSIM"
ok "missing value, unknown option and verb (did you mean), ranges, counts: exit 2"

# --- help and version
expect_status 0 "$RETRYSIM" help run
cp "$TMPDIR/out" "$TMPDIR/help-run"
expect_status 0 "$RETRYSIM" run --help
cmp -s "$TMPDIR/out" "$TMPDIR/help-run" || fail "help run differs from run --help"
expect_status 0 "$RETRYSIM" run $S --bogus -h                # -h anywhere, even after an error
cmp -s "$TMPDIR/out" "$TMPDIR/help-run" || fail "run S --bogus -h is not run's help"
expect_status 0 "$RETRYSIM" help
cp "$TMPDIR/out" "$TMPDIR/help-top"
expect_status 0 "$RETRYSIM" --help
cmp -s "$TMPDIR/out" "$TMPDIR/help-top" || fail "help differs from --help"
for w in run validate delays sweep tune check plot live mock bench help version -V --version; do
  grep -qF -- "$w" "$TMPDIR/help-top" || fail "--help does not list $w"
done
expect_status 2 "$RETRYSIM" help nosuch
want_err "retrysim help: unknown verb 'nosuch'"
expect_status 2 "$RETRYSIM" help sweeep
want_err "did you mean 'sweep'?"
expect_status 0 "$RETRYSIM" help bench sweep
grep -q "^usage: retrysim bench sweep" "$TMPDIR/out" || fail "help bench sweep"
v=$(make -s --no-print-directory version)   # the one version (policies/pol_version.h)
for a in version -V --version; do
  expect_status 0 "$RETRYSIM" $a
  [ "$(cat "$TMPDIR/out")" = "retrysim $v" ] || fail "$a printed '$(cat "$TMPDIR/out")', want 'retrysim $v'"
done
ok "help VERB = VERB --help, help lists every verb; version, -V, --version: retrysim $v"

for w in run validate delays sweep tune check plot live mock bench "bench engine" "bench model" "bench sweep" help version; do
  for h in --help -h; do
    expect_status 0 "$RETRYSIM" $w $h
    for s in "usage: retrysim $w" "exit status" "example" "--help"; do
      grep -qF -- "$s" "$TMPDIR/out" || fail "'retrysim $w $h' lacks '$s'"
    done
  done
done
expect_status 0 "$RETRYSIM" bench --help
for s in engine model sweep --reps --steps --max-clients --grid --max-jobs --max-size --repeat --mpi; do
  grep -qF -- "$s" "$TMPDIR/out" || fail "bench --help does not describe $s"
done
expect_status 0 "$RETRYSIM" sweep --help
grep -q "testing hooks" "$TMPDIR/out" && grep -q -- "--crash-run" "$TMPDIR/out" || fail "sweep --help: test hooks"
ok "every verb's --help and -h: usage, options, examples, exit status"

# --- the man page renders: no groff warning, every verb has its section
"$RETRYSIM" --man > "$TMPDIR/retrysim.1" || fail "--man"
groff -man -Tutf8 -ww -z "$TMPDIR/retrysim.1" 2> "$TMPDIR/groff.err" || fail "groff failed"
[ ! -s "$TMPDIR/groff.err" ] || { cat "$TMPDIR/groff.err" >&2; fail "groff warnings"; }
MANWIDTH=80 man -l "$TMPDIR/retrysim.1" > "$TMPDIR/man.txt" 2> /dev/null || fail "man -l"
for w in run validate delays sweep tune check plot live mock bench help version; do
  grep -q "^   retrysim $w\$" "$TMPDIR/man.txt" || fail "the man page has no section for $w"
done
grep -q "^EXIT STATUS" "$TMPDIR/man.txt" && grep -q -- "--crash-run" "$TMPDIR/man.txt" || fail "man page content"
ok "man page: groff -ww clean, $(wc -l < "$TMPDIR/man.txt") lines, a section per verb"

# --- bash completion, as bash calls it
"$RETRYSIM" --bash-completion > "$TMPDIR/retrysim.bash" || fail "--bash-completion"
bash -n "$TMPDIR/retrysim.bash" || fail "the completion script has a syntax error"
cat > "$TMPDIR/drive.bash" <<'EOF'
# comp LINE: the completions of LINE (cursor at its end), as bash would ask:
# COMP_LINE, COMP_POINT, COMP_WORDS split at blanks and at '=', COMP_CWORD.
comp() {
  COMP_LINE=$1 COMP_POINT=${#1}
  local w=() line=$1 word= i c
  for ((i = 0; i < ${#line}; i++)); do
    c=${line:i:1}
    if [[ $c == ' ' ]]; then [[ -n $word ]] && w+=("$word"); word=
    elif [[ $c == '=' ]]; then [[ -n $word ]] && w+=("$word"); w+=("="); word=
    else word+=$c; fi
  done
  if [[ -n $word ]]; then w+=("$word"); elif [[ $line == *' ' ]]; then w+=(""); fi
  COMP_WORDS=("${w[@]}") COMP_CWORD=$((${#w[@]} - 1)) COMPREPLY=()
  _retrysim 2> /dev/null
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
want() {  # want LINE EXPECTED: the completions are exactly EXPECTED
  local got; got=$(comp "$1")
  [[ $got == "$2" ]] || { echo "completing '$1': got '$got', want '$2'" >&2; exit 1; }
}
has() {  # has LINE WORD: WORD is among the completions
  local got; got=" $(comp "$1") "
  [[ $got == *" $2 "* ]] || { echo "completing '$1': '$2' not in '$got'" >&2; exit 1; }
}
mkdir -p cdir/sub && : > cdir/a.yaml && : > cdir/b.yml && : > cdir/c.txt && : > cdir/g.csv
want 'retrysim ru' 'run'
has 'retrysim ' 'validate'
has 'retrysim ' 'version'
want 'retrysim --v' '--version'
want 'retrysim run --po' '--policy'
want 'retrysim run --se' '--seed --set'
want 'retrysim run cdir/' 'cdir/a.yaml cdir/b.yml cdir/sub'
want 'retrysim run cdir/a.yaml ' ''
want 'retrysim run --out cdir/' 'cdir/sub'
want 'retrysim run --out=cdir/' 'cdir/sub'
want 'retrysim sweep cdir/a.yaml --grid-file cdir/' 'cdir/g.csv cdir/sub'
want 'retrysim plot cdir --format ' 'both png svg'
want 'retrysim plot cdir --format=s' 'svg'
want 'retrysim live s.yaml --format an' 'anthropic'
has 'retrysim sweep s.yaml --objective lat' 'latency_p99'
has 'retrysim delays openai' 'openai-python'
want 'retrysim bench ' 'engine model sweep'
want 'retrysim bench engine --' '--help --max-size --reps --steps'
has 'retrysim bench sweep --m' '--max-jobs'
has 'retrysim help sw' 'sweep'
want 'retrysim validate -s ' ''
want 'retrysim sweep s.yaml --crash' ''
echo "completion ok"
EOF
( cd "$TMPDIR" && bash -c 'source ./retrysim.bash; source ./drive.bash' ) || fail "completion without bash-completion"
bc=/usr/share/bash-completion/bash_completion
if [ -f "$bc" ]; then
  ( cd "$TMPDIR" && bash -c "source $bc; source ./retrysim.bash; source ./drive.bash" ) || fail "completion with bash-completion"
  ok "bash completion: verbs, options, values, scenario files (with and without bash-completion)"
else
  ok "bash completion: verbs, options, values, scenario files (bash-completion not installed: its helpers untested)"
fi
