#!/usr/bin/env bash
# abi.sh — libretrypol's contract with the programs that link it, checked on
# a `make install` into a scratch prefix:
#   - the installed headers are exactly PUBLIC_policies (layers.mk), none of
#     the internal ones; retrypol.h includes them all;
#   - each installed header compiles alone (included twice) as C11 and as
#     C++11 (-Wall -Wextra -Werror -pedantic), then retrypol.h;
#   - `nm -D --defined-only` of the installed libretrypol.so lists exactly the
#     POL_API declarations of those headers (functions and any data), and
#     every function they declare is POL_API (gcc -aux-info lists them);
#     libretrypol.a defines no other global symbol either;
#   - a C++ program that takes the address of every one of those functions
#     links against the .so (C linkage) and runs;
#   - one version everywhere: `make version`, POL_VERSION_STRING/NUMBER,
#     pol_version()/pol_version_number(), retrypol.pc, the installed file
#     name libretrypol.so.VERSION and the soname libretrypol.so.MAJOR;
#   - no writable static data in the library's objects (its "no global
#     mutable state" claim; skipped under sanitizers, which add their own).
source tests/e2e/lib.sh
P="$TMPDIR/prefix"
SAN=${SANITIZE:+-fsanitize=$SANITIZE}
make --no-print-directory install BUILD="$BUILD" SANITIZE="${SANITIZE:-}" PREFIX="$P" \
  > "$TMPDIR/install.log" 2>&1 || { tail -20 "$TMPDIR/install.log"; fail "make install"; }
INC="$P/include/retrypol"
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
CFLAGS_RP=$(pkg-config --cflags retrypol) || fail "pkg-config does not find retrypol"
LIBS_RP=$(pkg-config --libs retrypol)

