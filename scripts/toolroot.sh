#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make the tool root: a debootstrapped Debian trixie (+ trixie-backports)
# holding every compiler and emulator the project uses, so the host needs
# nothing but debootstrap. Built in a temporary directory and renamed when
# complete, so an interrupted run never leaves a root that looks usable.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SUITE=trixie
BACKPORTS=trixie-backports

root=$(toolroot_dir)
[ -e "$root/.complete" ] && exit 0
need_root "making the tool root" "debootstrap, chroot and mount need it"

if ! command -v debootstrap >/dev/null; then
	# A fresh Debian container has empty package lists.
	say "installing debootstrap on the host (apt-get update, install)"
	{ apt-get update && apt-get install -y debootstrap; } >/dev/null ||
		die "could not install debootstrap with apt-get; install it by hand"
fi
# The tool root, one kernel build and the kernel source come first.
need_space 7 "the tool root, the kernel source and the main and rustbinder kernel builds"

mkdir -p "$CACHE/toolroot" "$CACHE/logs"
# One build at a time: a second run (another checkout) waits, then uses it.
wait_lock "$CACHE/toolroot/.lock" "making the tool root"
[ -e "$root/.complete" ] && exit 0
# Leftovers of interrupted runs: their mounts died with their namespaces.
rm -rf "$CACHE"/toolroot/tmp.*
tmp=$(mktemp -d "$CACHE/toolroot/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log=$CACHE/logs/toolroot.log
: >"$log"

say "debootstrap $SUITE into $tmp (log: $log)"
if ! unshare --mount --propagation private -- \
	debootstrap --variant=minbase "$SUITE" "$tmp" "$DEBIAN_MIRROR" \
	>>"$log" 2>&1; then
	tail -n 30 "$log" >&2
	die "debootstrap of $SUITE from $DEBIAN_MIRROR failed (log above); is the archive reachable?"
fi

cat >"$tmp/etc/apt/sources.list" <<SRC
deb $DEBIAN_MIRROR $SUITE main
deb $DEBIAN_MIRROR $SUITE-updates main
deb $DEBIAN_MIRROR $BACKPORTS main
SRC
# No daemons start inside the root.
printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
chmod +x "$tmp/usr/sbin/policy-rc.d"

mapfile -t pkgs < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' \
	"$TOP/scripts/toolroot.packages")
say "installing ${#pkgs[@]} packages into the tool root"
if ! unshare --mount --propagation private -- \
	"$TOP/scripts/enter-root.sh" "$tmp" sh -c \
	'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" && apt-get clean' \
	apt "${pkgs[@]}" >>"$log" 2>&1; then
	tail -n 30 "$log" >&2
	missing=$(grep -o 'Unable to locate package [^ ]*' "$log" | sort -u || true)
	die "apt-get in the tool root failed${missing:+: $missing} (log: $log)"
fi

touch "$tmp/.complete"
mv "$tmp" "$root"
trap - EXIT
prune_old 2 "$root" "$CACHE"/toolroot/*
say "tool root ready: $root ($(du -sh "$root" | cut -f1))"
