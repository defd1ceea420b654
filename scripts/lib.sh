# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the build scripts: cache layout, progress lines, running
# commands inside the tool root. Sourced, never executed.

# shellcheck shell=bash

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rfl-drivers}
BUILD=${BUILD:-$TOP/build}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# The guest's architecture (make ARCH=): the kernel's ARCH and image
# target, Debian's name for it and the GNU triplet of its user space.
RFL_ARCH=${RFL_ARCH:-arm64}
# shellcheck disable=SC2034 # used by the scripts that source this file
case $RFL_ARCH in
arm64) KARCH=arm64 KIMAGE_TARGET=Image DEB_ARCH=arm64 TRIPLET=aarch64-linux-gnu ;;
x86_64) KARCH=x86_64 KIMAGE_TARGET=bzImage DEB_ARCH=amd64 TRIPLET=x86_64-linux-gnu ;;
*)
	printf 'error: ARCH=%s: the guest is arm64 (default) or x86_64\n' "$RFL_ARCH" >&2
	exit 1
	;;
esac
export TOP CACHE BUILD DEBIAN_MIRROR RFL_ARCH

STEP_T0=$SECONDS

# say WHAT...: one progress line, prefixed with the time since the step began.
say() {
	printf '[%4ds] %s\n' $((SECONDS - STEP_T0)) "$*"
}

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

need_root() {
	[ "$(id -u)" -eq 0 ] ||
		die "$1 needs root ($2). Run it as root, e.g. 'sudo make ...'."
}

# hash_of FILE...: short content hash of files (and of their names).
hash_of() {
	local f
	for f in "$@"; do
		printf '%s\n' "${f#"$TOP"/}"
		cat "$f"
	done | sha256sum | cut -c1-12
}

# run_logged LOG CMD...: run CMD with all output in LOG; on failure print the
# tail of LOG and say where the rest is.
run_logged() {
	local log=$1
	shift
	mkdir -p "$(dirname "$log")"
	if ! "$@" >"$log" 2>&1; then
		echo "---- last 40 lines of $log ----" >&2
		tail -n 40 "$log" >&2
		echo "---- end of $log ----" >&2
		return 1
	fi
}

# prune_old KEEP CURRENT DIR...: of the finished builds among DIR (those
# with a .complete stamp), keep KEEP, CURRENT and the newest others (by the
# stamp: last built, or last entered for tool roots), and remove the rest:
# a changed input leaves the old build behind, and each is gigabytes. KEEP
# 2 spares the previous one, and nothing stamped in the last 24 hours
# goes: other checkouts (a branch, a worktree) may be using it.
prune_old() {
	local keep=$1 current=$2 d
	shift 2
	for d in "$@"; do
		[ "$d" != "$current" ] || continue
		[ -e "$d/.complete" ] || continue
		[ -z "$(find "$d/.complete" -mmin -1440)" ] || continue
		printf '%s %s\n' "$(stat -c %Y "$d/.complete")" "$d"
	done | sort -rn | tail -n +"$keep" | while read -r _ d; do
		say "removing an old build: $d ($(du -sh "$d" | cut -f1))" >&2
		rm -rf "$d" || say "could not remove $d" >&2
	done
}

# need_space GIB WHAT: stop early, with the figures, when the file system of
# the cache has less than GIB GiB free for WHAT (a build that fills the
# disk fails far from its cause).
need_space() {
	local free
	mkdir -p "$CACHE"
	free=$(df -P -k "$CACHE" | awk 'NR == 2 { print int($4 / 1048576) }')
	[ "$free" -ge "$1" ] ||
		die "$2 needs about $1 GiB in $CACHE, which has $free GiB free ($(df -P -h "$CACHE" | awk 'NR == 2 { print $6 }')); free some space or set CACHE= to a larger disk"
}

toolroot_key() {
	hash_of "$TOP/scripts/toolroot.sh" "$TOP/scripts/toolroot.packages"
}

toolroot_dir() {
	echo "$CACHE/toolroot/$(toolroot_key)"
}

# in_root CMD...: run CMD inside the tool root, in a private mount namespace
# so the bind mounts vanish with the process, even when it is killed. The
# checkout and the cache keep their host paths so logs and errors name real
# files.
in_root() {
	local root
	root=$(toolroot_dir)
	[ -e "$root/.complete" ] ||
		die "no tool root at $root; run 'make toolroot' first"
	# Last used, for prune_old.
	touch "$root/.complete"
	unshare --mount --propagation private -- \
		"$TOP/scripts/enter-root.sh" "$root" "$@"
}

# build_start DIR OUT WHAT: the start of a build of OUT in the cache
# directory DIR: wait for another run building there (another checkout),
# and when it finished OUT meanwhile print OUT and exit; otherwise remove
# the leftovers of interrupted runs and set $tmp to a new temporary
# directory in DIR, removed when the script exits.
build_start() {
	mkdir -p "$1"
	wait_lock "$1/.lock" "$3"
	if [ -e "$2/.complete" ]; then
		echo "$2"
		exit 0
	fi
	rm -rf "$1"/tmp.*
	tmp=$(mktemp -d "$1/tmp.XXXXXX")
	# shellcheck disable=SC2064 # $tmp is fixed from here on
	trap "rm -rf '$tmp'" EXIT
}

# wait_lock FILE WHAT: hold an exclusive lock on FILE (fd 9) for the rest of
# the script, so a second run (another checkout) waits, then reuses the
# output instead of building it twice. Progress to stderr.
wait_lock() {
	exec 9>"$1"
	if ! flock -n 9; then
		say "another run is $2; waiting for it" >&2
		flock 9
	fi
}
