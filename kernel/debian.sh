#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debian.sh: Debian's own kernel of the series pinned in kernel/series, for
# the guest's architecture (arm64, or amd64 for ARCH=x86_64),
# as a user of that distribution gets it (VARIANT=debian): the image and
# modules packages, the headers package with the host's kbuild tools (to
# cross-build our modules as `make -C .../build M=...` would natively),
# Debian's uapi headers (linux-libc-dev) and an initramfs made by Debian's
# dracut. Output, in a cache directory keyed by the package versions:
#   vmlinuz, initramfs.img, .config, include/config/kernel.release
#   staging/lib/modules/REL/   Debian's modules (the layout of our builds)
#   headers/                   the headers, kbuild and libc-dev packages
#   usr/include/               uapi headers of the same kernel
# Runs inside the tool root; prints the directory on stdout.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

arch=$DEB_ARCH
series=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/kernel/series")
suites=(trixie trixie-backports)

# A private apt for the guest's package lists (the tool root's own apt is
# amd64 only).
apt_dir=$CACHE/debian/apt-$arch
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
for s in "${suites[@]}"; do
	echo "deb [arch=$arch] $DEBIAN_MIRROR $s main"
done >"$apt_dir/sources.list"
apt_opts=(-o Dir::Etc::SourceList="$apt_dir/sources.list"
	-o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$apt_dir/lists"
	-o Dir::Cache="$apt_dir" -o Dir::State::status=/dev/null
	-o APT::Architecture="$arch" -o APT::Architectures="$arch"
	-o APT::Sandbox::User=root)

# image_pkg: the newest image package of the series, e.g.
# linux-image-7.3.4+deb13-arm64 (the unsigned one where both exist).
image_pkg() {
	apt-cache "${apt_opts[@]}" search --names-only \
		"^linux-image-${series//./\\.}\.[0-9]+[^-]*-$arch(-unsigned)?\$" |
		cut -d' ' -f1 | sort -V | tail -n 1
}

img=$(image_pkg)
if [ -z "$img" ]; then
	say "updating the $arch package lists of ${suites[*]}" >&2
	apt-get "${apt_opts[@]}" update >"$apt_dir/update.log" 2>&1 ||
		die "apt-get update for $arch failed (log: $apt_dir/update.log); is $DEBIAN_MIRROR reachable?"
	img=$(image_pkg)
fi
[ -n "$img" ] ||
	die "Debian has no $arch kernel image of series $series (kernel/series) in ${suites[*]}"
