#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# For `make compare`: load and unload every module of the suite (ours and
# the mainline references) and report each outcome as a RESULT line. One
# case for all of them: a case costs seconds of runner overhead under TCG,
# and `make test` already loads and unloads each module in its own cases.
. "$(dirname "$0")/../../tests/lib/rfl.sh"
SUITE=${SUITE:-/mnt/suite}

# load_one MODULE: one RESULT line; fails when the module misbehaved.
load_one() {
	m=$1
	sys=$(echo "$m" | tr - _)
	permanent=
	# No module_exit (binder_linux): loaded for good, by design.
	if [ -d "/sys/module/$sys" ]; then
		# Loaded by an earlier bench; only a permanent one may be.
		if grep -q "^$sys .*\[permanent\]" /proc/modules; then
			echo "RESULT module=$m load=already-loaded unload=permanent"
			return 0
		fi
		echo "RESULT module=$m load=already-loaded"
		return 1
	fi
	if ! modprobe "$m"; then
		echo "RESULT module=$m load=failed"
		return 1
	fi
	grep -q "^$sys .*\[permanent\]" /proc/modules && permanent=1
	if [ -n "$permanent" ]; then
		echo "RESULT module=$m load=ok unload=permanent"
		return 0
	fi
	if ! modprobe -r "$m"; then
		echo "RESULT module=$m load=ok unload=failed"
		return 1
	fi
	echo "RESULT module=$m load=ok unload=ok"
}

load_all() {
	bad=
	# modules.tsv: name, path under lib/modules/REL, size (made by suite.sh)
	while read -r name path _size; do
		case $path in
		extra/tests/*) continue ;; # the runner's own self-test modules
		esac
		load_one "$name" || bad="$bad $name"
	done <"$SUITE/modules.tsv"
	[ -z "$bad" ] || fail "modules that did not load and unload:$bad"
}

case_add compare/modules/load-unload load_all timeout=600

rfl_main "$@"
