#!/usr/bin/env bash
# python.sh — the Python package (python/retrypol, docs/python.md):
#   1. its unittest suite (python/tests) with Debian's /usr/bin/python3 against
#      this build's libretrypol.so and retrysim: struct layouts against the C
#      compiler, every POL_API function prototyped, retrypol.delays ==
#      `retrysim delays --csv` byte for byte, the state machine's verdicts and
#      random traces of every stateful family (throttling, cooldowns, hedging,
#      bulkhead, monitor, windows, fail masks) against C drivers, the tenacity
#      adapter, the httpx example against `retrysim mock`, the stateful parts of
#      every canonical scenario's policies against sim_scenario_load's;
#   2. an offline `pip install --no-index --no-build-isolation` of a copy of
#      python/ into a scratch target, and the suite again on the installed copy;
#   3. `make install` into a scratch prefix: the package is installed under
#      $(PYTHON_SITE) and finds the installed libretrypol.so.0 with no
#      RETRYPOL_LIBRARY (the prefix recorded at install time).
# Missing python modules fail the test (scripts/deps.sh installs them): it
# never passes without having run the suite.
source tests/e2e/lib.sh
PY=/usr/bin/python3
[ -x "$PY" ] || fail "no /usr/bin/python3 (Debian's python3; scripts/deps.sh installs it)"
for m in tenacity httpx yaml setuptools pip; do
  "$PY" -c "import $m" 2> /dev/null || fail "$PY cannot import $m: run scripts/deps.sh (python3-$m)"
done
export RETRYSIM BUILD
# a sanitized library needs its runtimes loaded first into an uninstrumented python
if [ -n "${SANITIZE:-}" ]; then
  pre=""
  for rt in asan ubsan; do
    [[ $SANITIZE == *address* && $rt == asan || $SANITIZE == *undefined* && $rt == ubsan ]] || continue
    pre="$pre $(${CC:-cc} -print-file-name=lib$rt.so)"
  done
  export LD_PRELOAD="${pre# }" ASAN_OPTIONS=detect_leaks=0:${ASAN_OPTIONS:-}
fi

suite() {   # suite LABEL ENV...: runs python/tests, fails unless every test ran and passed
  local label=$1; shift
  (cd python/tests && env "$@" "$PY" -m unittest discover -s . -p 'test_*.py' -v) > "$TMPDIR/$label.log" 2>&1 \
    || { tail -60 "$TMPDIR/$label.log"; fail "python tests ($label) failed"; }
  local ran
  ran=$(sed -n 's/^Ran \([0-9]*\) tests.*/\1/p' "$TMPDIR/$label.log")
  grep -q '^OK$' "$TMPDIR/$label.log" || { tail -20 "$TMPDIR/$label.log"; fail "python tests ($label): no OK"; }
  grep -qi 'skipped' "$TMPDIR/$label.log" && { grep -i skipped "$TMPDIR/$label.log"; fail "python tests ($label) skipped some"; }
  [ "${ran:-0}" -ge 66 ] || fail "python tests ($label): only ${ran:-0} tests ran"
  grep -E '^(layout|coverage|delays|decisions|throttle|cooldown|hedge|monitor|policy_parts|example):' "$TMPDIR/$label.log" \
    | sed 's/^/   /'
  ok "python tests ($label): $ran passed"
}
LIB="$PWD/$BUILD/libretrypol.so"
suite source RETRYPOL_LIBRARY="$LIB"

# 2. offline pip install of a copy (the build leaves egg-info in the tree it builds)
cp -r python "$TMPDIR/src"
rm -rf "$TMPDIR/src/tests"
"$PY" -m pip install --quiet --no-index --no-build-isolation --target "$TMPDIR/site" "$TMPDIR/src" \
  > "$TMPDIR/pip.log" 2>&1 || { cat "$TMPDIR/pip.log"; fail "pip install --no-index --no-build-isolation ./python"; }
[ -f "$TMPDIR/site/retrypol/__init__.py" ] || fail "pip installed no retrypol package"
ls -d "$TMPDIR"/site/retrypol-*.dist-info > /dev/null 2>&1 || fail "pip install left no dist-info"
got=$(cd / && PYTHONPATH="$TMPDIR/site" RETRYPOL_LIBRARY="$LIB" "$PY" -c 'import retrypol; print(retrypol.__file__)')
[[ $got == "$TMPDIR/site/retrypol/__init__.py" ]] || fail "imported $got, not the pip-installed copy"
ok "pip install --no-index --no-build-isolation: a pure package, installed offline"
suite pip RETRYPOL_LIBRARY="$LIB" RETRYPOL_TEST_INSTALLED=1 PYTHONPATH="$TMPDIR/site"

# 3. make install: the package next to the library, found without RETRYPOL_LIBRARY
P="$TMPDIR/prefix"
make --no-print-directory install BUILD="$BUILD" SANITIZE="${SANITIZE:-}" PREFIX="$P" > "$TMPDIR/install.log" 2>&1 \
  || { tail -20 "$TMPDIR/install.log"; fail "make install"; }
SITE=$(make --no-print-directory -s python-site PREFIX="$P")
[ -f "$SITE/retrypol/_install.py" ] || fail "make install did not install the package under $SITE"
out=$(cd / && env -u RETRYPOL_LIBRARY PYTHONPATH="$SITE" "$PY" -c '
import retrypol
print(retrypol.library_path())
print(retrypol.Policy("openai-python").request(now=0, rng=retrypol.Rng(1)).next(status=429, headers={"retry-after": "2"}, now=0))')
[ "$(sed -n 1p <<< "$out")" = "$P/lib/libretrypol.so.0" ] || fail "the installed package loads $(sed -n 1p <<< "$out"), not $P/lib/libretrypol.so.0"
grep -q "Decision('retry', delay=2.0" <<< "$out" || fail "installed package: $out"
ok "make install: $SITE/retrypol loads $P/lib/libretrypol.so.0 (recorded prefix)"
