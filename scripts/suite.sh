#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# suite.sh VARIANT: build our modules against the kernel of VARIANT and
# assemble the "suite" share the guest mounts at /mnt/suite:
#   init, bin/        the guest side of the runner
#   lib/modules/REL/  mainline modules (kernel/) and ours (extra/), depmod'ed
#   tests/GROUP/      test programs, cross-built for arm64
#   bench/GROUP/      bench programs
#   faults/GROUP/     the fault-injection sweep (make faults)
# Runs inside the tool root; prints the share's path on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:-main}
kbuild=$("$TOP/kernel/build.sh" "$variant")
ksrc=$(readlink -f "$BUILD/linux")
rel=$(cat "$kbuild/include/config/kernel.release")
mo=$BUILD/modules-$variant
suite=$BUILD/suite-$variant
kmake=(make -C "$kbuild" ARCH=arm64 LLVM=1 M="$TOP" MO="$mo" -j"$(nproc)")

say "building our modules against $rel ($variant)" >&2
mkdir -p "$mo"
run_logged "$mo/build.log" "${kmake[@]}" modules >&2 ||
	die "module build failed (log: $mo/build.log)"

# The exact uapi headers of this kernel, for the test programs.
if [ ! -e "$kbuild/usr/include/.complete" ]; then
	run_logged "$mo/headers.log" make -C "$kbuild" ARCH=arm64 LLVM=1 \
		headers >&2 || die "make headers failed (log: $mo/headers.log)"
	touch "$kbuild/usr/include/.complete"
fi

rm -rf "$suite.tmp"
mkdir -p "$suite.tmp/lib/modules" "$suite.tmp/bin"
cp -a "$kbuild/staging/lib/modules/$rel" "$suite.tmp/lib/modules/"
run_logged "$mo/install.log" "${kmake[@]}" INSTALL_MOD_PATH="$suite.tmp" \
	INSTALL_MOD_DIR=extra modules_install >&2 ||
	die "module install failed (log: $mo/install.log)"

install -m 0755 "$TOP/qemu/guest/init" "$suite.tmp/init"
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/kernel/series" >"$suite.tmp/kernel-series"
cp "$kbuild/.config" "$suite.tmp/kernel.config"
install -m 0755 "$TOP/qemu/guest/rfl-run-tests" "$TOP/qemu/guest/rfl-host" \
	"$suite.tmp/bin/"

# Test and bench programs: shell scripts as they are, C programs built for
# arm64 against the kernel tree's kselftest harness and our uapi headers.
cflags=(-O2 -g -Wall -Werror -D_GNU_SOURCE -pthread
	-I"$ksrc/tools/testing/selftests" -I"$kbuild/usr/include"
	-I"$TOP/include/uapi" -I"$TOP/tests/lib")
for top in tests bench faults; do
	for dir in "$TOP/$top"/*/; do
		group=$(basename "$dir")
		# Directories with a Kbuild hold kernel modules (built above).
		[ -e "$dir/Kbuild" ] && continue
		dst=$suite.tmp/$top/$group
		mkdir -p "$dst"
		for f in "$dir"*.sh; do
			[ -e "$f" ] || continue
			if [ "$group" = lib ]; then
				install -m 0644 "$f" "$dst/"
			else
				install -m 0755 "$f" "$dst/$(basename "$f" .sh)"
			fi
		done
		for f in "$dir"*.c; do
			[ -e "$f" ] || continue
			[ "$group" = lib ] && continue
			aarch64-linux-gnu-gcc "${cflags[@]}" -o "$dst/$(basename "$f" .c)" "$f" ||
				die "could not build $top/$group/$(basename "$f")"
		done
	done
done
# Helper programs of the tests, on the guest's PATH.
for f in "$TOP"/tests/lib/*.c; do
	aarch64-linux-gnu-gcc "${cflags[@]}" -o "$suite.tmp/bin/$(basename "$f" .c)" "$f" ||
		die "could not build tests/lib/$(basename "$f")"
done

# Sizes of every module for the comparison, measured here where the
# toolchain is.
find "$suite.tmp/lib/modules/$rel" -name '*.ko' | sort | while read -r ko; do
	printf '%s\t%s\t%s\n' "$(basename "$ko" .ko)" "${ko#"$suite.tmp/lib/modules/$rel/"}" "$(stat -c %s "$ko")"
done >"$suite.tmp/modules.tsv"

rm -rf "$suite"
mv "$suite.tmp" "$suite"
say "suite share ready: $suite" >&2
echo "$suite"
