#!/usr/bin/env bash
# fresh-root.sh — proves the README's two-command set-up: builds a fresh
# Debian root (debootstrap --variant=minbase, the host's release and
# architecture), installs only make in it, copies `git archive HEAD` in, and
# runs `make demo` and then `make test` there (chroot, as root), reporting
# their exit status, the test summary line and the time of each phase.
#
#   scripts/fresh-root.sh [--refresh] [--keep]
#     --refresh   rebuild the cached base root even if it exists
#     --keep      leave the root (unmounted) in /var/tmp for inspection
#
# The base root is cached as /var/cache/retrysim/debian-RELEASE-ARCH-minbase.tar.gz
# (built when missing or with --refresh), so a run costs unpacking it,
# `apt-get install make`, and the two commands (whose deps.sh apt-gets the
# rest from the mirror). The host's own packages are never touched, except
# that debootstrap is installed when missing. Needs root and the network to
# the Debian mirror (MIRROR=URL overrides the one read from the host's apt
# sources). Everything is mounted in a private mount namespace when
# unshare(1) works, and unmounted in reverse order on every exit path; the
# work directory is only deleted once nothing under it is mounted.
#
# Exit status: 0 both commands passed, 1 either failed, 2 a set-up problem
# (not root, no debootstrap, the mirror, a mount), 130/143 interrupted.
set -uo pipefail
say() { echo "fresh-root: $*"; }
die() { echo "fresh-root: $*" >&2; exit 2; }
now() { local t=${EPOCHREALTIME//[!0-9]/}; echo "$t"; }        # microseconds
secs() { local d=$(( $(now) - $1 )); printf '%d.%d' $((d / 1000000)) $(((d / 100000) % 10)); }

refresh=0 keep=0
for a in "$@"; do
  case $a in
    --refresh) refresh=1;;
    --keep) keep=1;;
    -h|--help) sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0"; exit 0;;
    *) die "unknown argument '$a' (usage: scripts/fresh-root.sh [--refresh] [--keep])";;
  esac
done
repo=$(cd "$(dirname "$0")/.." && pwd)

# --- a private mount namespace: the host never sees the root's mounts, and
# they vanish with the namespace even if this script is killed with SIGKILL
if [ -z "${RETRYSIM_FRESH_ROOT_NS:-}" ]; then
  [ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, mount, chroot)"
  if unshare --mount --propagation private true 2>/dev/null; then
    RETRYSIM_FRESH_ROOT_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
  fi
  say "note: unshare --mount does not work here; mounting in the host's namespace"
fi

t_all=$(now)
# --- set-up: release, architecture, mirror, debootstrap
[ -r /etc/os-release ] || die "no /etc/os-release: not a Debian host?"
release=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$release" ] || die "/etc/os-release has no VERSION_CODENAME"
command -v dpkg > /dev/null && command -v apt-get > /dev/null || die "no dpkg/apt-get: not a Debian host"
arch=$(dpkg --print-architecture)
# the first deb source of the host whose suites include the release itself
host_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    awk -v r="$release" '$1 == "deb" { i = 2; if ($i ~ /^\[/) while ($i !~ /\]$/) i++; if ($i ~ /^\[/ || $i ~ /\]$/) i++
                                       if ($(i + 1) == r) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    awk -v r="$release" 'function flush() { if (deb && !off && uri != "" && (" " suites " ") ~ (" " r " ")) { print uri; done = 1; exit } deb = off = 0; uri = suites = "" }
      /^[ \t]*$/ { flush(); next }
      /^Types:/ { deb = (" " $0 " ") ~ / deb / }
      /^Enabled:/ { if ($2 == "no") off = 1 }
      /^URIs:/ { uri = $2 }
      /^Suites:/ { $1 = ""; suites = $0 }
      END { if (!done) flush() }' "$f"
  done
}
mirror=${MIRROR:-$(host_mirror | grep -m1 -E '^https?://')}
mirror=${mirror:-http://deb.debian.org/debian}
if ! command -v debootstrap > /dev/null; then
  say "installing debootstrap on the host (the only host package this script installs)"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get install -y --no-install-recommends debootstrap || { apt-get update && apt-get install -y --no-install-recommends debootstrap; }; } \
    > /dev/null 2>&1 || die "cannot install debootstrap (apt-get install debootstrap failed)"
