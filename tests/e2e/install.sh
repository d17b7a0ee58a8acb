#!/usr/bin/env bash
# install.sh — `make install` into a scratch prefix, then build
# examples/client.c against the installed library through pkg-config, once
# with the shared and once with the static libretrypol, and check its output;
# the man page and the bash completion are installed and are the binary's.
source tests/e2e/lib.sh
P="$TMPDIR/prefix"
SAN=${SANITIZE:+-fsanitize=$SANITIZE}
make --no-print-directory install BUILD="$BUILD" SANITIZE="${SANITIZE:-}" PREFIX="$P" \
  > "$TMPDIR/install.log" 2>&1 || { tail -20 "$TMPDIR/install.log"; fail "make install"; }
for f in lib/libretrypol.a lib/libretrypol.so lib/libretrypol.so.0 lib/pkgconfig/retrypol.pc \
         include/retrypol/retrypol.h include/retrypol/pol_retry.h bin/retrysim \
         share/man/man1/retrysim.1 share/bash-completion/completions/retrysim; do
  [ -e "$P/$f" ] || fail "make install did not install $f"
done
for f in pol_internal.h pol_lex.h; do
  [ -e "$P/include/retrypol/$f" ] && fail "make install installed the internal header $f"
done
ok "installed into a scratch prefix (public headers only)"
"$P/bin/retrysim" --man | cmp -s - "$P/share/man/man1/retrysim.1" || fail "the installed man page is not the binary's"
"$P/bin/retrysim" --bash-completion | cmp -s - "$P/share/bash-completion/completions/retrysim" \
  || fail "the installed completion is not the binary's"
MANWIDTH=80 man -l "$P/share/man/man1/retrysim.1" 2> /dev/null | grep -q "^   retrysim sweep$" || fail "man retrysim does not render"
MANPATH="$P/share/man" man -w retrysim 2> /dev/null | grep -qF "$P/share/man/man1/retrysim.1" \
  || fail "man does not find retrysim(1) under $P/share/man"
bash -c "source '$P/share/bash-completion/completions/retrysim' && complete -p retrysim" | grep -q "_retrysim" \
  || fail "the installed completion does not register _retrysim"
ok "man page (man -l, MANPATH) and bash completion installed"

export PKG_CONFIG_PATH="$P/lib/pkgconfig"
pkg-config --exists retrypol || fail "pkg-config does not find retrypol"
CFLAGS_RP=$(pkg-config --cflags retrypol)
LIBS_RP=$(pkg-config --libs retrypol)
[[ "$CFLAGS_RP" == *"$P/include/retrypol"* ]] || fail "bad --cflags: $CFLAGS_RP"

check_output() {  # check_output FILE: the scripted requests' decisions
  grep -qx "libretrypol $(make --no-print-directory -s version)" "$1" || fail "client did not report the library version"
  grep -q '^  attempt 1: http 429 -> retry after 2.000 s$' "$1" || fail "Retry-After: 2 not honored"
  grep -q '^  attempt 3: http 200 -> done$' "$1" || fail "request 1 did not succeed"
  grep -q 'attempt 3: http 500 -> give-up (max-attempts)$' "$1" || fail "max attempts not enforced"
  grep -q 'http 429 -> give-up (server-said-no)$' "$1" || fail "x-should-retry ignored"
  grep -q 'http 400 -> give-up (not-retryable)$' "$1" || fail "400 retried"
  # openai's backoff: 0.5 s x2 times (1 - 0.25 U)
  d=$(awk '/attempt 1: timeout -> retry after/ { print $(NF-1) }' "$1")
  fcmp "$d" ">=" 0.375 && fcmp "$d" "<=" 0.5 || fail "first backoff $d outside [0.375, 0.5]"
}

cc -std=c11 -Wall -Wextra -Werror $SAN examples/client.c $CFLAGS_RP $LIBS_RP -o "$TMPDIR/client_shared" \
  || fail "cannot build the example against the shared library"
LD_LIBRARY_PATH="$P/lib" "$TMPDIR/client_shared" > "$TMPDIR/shared.out" || fail "shared client failed"
LD_LIBRARY_PATH="$P/lib" ldd "$TMPDIR/client_shared" | grep -q "$P/lib/libretrypol.so" \
  || fail "client_shared is not using the installed libretrypol.so"
check_output "$TMPDIR/shared.out"
ok "example linked against libretrypol.so"

cc -std=c11 -Wall -Wextra -Werror $SAN examples/client.c $CFLAGS_RP "$P/lib/libretrypol.a" \
  $(pkg-config --static --libs gsl) -lm -o "$TMPDIR/client_static" \
  || fail "cannot build the example against the static library"
ldd "$TMPDIR/client_static" | grep -q libretrypol && fail "client_static still needs libretrypol.so"
"$TMPDIR/client_static" > "$TMPDIR/static.out" || fail "static client failed"
cmp -s "$TMPDIR/shared.out" "$TMPDIR/static.out" || fail "static and shared clients disagree"
ok "example linked against libretrypol.a, same output"

# a program built against another version's header refuses to run with this
# library (examples/client.c's start-up check; the header is faked by
# defining its guard and macros)
cc -std=c11 -Wall -Wextra -Werror $SAN -DPOL_VERSION_H -DPOL_VERSION_NUMBER=999000 \
  -DPOL_VERSION_STRING='"0.999.0"' examples/client.c $CFLAGS_RP $LIBS_RP -o "$TMPDIR/client_other" \
  || fail "cannot build the example against a faked header version"
LD_LIBRARY_PATH="$P/lib" "$TMPDIR/client_other" > "$TMPDIR/other.out" 2> "$TMPDIR/other.err" \
  && fail "client built for 0.999.0 ran with libretrypol $(make --no-print-directory -s version)"
grep -q "built against 0.999.0" "$TMPDIR/other.err" || fail "no version mismatch message: $(cat "$TMPDIR/other.err")"
ok "a client built against another header version stops at start-up"
