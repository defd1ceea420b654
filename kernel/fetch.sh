#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch Debian's linux-source package for the series pinned in kernel/series
# and extract it, with kernel/patches/*.patch applied, into the cache.
# Prints the path of the extracted tree on stdout. Runs inside the tool root.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

series=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/kernel/series")
pkg=linux-source-$series

ver=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	apt-get update >/dev/null 2>&1 || true
	ver=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
fi
dl=$CACHE/downloads
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	# The archive has dropped the series: the package downloaded before
	# still builds it here.
	kept=$(find "$dl" -maxdepth 1 -name "${pkg}_*_all.deb" 2>/dev/null | sort -V | tail -n 1)
	if [ -n "$kept" ]; then
		ver=$(basename "$kept" _all.deb)
		ver=${ver#"${pkg}"_}
		ver=${ver//%3a/:}
		say "$pkg is no longer in the archive; using the kept $(basename "$kept")" >&2
	else
		avail=$(apt-cache search --names-only '^linux-source-[0-9.]+$' |
			cut -d' ' -f1 | sort -V | xargs)
		die "$pkg (series $series, pinned in kernel/series) is not in the tool root's suites (trixie, trixie-updates, trixie-backports) nor kept in $dl. The archive has: ${avail:-none}. Set one of those series in kernel/series."
	fi
fi

patches=("$TOP"/kernel/patches/*.patch)
[ -e "${patches[0]}" ] || patches=()
key=$(printf '%s\n' "$pkg=$ver" | cat - "${patches[@]}" | sha256sum | cut -c1-12)
src=$CACHE/kernel/src-$series-$key
if [ -e "$src/.complete" ]; then
	echo "$src"
	exit 0
fi

mkdir -p "$dl" "$CACHE/kernel"
# apt names the file after the version with ':' escaped.
deb=$dl/${pkg}_${ver//:/%3a}_all.deb
[ -e "$deb" ] || deb=
if [ -z "$deb" ]; then
	say "downloading $pkg $ver" >&2
	tmpdl=$(mktemp -d "$dl/tmp.XXXXXX")
	(cd "$tmpdl" && apt-get -o APT::Sandbox::User=root download "$pkg=$ver" >&2) ||
		{ rm -rf "$tmpdl"; die "apt-get download $pkg=$ver failed; is the archive reachable?"; }
	mv "$tmpdl"/*.deb "$dl/"
	rmdir "$tmpdl"
	deb=$dl/${pkg}_${ver//:/%3a}_all.deb
	[ -e "$deb" ] || die "apt-get download did not produce $deb"
fi

say "extracting $(basename "$deb")" >&2
rm -rf "$src.tmp"
mkdir -p "$src.tmp"
dpkg-deb --fsys-tarfile "$deb" |
	tar -xO --wildcards './usr/src/linux-source-*.tar.*' |
	tar -xJ -C "$src.tmp" --strip-components=1
for p in "${patches[@]}"; do
	say "applying $(basename "$p")" >&2
	patch -d "$src.tmp" -p1 --batch --forward <"$p" >&2 ||
		die "kernel/patches/$(basename "$p") does not apply to $pkg $ver"
done
touch "$src.tmp/.complete"
rm -rf "$src"
mv "$src.tmp" "$src"
echo "$src"
