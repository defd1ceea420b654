#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# For `make compare`: load and unload every module of the suite (ours and
# the mainline references) and report each outcome as a RESULT line.
. "$(dirname "$0")/../../tests/lib/rfl.sh"
SUITE=${SUITE:-/mnt/suite}

# modules.tsv: name, path under lib/modules/REL, size (made by suite.sh)
while read -r name path _size; do
	case $path in
	extra/tests/*) continue ;; # the runner's own self-test modules
	esac
	fn=load_$(echo "$name" | tr -c 'a-zA-Z0-9_\n' _)
	eval "$fn() { load_one $name; }"
	case_add "compare/$name/load" "$fn"
done <"$SUITE/modules.tsv"

load_one() {
	m=$1
	if [ -d "/sys/module/$(echo "$m" | tr - _)" ]; then
		echo "RESULT module=$m load=already-loaded"
		return 0
	fi
	if ! modprobe "$m"; then
		echo "RESULT module=$m load=failed"
		return 1
	fi
	# No module_exit (binder_linux): loaded for good, by design.
	if grep -q "^$(echo "$m" | tr - _) .*\[permanent\]" /proc/modules; then
		echo "RESULT module=$m load=ok unload=permanent"
		return 0
	fi
	if ! modprobe -r "$m"; then
		echo "RESULT module=$m load=ok unload=failed"
		return 1
	fi
	echo "RESULT module=$m load=ok unload=ok"
}

rfl_main "$@"
