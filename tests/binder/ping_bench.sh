#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The ping benchmark (bench/binder/ping.c) in miniature, so it cannot rot
# between `make compare` runs: 200 round trips a run, every implementation
# present, RESULT lines checked.
. "$(dirname "$0")/../lib/rfl.sh"

BENCH=$(dirname "$0")/../../bench/binder/ping

ping_quick() {
	out=$(RFL_BINDER_TRIPS=200 "$BENCH" --run binder/interleaved/ping 2>&1) ||
		fail "bench failed: $out"
	printf '%s\n' "$out"
	for impl in cbinder binder_linux; do
		n=$(printf '%s\n' "$out" | grep -c "^RESULT bench=binder impl=$impl ")
		expect_eq "RESULT lines of $impl" "$n" 10
	done
}
case_add bench/binder/ping-quick ping_quick timeout=300

rfl_main "$@"