# ---- installed headers ----------------------------------------------------
public=$(sed -n 's/^PUBLIC_policies[[:space:]]*:=[[:space:]]*//p' layers.mk)
[ -n "$public" ] || fail "no PUBLIC_policies in layers.mk"
want=$(echo $public | tr ' ' '\n' | sort)
got=$(cd "$INC" && ls | sort)
[ "$want" = "$got" ] || fail "installed headers differ from PUBLIC_policies: $(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
for h in policies/*.h; do
  b=$(basename "$h")
  if ! grep -qx "$b" <<< "$want"; then
    [ ! -e "$INC/$b" ] || fail "internal header $b installed"
    head -1 "$h" | grep -q internal || fail "$h is neither in PUBLIC_policies nor marked internal on its first line"
  fi
done
for b in $public; do
  [ "$b" = retrypol.h ] && continue
  grep -q "^#include \"$b\"" "$INC/retrypol.h" || fail "retrypol.h does not include $b"
  grep -q 'extern "C"' "$INC/$b" || fail "$b has no extern \"C\" guard"
done
ok "installed headers: the $(wc -w <<< "$public") of PUBLIC_policies, no internal one"

# ---- each header alone, as C and as C++ -----------------------------------
for b in $public retrypol.h; do
  printf '#include <%s>\n#include <%s>\ntypedef int abi_check_nonempty;\n' "$b" "$b" > "$TMPDIR/h.c"
  ${CC:-cc} -std=c11 -Wall -Wextra -Werror -pedantic -Wstrict-prototypes $CFLAGS_RP \
    -fsyntax-only -x c "$TMPDIR/h.c" 2> "$TMPDIR/h.err" || { cat "$TMPDIR/h.err"; fail "$b does not compile alone as C11"; }
  g++ -std=c++11 -Wall -Wextra -Werror -pedantic $CFLAGS_RP \
    -fsyntax-only -x c++ "$TMPDIR/h.c" 2> "$TMPDIR/h.err" || { cat "$TMPDIR/h.err"; fail "$b does not compile alone as C++11"; }
done
ok "every public header compiles alone as C11 and as C++11 (-Wall -Wextra -Werror -pedantic)"

# ---- exported symbols = POL_API declarations = declared functions ---------
echo '#include <retrypol.h>' > "$TMPDIR/all.c"
# what the headers mark POL_API (after preprocessing: comments and macros gone)
gcc -std=c11 $CFLAGS_RP -DPOL_API=__pol_api_mark__ -E -P "$TMPDIR/all.c" \
  | perl -0777 -ne 'while (/__pol_api_mark__([^;]*);/g) { my $d = $1;
      if ($d =~ /([A-Za-z_]\w*)\s*\(/) { print "$1\n" } elsif ($d =~ /([A-Za-z_]\w*)\s*(\[[^\]]*\]\s*)*$/) { print "$1\n" } }' \
  | sort > "$TMPDIR/api.txt"
# every non-static function the installed headers declare, API or not
gcc -std=c11 $CFLAGS_RP -aux-info "$TMPDIR/aux.txt" -fsyntax-only "$TMPDIR/all.c" || fail "gcc -aux-info"
grep -F "/* $INC/" "$TMPDIR/aux.txt" | grep -v '\*/ static ' \
  | sed -n 's|^/\* [^*]*\*/ extern [^(]*[^A-Za-z0-9_(]\([A-Za-z_][A-Za-z0-9_]*\) (.*|\1|p' | sort > "$TMPDIR/declared.txt"
nm -D --defined-only "$P/lib/libretrypol.so" | awk '{ print $NF }' | sort > "$TMPDIR/exported.txt"
n_api=$(wc -l < "$TMPDIR/api.txt"); n_decl=$(wc -l < "$TMPDIR/declared.txt"); n_exp=$(wc -l < "$TMPDIR/exported.txt")
[ "$n_api" -gt 100 ] || fail "only $n_api POL_API declarations found (extraction broken?)"
extra=$(comm -13 "$TMPDIR/api.txt" "$TMPDIR/exported.txt" | tr '\n' ' ')
missing=$(comm -23 "$TMPDIR/api.txt" "$TMPDIR/exported.txt" | tr '\n' ' ')
[ -z "$extra" ] || fail "libretrypol.so exports symbols no public header declares POL_API: $extra"
[ -z "$missing" ] || fail "POL_API declarations libretrypol.so does not export: $missing"
unmarked=$(comm -13 "$TMPDIR/api.txt" "$TMPDIR/declared.txt" | tr '\n' ' ')
[ -z "$unmarked" ] || fail "functions declared in public headers without POL_API (hidden in the .so): $unmarked"
nm -D --defined-only "$P/lib/libretrypol.so" | awk '$2 != "T" { print }' > "$TMPDIR/data.txt"
[ ! -s "$TMPDIR/data.txt" ] || fail "libretrypol.so exports data: $(cat "$TMPDIR/data.txt")"
ok "libretrypol.so exports exactly the $n_api POL_API functions of the public headers ($n_exp symbols, $n_decl declared, no data)"
# the static library's global symbols: the API too (internal helpers are static)
nm -g --defined-only "$P/lib/libretrypol.a" | awk 'NF == 3 { print $3 }' | sort > "$TMPDIR/static.txt"
extra=$(comm -13 "$TMPDIR/api.txt" "$TMPDIR/static.txt" | tr '\n' ' ')
[ -z "$extra" ] || fail "libretrypol.a defines globals that are not API (they would clash in a static link): $extra"
ok "libretrypol.a defines no global beyond the API"

# ---- C linkage: a C++ program referencing every function links and runs ---
{
  echo '#include <retrypol.h>'
  echo '#include <cstdio>'
  echo 'typedef void (*any_fn)(void);'
  echo 'static const any_fn api[] = {'
  sed 's/.*/    reinterpret_cast<any_fn>(\&&),/' "$TMPDIR/declared.txt"
  echo '};'
  echo 'int main() {'
  echo '    std::size_t n = 0;'
  echo '    for (std::size_t i = 0; i < sizeof api / sizeof api[0]; i++) n += api[i] != 0;'
  echo '    if (pol_version_number() != POL_VERSION_NUMBER) return 2;'
  echo '    std::printf("%zu %s %d\n", n, pol_version(), pol_version_number());'
  echo '    return 0;'
  echo '}'
} > "$TMPDIR/linkage.cc"
g++ -std=c++11 -Wall -Wextra -Werror -pedantic $SAN "$TMPDIR/linkage.cc" $CFLAGS_RP $LIBS_RP \
  -o "$TMPDIR/linkage" 2> "$TMPDIR/link.err" || { head -20 "$TMPDIR/link.err"; fail "C++ program does not link against libretrypol.so"; }
LD_LIBRARY_PATH="$P/lib" "$TMPDIR/linkage" > "$TMPDIR/linkage.out" || fail "C++ program failed (version mismatch?)"
read -r n_linked lib_ver lib_num < "$TMPDIR/linkage.out"
[ "$n_linked" -eq "$n_decl" ] || fail "C++ program resolved $n_linked functions, want $n_decl"
ok "a C++11 program links all $n_linked functions against libretrypol.so (C linkage)"

# ---- one version ----------------------------------------------------------
VERSION=$(make --no-print-directory -s version)
MAJOR=${VERSION%%.*}
printf '#include <stdio.h>\n#include <pol_version.h>\nint main(void) { printf("%%s %%d\\n", POL_VERSION_STRING, POL_VERSION_NUMBER); return 0; }\n' > "$TMPDIR/ver.c"
${CC:-cc} -std=c11 $CFLAGS_RP "$TMPDIR/ver.c" -o "$TMPDIR/ver" || fail "cannot compile against pol_version.h"
read -r hdr_ver hdr_num < <("$TMPDIR/ver")
IFS=. read -r vmaj vmin vpat <<< "$VERSION"
[ "$hdr_num" -eq $((vmaj * 1000000 + vmin * 1000 + vpat)) ] || fail "POL_VERSION_NUMBER $hdr_num is not MAJOR*1000000+MINOR*1000+PATCH of $VERSION"
for v in "$hdr_ver" "$lib_ver" "$(pkg-config --modversion retrypol)"; do
  [ "$v" = "$VERSION" ] || fail "version $v differs from make version $VERSION (header $hdr_ver, library $lib_ver, retrypol.pc $(pkg-config --modversion retrypol))"
done
[ "$lib_num" -eq "$hdr_num" ] || fail "pol_version_number() $lib_num != POL_VERSION_NUMBER $hdr_num"
[ -f "$P/lib/libretrypol.so.$VERSION" ] || fail "libretrypol.so.$VERSION not installed"
soname=$(readelf -d "$P/lib/libretrypol.so.$VERSION" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = "libretrypol.so.$MAJOR" ] || fail "soname $soname, want libretrypol.so.$MAJOR"
[ "$(readlink "$P/lib/libretrypol.so.$MAJOR")" = "libretrypol.so.$VERSION" ] || fail "libretrypol.so.$MAJOR does not point at libretrypol.so.$VERSION"
[ "$(readlink "$P/lib/libretrypol.so")" = "libretrypol.so.$MAJOR" ] || fail "libretrypol.so does not point at the soname"
ok "version $VERSION ($hdr_num) in make, header, library, retrypol.pc; soname $soname"

# ---- no global mutable state ----------------------------------------------
if [ -z "${SANITIZE:-}" ]; then
  for o in "$BUILD"/policies/*.o; do
    # writable sections with content, other than relocated constants (.data.rel.ro*)
    readelf -S -W "$o" | awk -v o="$o" '/^ *\[ *[0-9]+\] \./ {
        for (i = 1; i <= NF; i++) if ($i ~ /^\./) { name = $i; size = $(i + 4); flags = $(i + 6); break }
        if (flags ~ /W/ && name !~ /^\.data\.rel\.ro/ && size !~ /^0+$/) print o ": " name " (0x" size " bytes)" }'
  done > "$TMPDIR/writable.txt"
  [ ! -s "$TMPDIR/writable.txt" ] || fail "writable static data in libretrypol: $(cat "$TMPDIR/writable.txt")"
  ok "no writable static data in libretrypol's objects"
fi
