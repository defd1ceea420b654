#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# enter-root.sh ROOT CMD...: bind the host's /proc, /sys, /dev, the checkout
# and the cache into ROOT and run CMD there. Called by in_root() inside a
# fresh mount namespace; do not run it directly.
set -euo pipefail

root=$1
shift

for d in proc sys dev; do
	mount --rbind "/$d" "$root/$d"
done
mkdir -p "$BUILD"
for d in "$TOP" "$CACHE" "$BUILD"; do
	mkdir -p "$root$d"
	mount --bind "$d" "$root$d"
done
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

# Keep the caller's directory when the root can see it.
case $PWD in
"$TOP"* | "$CACHE"* | "$BUILD"*) dir=$PWD ;;
*) dir=$TOP ;;
esac

# The architecture, mirror and proxies reach every step inside the root.
pass=()
for v in RFL_ARCH DEBIAN_MIRROR http_proxy https_proxy no_proxy HTTP_PROXY \
	HTTPS_PROXY NO_PROXY; do
	[ -z "${!v:-}" ] || pass+=("$v=${!v}")
done
# The inner shell expands $1 and $@, not this one.
# shellcheck disable=SC2016
exec chroot "$root" /usr/bin/env -i \
	HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	TOP="$TOP" CACHE="$CACHE" BUILD="$BUILD" "${pass[@]}" \
	/bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$dir" "$@"