rel=${img#linux-image-}
rel=${rel%-unsigned}
ver=$(apt-cache "${apt_opts[@]}" policy "$img" | sed -n 's/^ *Candidate: //p')

key=$( (echo "$img=$ver"; cat "$0" "$TOP/kernel/debian/dracut.conf" \
	"$TOP/kernel/debian/sysroot-ldd.sh") | sha256sum | cut -c1-12)
out=$CACHE/debian/kernel-$rel-$key
mkdir -p "$BUILD"
ln -sfn "$out" "$BUILD/kernel-debian"
# The source of the series, for the test programs' kselftest harness.
ln -sfn "$("$TOP/kernel/fetch.sh")" "$BUILD/linux"
if [ -e "$out/.complete" ]; then
	echo "$out"
	exit 0
fi
build_start "$CACHE/debian" "$out" "preparing Debian's kernel"
log=$CACHE/logs/debian-kernel.log
mkdir -p "$CACHE/logs"

# The image, its modules and what dracut copies into the initramfs, as
# Debian $arch files: apt resolves the dependencies as it would for
# `apt install -t trixie-backports`.
say "extracting $img $ver, Debian's dracut and its tools (log: $log)" >&2
sysroot=$tmp/sysroot
run_logged "$log" mmdebstrap --mode=root --variant=extract \
	--architectures=$arch --format=directory \
	--aptopt='APT::Install-Recommends "false"' \
	--aptopt="APT::Default-Release \"${suites[-1]}\"" \
	--include="$img,dracut,udev,kmod,bash,util-linux,coreutils,sed" \
	trixie "$sysroot" \
	"$(for s in "${suites[@]}"; do echo "deb $DEBIAN_MIRROR $s main"; done)" >&2 ||
	die "mmdebstrap of $img and dracut failed (log: $log)"
mods=$sysroot/usr/lib/modules/$rel
[ -e "$mods/vmlinuz" ] || die "$img has no usr/lib/modules/$rel/vmlinuz"
# /bin/sh comes from a maintainer script, which extraction does not run.
[ -e "$sysroot/usr/bin/sh" ] || ln -s bash "$sysroot/usr/bin/sh"
depmod -b "$sysroot" "$rel"

# dracut runs on this host over the guest's files: its scripts and the
# helpers it installs come from the sysroot, the installer is the
# host's (dracut-install) and sysroot-ldd.sh stands in for ldd.
say "making the initramfs with Debian's dracut" >&2
mkdir -p "$tmp/dracut.conf.d"
run_logged "$CACHE/logs/debian-dracut.log" env RFL_SYSROOT="$sysroot" \
	RFL_TRIPLET="$TRIPLET" \
	dracutbasedir="$sysroot/usr/lib/dracut" \
	DRACUT_INSTALL=/usr/lib/dracut/dracut-install \
	DRACUT_LDD="$TOP/kernel/debian/sysroot-ldd.sh" \
	DRACUT_ARCH="$RFL_ARCH" DRACUT_LDCONFIG=/bin/true \
	bash "$sysroot/usr/bin/dracut" --sysroot "$sysroot" \
	--conf "$TOP/kernel/debian/dracut.conf" --confdir "$tmp/dracut.conf.d" \
	--kver "$rel" --kmoddir "$mods" "$tmp/initramfs.img" >&2 ||
	die "dracut failed (log: $CACHE/logs/debian-dracut.log)"

# The headers packages (the guest's and common), the kbuild tools they
# point to for this host (amd64, from the tool root's apt) and
# linux-libc-dev.
say "downloading the headers of $rel" >&2
dl=$tmp/debs
mkdir -p "$dl"
common=$(apt-cache "${apt_opts[@]}" show "linux-headers-$rel=$ver" |
	sed -n 's/^Depends: .*\(linux-headers-[^ ,]*-common\).*/\1/p' | head -n 1)
kbuild=$(apt-cache "${apt_opts[@]}" show "linux-headers-$rel=$ver" |
	sed -n 's/^Depends: .*\(linux-kbuild-[^ ,]*\).*/\1/p' | head -n 1)
if [ -z "$common" ] || [ -z "$kbuild" ]; then
	die "linux-headers-$rel=$ver does not name its common and kbuild packages"
fi
(cd "$dl" && apt-get "${apt_opts[@]}" download "linux-headers-$rel=$ver" \
	"$common=$ver" "linux-libc-dev=$ver" &&
	apt-get -o APT::Sandbox::User=root download "$kbuild=$ver") \
	>"$tmp/download.log" 2>&1 ||
	die "could not download the headers of $rel: $(tail -n 3 "$tmp/download.log")"
for deb in "$dl"/*.deb; do
	dpkg-deb -x "$deb" "$tmp/headers"
done

say "assembling $out" >&2
o=$tmp/out
mkdir -p "$o/staging/lib/modules" "$o/include/config" "$o/usr"
mv "$mods/vmlinuz" "$o/vmlinuz"
mv "$tmp/initramfs.img" "$o/initramfs.img"
mv "$mods" "$o/staging/lib/modules/"
mv "$tmp/headers" "$o/headers"
cp "$o/headers/usr/src/linux-headers-$rel/.config" "$o/.config"
echo "$rel" >"$o/include/config/kernel.release"
# One include directory, as `make headers` leaves it in our builds.
cp -a "$o/headers/usr/include" "$o/usr/include"
cp -a "$o/usr/include/$TRIPLET/asm" "$o/usr/include/asm"
touch "$o/usr/include/.complete" "$o/.complete"
rm -rf "$out"
mv "$o" "$out"
say "Debian's kernel ready: $out" >&2
prune_old 2 "$out" "$CACHE/debian/kernel-"*"-$arch-"*
echo "$out"
