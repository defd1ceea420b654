#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# suite.sh VARIANT: build our modules against the kernel of VARIANT and
# assemble the "suite" share the guest mounts at /mnt/suite:
#   init, bin/        the guest side of the runner
#   lib/modules/REL/  mainline modules (kernel/) and ours (extra/), depmod'ed
#   tests/GROUP/      test programs, built for the guest's architecture
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
if [ "$variant" = debian ]; then
	# As `make -C /lib/modules/REL/build M=...` on Debian, whose headers
	# Makefile names /usr/src: the same two directories, in the cache.
	# Debian's kbuild sets gcc-14 and the cross prefix; C drivers only.
	src=$kbuild/headers/usr/src
	# Modules stay unsigned (Debian's key is Debian's: they taint E) and
	# uncompressed (the tests load them by path with finit_module).
	kmake=(make -C "$(echo "$src"/linux-headers-*-common)"
		KBUILD_OUTPUT="$src/linux-headers-$rel" M="$TOP" MO="$mo"
		RFL_RUST= CONFIG_MODULE_SIG_ALL= CONFIG_MODULE_COMPRESS_ALL= \
		-j"$(nproc)")
else
	kmake=(make -C "$kbuild" ARCH="$KARCH" LLVM=1 M="$TOP" MO="$mo" -j"$(nproc)")
fi

say "building our modules against $rel ($variant)" >&2
mkdir -p "$mo"
run_logged "$mo/build.log" "${kmake[@]}" modules >&2 ||
	die "module build failed (log: $mo/build.log)"

# The exact uapi headers of this kernel, for the test programs.
if [ ! -e "$kbuild/usr/include/.complete" ]; then
	run_logged "$mo/headers.log" make -C "$kbuild" ARCH="$KARCH" LLVM=1 \
		headers >&2 || die "make headers failed (log: $mo/headers.log)"
	touch "$kbuild/usr/include/.complete"
fi

rm -rf "$suite.tmp"
mkdir -p "$suite.tmp/lib/modules" "$suite.tmp/bin"
cp -a "$kbuild/staging/lib/modules/$rel" "$suite.tmp/lib/modules/"
run_logged "$mo/install.log" "${kmake[@]}" INSTALL_MOD_PATH="$suite.tmp" \
	INSTALL_MOD_DIR=extra modules_install >&2 ||
	die "module install failed (log: $mo/install.log)"
if [ "$variant" = debian ]; then
	# The headers package has no System.map, so modules_install skipped
	# depmod; the image package's is in the modules directory.
	depmod -b "$suite.tmp" -F "$suite.tmp/lib/modules/$rel/System.map" "$rel"
fi

install -m 0755 "$TOP/qemu/guest/init" "$suite.tmp/init"
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/kernel/series" >"$suite.tmp/kernel-series"
cp "$kbuild/.config" "$suite.tmp/kernel.config"
# The implementations this guest cannot have, and single cases, with the
# reason (IMPL REASON or DRIVER/IMPL/CASE REASON lines): the guest runner
# reports their cases as skips.
{
	if [ "$RFL_ARCH" != arm64 ]; then
		# The power button is line 3 of QEMU virt's PL061.
		for m in cpl061 rpl061 gpio_pl061 gpio-pl061 pipeline/qemu/power-button; do
			echo "$m no PL061 on a PC (QEMU q35): the gpio_pl061 suite runs on arm64"
		done
	fi
	if [ "$variant" = debian ]; then
		# What Debian's kernel cannot have: our Rust twins (obj-$(RFL_RUST) in
		# the Kbuild files) and mainline's Rust drivers its config leaves out.
		why="not built for Debian's kernel: its headers package carries no Rust metadata"
		# shellcheck disable=SC2016 # $(RFL_RUST) is Kbuild's, literal here
		sed -n 's/^obj-.*$(RFL_RUST).* += \(.*\)\.o$/\1/p' "$TOP"/drivers/*/Kbuild |
			sed "s/\$/ Rust twin, $why/"
		for m in rnull:BLK_DEV_RUST_NULL rnull_mod:BLK_DEV_RUST_NULL \
			rust_binder:ANDROID_BINDER_IPC_RUST rust_minimal:SAMPLE_RUST_MINIMAL \
			rust_misc_device:SAMPLE_RUST_MISC_DEVICE; do
			grep -q "^CONFIG_${m#*:}=[ym]" "$kbuild/.config" ||
				echo "${m%%:*} mainline Rust driver, not in Debian's kernel (CONFIG_${m#*:} is not set)"
		done
	fi
} >"$suite.tmp/not-applicable"
install -m 0755 "$TOP/qemu/guest/rfl-run-tests" "$TOP/qemu/guest/rfl-host" \
	"$suite.tmp/bin/"

# Test and bench programs: shell scripts as they are, C programs built for
# the guest against the kernel tree's kselftest harness and our uapi headers.
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
			"$TRIPLET-gcc" "${cflags[@]}" -o "$dst/$(basename "$f" .c)" "$f" ||
				die "could not build $top/$group/$(basename "$f")"
		done
	done
done
# Helper programs of the tests, on the guest's PATH.
for f in "$TOP"/tests/lib/*.c; do
	"$TRIPLET-gcc" "${cflags[@]}" -o "$suite.tmp/bin/$(basename "$f" .c)" "$f" ||
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
