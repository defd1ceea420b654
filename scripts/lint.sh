#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make lint: checkpatch --strict on our C and kernel patches, rustfmt --check
# on our Rust (the drivers and what the patches add to rust/), clippy with
# warnings fatal on our Rust modules and on the kernel crate as patched, and
# ShellCheck on our scripts. Runs inside the tool root (clippy needs the main
# kernel build); exits non-zero on any finding.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ksrc=$("$TOP/kernel/fetch.sh")
cd "$TOP" || exit 1
rc=0

# Our sources: everything but build outputs.
src() {
	find drivers include tests bench faults scripts kernel rootfs qemu .ci \
		-type f \( "$@" \) 2>/dev/null | sort
}

mapfile -t c_files < <(src -name '*.c' -o -name '*.h')
if [ ${#c_files[@]} -gt 0 ]; then
	say "checkpatch --strict: ${#c_files[@]} files"
	for f in "${c_files[@]}"; do
		out=$("$ksrc/scripts/checkpatch.pl" --strict --no-tree --quiet -f "$f" 2>&1) || {
			echo "$out"
			rc=1
		}
	done
fi

mapfile -t patches < <(src -path 'kernel/patches/*.patch')
if [ ${#patches[@]} -gt 0 ]; then
	say "checkpatch --strict: ${#patches[@]} kernel patches"
	for f in "${patches[@]}"; do
		out=$("$ksrc/scripts/checkpatch.pl" --strict --no-tree --quiet "$f" 2>&1) || {
			echo "$out"
			rc=1
		}
	done
fi

# Rust: ours, and the kernel files our patches add or change (as patched).
mapfile -t rs_files < <(src -name '*.rs')
mapfile -t rs_patched < <(sed -n 's|^+++ b/\(.*\.rs\)$|'"$ksrc"'/\1|p' \
	"${patches[@]}" /dev/null | sort -u)
rs_files+=("${rs_patched[@]}")
if [ ${#rs_files[@]} -gt 0 ]; then
	say "rustfmt --check: ${#rs_files[@]} files"
	rustfmt --check --edition 2021 --config-path "$ksrc/.rustfmt.toml" \
		"${rs_files[@]}" || rc=1
fi

# clippy, warnings fatal: our modules built aside (the suite's build is not
# touched), and the kernel crate through its own saved command line with
# clippy-driver, emitting metadata only (the kernel build is not touched).
kbuild=$("$TOP/kernel/build.sh" main)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
say "clippy: our Rust modules"
run_logged "$tmp/modules.log" make -C "$kbuild" ARCH=arm64 LLVM=1 M="$TOP" \
	MO="$tmp/mo" CLIPPY=1 KRUSTFLAGS=-Dwarnings -j"$(nproc)" modules || rc=1
say "clippy: the kernel crate with our abstractions"
cmd=$(sed -n 's/^savedcmd_rust\/kernel.o := //p' "$kbuild/rust/.kernel.o.cmd" |
	sed -e 's/ \(rustc\|clippy-driver\) / clippy-driver -Dwarnings /' \
	    -e 's/--emit=[^ ]*//g' \
	    -e "s|--crate-type rlib|--emit=metadata=$tmp/libkernel.rmeta --crate-type rlib|")
[ -n "$cmd" ] || die "no rust/.kernel.o.cmd in $kbuild: is the kernel built with Rust?"
(cd "$kbuild" && export CLIPPY_CONF_DIR="$ksrc" RUSTC_BOOTSTRAP=1 &&
	run_logged "$tmp/kernel.log" sh -c "$cmd") || rc=1

mapfile -t sh_files < <(src -name '*.sh' -o -path 'qemu/guest/*' -o -path .ci/run \
	-o -path rootfs/rfl-init)
say "shellcheck: ${#sh_files[@]} files"
shellcheck -x "${sh_files[@]}" || rc=1

mapfile -t py_files < <(src -name '*.py')
say "python3 -m py_compile: ${#py_files[@]} files"
python3 -m py_compile "${py_files[@]}" || rc=1

[ $rc = 0 ] && say "lint clean"
exit $rc
