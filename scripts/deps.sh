#!/usr/bin/env bash
# Installs the Debian packages retrysim needs, and only those that are missing.
# Probes headers and binaries (fast, no apt call) and runs apt-get only when
# something is absent, through sudo when not root. Safe to run on every make.
set -u
need=()
probe_hdr() { # header package
  local h=$1 pkg=$2
  if ! echo "#include <$h>" | ${CC:-cc} -E -x c - >/dev/null 2>&1; then need+=("$pkg"); fi
}
probe_bin() { command -v "$1" >/dev/null 2>&1 || need+=("$2"); }
probe_hdr gsl/gsl_rng.h        libgsl-dev
probe_hdr csv.h                libcsv-dev
probe_hdr yaml.h               libyaml-dev
probe_hdr CUnit/Basic.h        libcunit1-dev
probe_hdr curl/curl.h          libcurl4-openssl-dev
probe_hdr microhttpd.h         libmicrohttpd-dev
probe_hdr jansson.h            libjansson-dev
probe_bin gnuplot              gnuplot-nox
probe_bin python3              python3
probe_bin curl                 curl
# Open MPI (distributed sweeps): the mpicc wrapper must find mpi.h; mpirun runs them
if ! command -v mpicc >/dev/null 2>&1 || ! echo "#include <mpi.h>" | mpicc -E -x c - >/dev/null 2>&1; then
  need+=(libopenmpi-dev)
fi
probe_bin mpirun               openmpi-bin
probe_bin pkg-config           pkg-config
probe_bin cc                   gcc
probe_bin g++                  g++
probe_bin make                 make
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
