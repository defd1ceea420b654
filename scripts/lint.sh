#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make lint: checkpatch --strict on our C, rustfmt --check on our Rust
# and ShellCheck on our scripts. Runs inside the tool root; exits non-zero on
# any finding.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ksrc=$("$TOP/kernel/fetch.sh")
cd "$TOP" || exit 1
rc=0

# Our sources: everything but build outputs.
src() {
	find drivers include tests bench scripts kernel rootfs qemu .ci \
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

mapfile -t rs_files < <(src -name '*.rs')
if [ ${#rs_files[@]} -gt 0 ]; then
	say "rustfmt --check: ${#rs_files[@]} files"
	rustfmt --check --edition 2021 --config-path "$ksrc/.rustfmt.toml" \
		"${rs_files[@]}" || rc=1
fi

mapfile -t sh_files < <(src -name '*.sh' -o -path 'qemu/guest/*' -o -path .ci/run \
	-o -path rootfs/rfl-init)
say "shellcheck: ${#sh_files[@]} files"
shellcheck -x "${sh_files[@]}" || rc=1

mapfile -t py_files < <(src -name '*.py')
say "python3 -m py_compile: ${#py_files[@]} files"
python3 -m py_compile "${py_files[@]}" || rc=1

[ $rc = 0 ] && say "lint clean"
exit $rc
