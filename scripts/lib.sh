# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the build scripts: cache layout, progress lines, running
# commands inside the tool root. Sourced, never executed.

# shellcheck shell=bash

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rfl-drivers}
BUILD=${BUILD:-$TOP/build}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
export TOP CACHE BUILD DEBIAN_MIRROR

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
# stamp: last built), and remove the rest: a changed input leaves the old
# build behind, and each is gigabytes. KEEP 2 spares the previous one,
# which another checkout may still be using.
prune_old() {
	local keep=$1 current=$2 d
	shift 2
	for d in "$@"; do
		[ "$d" != "$current" ] || continue
		[ -e "$d/.complete" ] || continue
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
	unshare --mount --propagation private -- \
		"$TOP/scripts/enter-root.sh" "$root" "$@"
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
