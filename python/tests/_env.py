"""_env.py — where the tests find the build: the repository root (two levels
up), the library (RETRYPOL_LIBRARY, default build/libretrypol.so, set before
retrypol is imported), the binary (RETRYSIM, default build/retrysim) and the
headers (RETRYPOL_INCLUDE, default policies/). Imported first by every test."""
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD", "build")
os.environ.setdefault("RETRYPOL_LIBRARY", os.path.join(ROOT, BUILD, "libretrypol.so"))
RETRYSIM = os.environ.get("RETRYSIM", os.path.join(ROOT, BUILD, "retrysim"))
INCLUDE = os.environ.get("RETRYPOL_INCLUDE", os.path.join(ROOT, "policies"))
CC = os.environ.get("CC", "cc")
if os.environ.get("RETRYPOL_TEST_INSTALLED") != "1":
    sys.path.insert(0, os.path.join(ROOT, "python"))      # the source tree, not an installed copy


def compile_c(source, tmpdir, name="prog"):
    """Compiles a C program against libretrypol's headers and library; returns its path."""
    import subprocess
    src = os.path.join(tmpdir, name + ".c")
    exe = os.path.join(tmpdir, name)
    with open(src, "w") as f:
        f.write(source)
    lib = os.path.abspath(os.environ["RETRYPOL_LIBRARY"])
    # the program loads the library by its soname: link it from a directory of our own
    libdir = os.path.join(tmpdir, "lib")
    os.makedirs(libdir, exist_ok=True)
    for so in ("libretrypol.so", "libretrypol.so.0"):
        if not os.path.exists(os.path.join(libdir, so)):
            os.symlink(lib, os.path.join(libdir, so))
    san = ["-fsanitize=" + os.environ["SANITIZE"]] if os.environ.get("SANITIZE") else []   # a build-san library
    cmd = [CC, "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-Wall", "-Werror", *san, "-I", INCLUDE, src, "-o", exe,
           "-L" + libdir, "-lretrypol", "-lgsl", "-lgslcblas", "-lm", "-Wl,-rpath," + libdir]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed:\n{r.stderr}")
    return exe


def run_c(source, name="driver"):
    """Compiles and runs a C program against the library under test; returns its stdout lines."""
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        exe = compile_c(source, tmp, name)
        return subprocess.run([exe], capture_output=True, text=True, check=True).stdout.splitlines()


def c_table(name, rows):
    """A C array `static const long long name[][k]` of the given integer rows."""
    body = ",\n".join("    {" + ", ".join(f"{int(v)}LL" for v in r) + "}" for r in rows)
    return f"static const long long {name}[][{len(rows[0])}] = {{\n{body}\n}};\n"


def driver(tables, body):
    """A C driver: the tables (c_table texts), then main() with a gsl_rng r
    and the body; prints what the body prints."""
    return ("#include <stdio.h>\n#include \"retrypol.h\"\n" + "".join(tables) +
            "int main(void) {\n    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);\n" + body +
            "\n    gsl_rng_free(r);\n    return 0;\n}\n")


def seconds(ns):
    """ns -> the seconds the Python API takes, checked to convert back to the same ns."""
    s = ns / 1e9
    assert int(round(s * 1e9)) == ns, ns
    return s


G = "%.17g"      # doubles, printed alike by C's printf and Python's % operator


def assert_lines(test, got, want):
    """got == want, line for line; on a difference the first one and its index
    (unittest's list diff is quadratic on traces of thousands of lines)."""
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            test.fail(f"line {i} of {len(want)} differs:\n  python: {g}\n  C:      {w}")
    test.assertEqual(len(got), len(want), "python and C printed different numbers of lines")
