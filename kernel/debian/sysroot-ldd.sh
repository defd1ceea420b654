#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sysroot-ldd.sh FILE: ldd for a FILE of the guest's architecture inside the
# sysroot $RFL_SYSROOT (GNU triplet $RFL_TRIPLET), for dracut (DRACUT_LDD):
# ldd would run the host's loader, or cannot run an arm64 one. Reads the
# ELF dynamic section instead and prints, in ldd's format, every shared
# object FILE needs (recursively), as a path inside the sysroot.
set -euo pipefail
root=${RFL_SYSROOT:?RFL_SYSROOT is not set}
triplet=${RFL_TRIPLET:?RFL_TRIPLET is not set}
libdirs=("/usr/lib/$triplet" /usr/lib "/lib/$triplet" /lib /usr/lib64 /lib64)

needed() {
	llvm-readelf --dynamic-table "$1" 2>/dev/null |
		sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'
}

# The RUNPATH (or RPATH) directories of a file, searched before the rest.
runpath() {
	llvm-readelf --dynamic-table "$1" 2>/dev/null |
		sed -n 's/.*(R[UN]*PATH).*\[\(.*\)\]$/\1/p' | tr ':' '\n'
}

interp=$(llvm-readelf --program-headers "$1" 2>/dev/null |
	sed -n 's/.*\[Requesting program interpreter: \(.*\)\]$/\1/p')
if [ -z "$interp" ] && [ -z "$(needed "$1")" ]; then
	echo "	not a dynamic executable"
	exit 1
fi

declare -A seen=()
todo=("$1")
while [ ${#todo[@]} -gt 0 ]; do
	f=${todo[0]}
	todo=("${todo[@]:1}")
	for lib in $(needed "$f"); do
		[ -z "${seen[$lib]:-}" ] || continue
		seen[$lib]=1
		for d in $(runpath "$f") "${libdirs[@]}"; do
			if [ -e "$root$d/$lib" ]; then
				echo "	$lib => $d/$lib (0x0)"
				todo+=("$root$d/$lib")
				continue 2
			fi
		done
		echo "	$lib => not found"
	done
done
[ -z "$interp" ] || echo "	$interp (0x0)"