fi
cache_dir=/var/cache/retrysim
cache=$cache_dir/debian-$release-$arch-minbase.tar.gz
say "Debian $release/$arch from $mirror; base cache $cache"
head=$(git -C "$repo" rev-parse --verify -q HEAD) || die "$repo is not a git checkout (the root gets 'git archive HEAD')"
[ -z "$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null)" ] \
  || say "note: uncommitted changes are not tested: the root gets HEAD ($head)"

# --- clean-up, on every exit path
work="" root="" mounts=()
under() {  # under DIR: the mount points at or under DIR, deepest first
  awk -v w="$1" '{ m = $5; gsub(/\\040/, " ", m); if (m == w || index(m, w "/") == 1) print length(m), m }' /proc/self/mountinfo |
    sort -rn | cut -d' ' -f2-
}
under_work() { [ -z "$work" ] || under "$work"; }
pids_in() {  # pids_in ROOT: the processes whose root directory is ROOT (all started by this script)
  local p
  for p in /proc/[0-9]*; do [ "$(readlink "$p/root" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"; done
}
chroot_pids() { [ -z "$root" ] || pids_in "$root"; }
stop_pids_in() {  # stop_pids_in ROOT: SIGTERM, 5 s, SIGKILL
  local pids i
  pids=$(pids_in "$1")
  [ -n "$pids" ] || return 0
  kill -TERM $pids 2>/dev/null
  for i in $(seq 50); do pids=$(pids_in "$1"); [ -z "$pids" ] && return 0; sleep 0.1; done
  kill -KILL $pids 2>/dev/null; sleep 0.5
}
unmount_under() {  # unmount_under DIR: whatever is still mounted there, deepest first, lazily if busy
  local m
  while read -r m; do
    [ -n "$m" ] && { umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || echo "fresh-root: cannot unmount $m" >&2; }
  done < <(under "$1")
}
start_time() { awk '{ print $22 }' "/proc/$1/stat" 2>/dev/null; }
# a run killed with SIGKILL cannot clean up: the next one removes what it left
# (its processes, anything mounted, the directory) once its owner is gone
reap_stale() {
  local d opid ostart
  for d in /var/tmp/retrysim-root.*; do
    [ -d "$d" ] && [ -f "$d/owner" ] || continue
    read -r opid ostart < "$d/owner" || continue
    [ -n "$opid" ] && [ "$(start_time "$opid")" = "$ostart" ] && continue      # that run is still going
    say "removing $d, left by a run that did not finish (pid $opid)"
    stop_pids_in "$d/root"
    unmount_under "$d"
    if [ -n "$(under "$d")" ]; then echo "fresh-root: still mounted under $d, NOT deleting it" >&2
    else rm -rf --one-file-system "$d"; fi
  done
}
new_work() {
  work=$(mktemp -d /var/tmp/retrysim-root.XXXXXX) || die "mktemp failed"
  root=$work/root
  echo "$$ $(start_time $$)" > "$work/owner"
}
cleanup() {
  local rc=$? m i
  trap - EXIT INT TERM
  [ -n "$root" ] && stop_pids_in "$root"
  for (( i = ${#mounts[@]} - 1; i >= 0; i-- )); do       # reverse order of mounting
    m=${mounts[i]}
    mountpoint -q "$m" || continue
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || echo "fresh-root: cannot unmount $m" >&2
  done
  [ -n "$work" ] && unmount_under "$work"                   # anything else (mounted from inside)
  if [ -n "$work" ] && [ -d "$work" ]; then
    if [ -n "$(under_work)" ]; then
      echo "fresh-root: still mounted under $work, NOT deleting it:" >&2; under_work >&2; rc=2
    elif [ "$keep" -eq 1 ]; then
      say "kept the root (nothing mounted): $root"
    else
      rm -rf --one-file-system "$work"
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM
set -m    # each phase in its own process group, signals not ignored; `wait` lets the traps run at once

# run_bg CMD...: runs CMD in the background and waits for it (interruptible)
run_bg() { "$@" < /dev/null & wait $!; }

# --- the base root: cached tarball, or debootstrap
reap_stale
mkdir -p "$cache_dir" || die "cannot create $cache_dir"
t=$(now)
exec 9> "$cache_dir/.lock"
flock 9 || die "cannot lock $cache_dir/.lock"
if [ "$refresh" -eq 1 ] || [ ! -s "$cache" ]; then
  say "base: building with debootstrap --variant=minbase $release (cache $([ -s "$cache" ] && echo refresh || echo missing))"
  new_work
  if ! run_bg debootstrap --variant=minbase --arch="$arch" "$release" "$root" "$mirror" > "$work/debootstrap.out" 2>&1; then
    tail -n 20 "$work/debootstrap.out" >&2; [ -f "$root/debootstrap/debootstrap.log" ] && tail -n 20 "$root/debootstrap/debootstrap.log" >&2
    die "debootstrap failed (mirror $mirror)"
  fi
  unmount_under "$work"
  [ -z "$(under_work)" ] || die "debootstrap left mounts under $work"
  rm -rf "$root"/var/cache/apt/archives/*.deb
  tar --numeric-owner --xattrs --xattrs-include='*' -C "$root" -czpf "$cache.tmp" . && mv "$cache.tmp" "$cache" \
    || { rm -f "$cache.tmp"; die "cannot write $cache"; }
  base_how="built by debootstrap in $(secs "$t") s (no cache)"
  say "base: $base_how, cached ($(du -m "$cache" | cut -f1) MB)"
else
  base_how="cached ($(du -m "$cache" | cut -f1) MB tarball)"
fi
flock -u 9; exec 9>&-
t=$(now)
[ -n "$work" ] || new_work
rm -rf --one-file-system "$root" && mkdir -p "$root" \
  && tar --numeric-owner --xattrs --xattrs-include='*' -C "$root" -xzpf "$cache" || die "cannot unpack $cache into $root"
t_unpack=$(secs "$t")
say "base: $base_how; unpacked into $root in $t_unpack s"

# --- mounts: proc, sys (read-only), a private devpts and /dev/shm; the
# device nodes in /dev come with debootstrap, the host's /dev is not bound
domount() {  # domount TARGET MOUNT-ARGS...
  local m=$root/$1; shift
  mkdir -p "$m" && mount "$@" "$m" || die "cannot mount $m ($*)"
  mounts+=("$m")
}
[ -c "$root/dev/null" ] || die "$root/dev has no device nodes"
domount proc     -t proc -o nosuid,nodev,noexec proc
domount sys      -t sysfs -o ro,nosuid,nodev,noexec sysfs
domount dev/pts  -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts
domount dev/shm  -t tmpfs -o mode=1777,nosuid,nodev shm
rm -f "$root/etc/resolv.conf" && cp -L /etc/resolv.conf "$root/etc/resolv.conf" || die "cannot copy /etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d" && chmod 755 "$root/usr/sbin/policy-rc.d"   # no daemon starts in the root

# in_root CMD: a login-like root shell in the fresh root, with a clean environment
in_root() {
  run_bg chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin bash -c "$1"
}

# --- the only prerequisite: make
t=$(now)
say "== apt-get install make"
in_root 'export DEBIAN_FRONTEND=noninteractive; apt-get update -q && apt-get install -y -q --no-install-recommends make' \
  > "$work/make.out" 2>&1 || { tail -n 20 "$work/make.out" >&2; die "apt-get install make failed in the fresh root"; }
t_make=$(secs "$t")
say "make installed ($(chroot "$root" make --version 2>/dev/null | head -1)) in $t_make s"

# --- the source: a clean git archive of HEAD
t=$(now)
mkdir -p "$root/root/retrysim" && git -C "$repo" archive --format=tar HEAD | tar -x -C "$root/root/retrysim" \
  || die "git archive HEAD failed"
t_src=$(secs "$t")
say "source: git archive $head -> /root/retrysim in $t_src s"

# --- the two commands
t=$(now)
say "== make demo"
in_root 'set -o pipefail; cd /root/retrysim && make demo 2>&1 | tee /root/demo.log' 2>&1; demo_rc=$?
t_demo=$(secs "$t")
say "make demo: exit $demo_rc in $t_demo s"
t=$(now)
say "== make test"
in_root 'set -o pipefail; cd /root/retrysim && make test 2>&1 | tee /root/test.log' 2>&1; test_rc=$?
t_test=$(secs "$t")
summary=$(grep -a '^tests: [0-9]* passed, [0-9]* failed' "$root/root/test.log" 2>/dev/null | tail -1)
say "make test: exit $test_rc in $t_test s: ${summary:-no summary line}"

echo "fresh-root: Debian $release/$arch, HEAD $head"
echo "fresh-root: phases: base $base_how, unpack $t_unpack s, apt-get install make $t_make s, source $t_src s," \
     "make demo $t_demo s, make test $t_test s; total $(secs "$t_all") s"
echo "fresh-root: make demo exit $demo_rc; make test exit $test_rc (${summary:-no summary line})"
[ "$demo_rc" -eq 0 ] && [ "$test_rc" -eq 0 ] && exit 0
exit 1
