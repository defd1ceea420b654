#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest's root file system from Debian trixie packages of the
# guest's architecture (arm64, or amd64 for ARCH=x86_64) with
# mmdebstrap's extract variant (no maintainer scripts, so no emulation
# needed), into a cache directory keyed by its inputs. Built in a temporary
# directory and renamed when complete. Runs inside the tool root; prints the
# root's path on stdout.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

key=$( (echo "$DEB_ARCH"; hash_of "$TOP/rootfs/build.sh" "$TOP/rootfs/packages" \
	"$TOP/rootfs/rfl-init") | sha256sum | cut -c1-12)
# The architecture in the name: prune_old keeps one old root per guest.
out=$CACHE/rootfs/$DEB_ARCH-$key
mkdir -p "$BUILD"
ln -sfn "$out" "$BUILD/rootfs"
if [ -e "$out/.complete" ]; then
	echo "$out"
	exit 0
fi

mapfile -t pkgs < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/rootfs/packages")
mkdir -p "$CACHE/logs"
# One build at a time: a second run (another checkout) waits, then uses it.
build_start "$CACHE/rootfs" "$out" "building the guest root"
log=$CACHE/logs/rootfs.log
say "extracting ${#pkgs[@]} $DEB_ARCH packages and their dependencies (log: $log)" >&2
run_logged "$log" mmdebstrap --mode=root --variant=extract \
	--architectures="$DEB_ARCH" --format=directory \
	--aptopt='APT::Install-Recommends "false"' \
	--include="$(
		IFS=,
		echo "${pkgs[*]}"
	)" \
	trixie "$tmp/root" "deb $DEBIAN_MIRROR trixie main" >&2 ||
	die "mmdebstrap of the guest packages failed (log: $log); a package name wrong or the archive unreachable?"

r=$tmp/root
# merged /usr: the dynamic loader is /lib/ld-linux-aarch64.so.1 or
# /lib64/ld-linux-x86-64.so.2
mkdir -p "$r/usr/bin" "$r/usr/sbin" "$r/usr/lib"
for d in bin sbin lib lib64; do
	[ -e "$r/$d" ] || [ ! -e "$r/usr/$d" ] || ln -s "usr/$d" "$r/$d"
done
rm -rf "$r/usr/share/doc" "$r/usr/share/man" "$r/usr/share/info" \
	"$r/usr/share/locale" "$r/var/cache/apt" "$r/var/lib/apt/lists"
mkdir -p "$r/proc" "$r/sys" "$r/dev" "$r/run" "$r/tmp" "$r/root" "$r/var" \
	"$r/mnt/suite" "$r/etc" "$r/sbin" "$r/lib/modules"
echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
echo 'root:x:0:' >"$r/etc/group"
echo rfl >"$r/etc/hostname"
# The suite share carries the modules of the kernel it booted.
rm -rf "$r/lib/modules"
ln -s /mnt/suite/lib/modules "$r/usr/lib/modules"
install -m 0755 "$TOP/rootfs/rfl-init" "$r/sbin/rfl-init"
# dash's maintainer scripts would make /bin/sh; they do not run here.
ln -sfn dash "$r/usr/bin/sh"

touch "$r/.complete"
rm -rf "$out"
mv "$r" "$out"
say "guest root ready: $out ($(du -sh "$out" | cut -f1))" >&2
prune_old 2 "$out" "$CACHE/rootfs/$DEB_ARCH-"*
echo "$out"
