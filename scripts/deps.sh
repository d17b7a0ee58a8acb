#!/usr/bin/env bash
# Installs the Debian packages retrysim's build, demo and tests need, and only
# those that are missing. Probes headers, programs and Python modules first
# (fast, no apt call) and runs apt-get only when something is absent, through
# sudo when not root. Safe to run on every make.
#
# To add a dependency, add one row to DEPS: "KIND WHAT PACKAGE", where KIND is
#   hdr  a C header that ${CC:-cc} must find        (hdr gsl/gsl_rng.h libgsl-dev)
#   bin  a program on PATH                           (bin pgrep procps)
#   py   a module Debian's python3 must import       (py xml.dom.minidom python3)
#        (/usr/bin/python3, the interpreter Debian's python3-* packages install
#        for, even when another python3 comes first on PATH)
#   mpi  a header the mpicc wrapper must find        (mpi mpi.h libopenmpi-dev)
#   file a file that must exist                      (file /usr/share/... bash-completion)
# The list was checked by running `make demo` and `make test` in a fresh
# Debian root (scripts/fresh-root.sh), where only make was installed.
set -u
DEPS=(
  # --- the build: compiler, libraries, pkg-config (tests/e2e/install.sh)
  "bin cc                gcc"
  "bin g++               g++"          # public headers compiled as C++ (tests/e2e/abi.sh)
  "hdr stdio.h           libc6-dev"
  "bin make              make"
  "bin pkg-config        pkg-config"
  "hdr gsl/gsl_rng.h     libgsl-dev"
  "hdr csv.h             libcsv-dev"
  "hdr yaml.h            libyaml-dev"
  "hdr CUnit/Basic.h     libcunit1-dev"
  "hdr curl/curl.h       libcurl4-openssl-dev"
  "hdr microhttpd.h      libmicrohttpd-dev"
  "hdr jansson.h         libjansson-dev"   # JSON in live mode and the mock (docs/live.md)
  # --- Open MPI (distributed sweeps): mpicc must find mpi.h; mpirun runs them
  "mpi mpi.h             libopenmpi-dev"
  "bin mpirun            openmpi-bin"
  # --- `retrysim plot` (demo, tests/e2e/plots.sh)
  "bin gnuplot           gnuplot-nox"
  # --- the end-to-end tests: XML/SVG well-formedness (check.sh, plots.sh),
  #     a sweep's workers and mpirun's pid (sweep.sh, sweep_mpi.sh), a terminal
  #     for tune's progress bar (tune.sh), HTTP to `retrysim mock` by hand
  "bin python3           python3"
  "py  xml.dom.minidom   python3"
  "bin pgrep             procps"
  "bin script            bsdutils"
  "bin curl              curl"
  # --- the Python package (python/, tests/e2e/python.sh): tenacity adapter, the
  #     httpx example against the mock, scenario files read by PyYAML in the
  #     tests, an offline `pip install --no-index --no-build-isolation ./python`
  "py  tenacity          python3-tenacity"
  "py  httpx             python3-httpx"
  "py  yaml              python3-yaml"
  "py  setuptools        python3-setuptools"
  "py  pip               python3-pip"
  # --- make fuzz (tests/fuzz/, .ci/run): clang with libFuzzer (libclang-rt-14-dev comes with it)
  "bin clang             clang"
  # --- make bench-peers: the bench model in SimPy (bench/peers/)
  "py  SimPy             python3-simpy"
  # --- the man page and the bash completion (tests/e2e/cli.sh, install.sh)
  "bin groff             groff-base"
  "bin man               man-db"
  "file /usr/share/bash-completion/bash_completion bash-completion"
)
need=()
# Debian's python3 (where Debian's python3-* packages go), not one earlier on PATH
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
want() { local p; for p in "${need[@]}"; do [ "$p" = "$1" ] && return; done; need+=("$1"); }
for row in "${DEPS[@]}"; do
  read -r kind what pkg <<< "$row"
  case $kind in
    hdr) echo "#include <$what>" | ${CC:-cc} -E -x c - > /dev/null 2>&1 || want "$pkg";;
    bin) command -v "$what" > /dev/null 2>&1 || want "$pkg";;
    py)  "$PY" -c "import $what" > /dev/null 2>&1 || want "$pkg";;
    file) [ -e "$what" ] || want "$pkg";;
    mpi) command -v mpicc > /dev/null 2>&1 && echo "#include <$what>" | mpicc -E -x c - > /dev/null 2>&1 || want "$pkg";;
    *)   echo "deps: bad row in scripts/deps.sh: $row" >&2; exit 2;;
  esac
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "deps: installing missing Debian packages: ${need[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "deps: not root and no sudo; install as root: apt-get install ${need[*]}" >&2; exit 2
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y --no-install-recommends "${need[@]}" >&2; then
  $SUDO apt-get update >&2 && $SUDO apt-get install -y --no-install-recommends "${need[@]}" >&2 || {
    echo "deps: apt-get failed for: ${need[*]}" >&2; exit 2; }
fi
