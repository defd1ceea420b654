#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Null block IOPS, the paper's RQ2 measurement redone side by side: cnull,
# null_blk and rnull, each through its own configfs tree, interleaved
# round by round in one boot (the order rotates every round so no driver
# always runs first). One RESULT line per measurement; `make compare` makes
# medians, spread and ratios to null_blk of them.
#
# Configurations (both with 4 KiB blocks, irqmode 0, queue depth 256, one
# submit queue, no I/O scheduler, a 4 GiB disk as in the paper):
#   backed   memory_backed=1 (rnull has no backing: no figure, a SKIP line)
#   nobacked memory_backed=0
# Cells: fio psync (queue depth 1) and io_uring (depth 32), randread and
# randwrite, numjobs 1 (and 2 with FULL=1). Writes are confined to the
# first 256 MiB so the backing store fits the guest's 1 GiB; the device is
# powered off (its pages freed) after each driver's turn.
. "$(dirname "$0")/../../tests/lib/rfl.sh"

NAME=rflbench
DEV=/dev/$NAME

# impl_setup IMPL: MOD CFS PARAMS of one implementation.
impl_setup() {
	case $1 in
	cnull) MOD=cnull CFS=cnull PARAMS= ;;
	rnull) MOD=rnull_mod CFS=rnull PARAMS= ;;
	null_blk) MOD=null_blk CFS=nullb PARAMS=nr_devices=0 ;;
	esac
	D=/sys/kernel/config/$CFS/$NAME
}

# power_on IMPL BACKED: the paper's device, or fail.
power_on() {
	impl_setup "$1"
	mkdir "$D"
	echo 4096 >"$D/blocksize"
	echo 4096 >"$D/size"
	echo 0 >"$D/irqmode"
	if [ -e "$D/hw_queue_depth" ]; then
		echo 256 >"$D/hw_queue_depth"
		echo 1 >"$D/submit_queues"
	fi
	[ -e "$D/memory_backed" ] && echo "$2" >"$D/memory_backed"
	echo 1 >"$D/power"
	wait_for 5 test -b "$DEV" || fail "$1: no $DEV after power on"
	echo none >"/sys/block/$NAME/queue/scheduler" 2>/dev/null || true
}

power_off() {
	echo 0 >"$D/power"
	rmdir "$D"
}

# iops ENGINE RW JOBS: one fio run on $DEV, its IOPS on stdout; or a
# non-zero status, fio's output and a FAIL line on stderr (stdout is the
# caller's $(...), where they would be lost).
iops() {
	depth=1
	[ "$1" = io_uring ] && depth=32
	fio --name=b --filename="$DEV" --direct=1 --bs=4k --ioengine="$1" \
		--iodepth=$depth --rw="$2" --numjobs="$3" --group_reporting \
		--size=256M --time_based --runtime="$RUNTIME" \
		--output-format=terse --terse-version=3 >/tmp/fio.out 2>&1 ||
		{ cat /tmp/fio.out >&2; fail "fio $*" >&2; }
	# terse v3: field 5 error, 8 read IOPS, 49 write IOPS. No "3;" line
	# (fio printed something else) is an error, not an empty figure.
	awk -F';' '/^3;/ { n++; if ($5 != 0) exit 1; print $8 + $49 }
		END { if (!n) exit 2 }' /tmp/fio.out ||
		{ cat /tmp/fio.out >&2; fail "fio gave no IOPS: $*" >&2; }
}

unload_all() {
	for impl in null_blk cnull rnull; do
		impl_setup "$impl"
		[ -d "$D" ] && power_off
		modprobe -r "$MOD"
	done
}

bench_fio() {
	# Quick: 3 rounds, numjobs 1 only, half a second a run (about a minute
	# a round under TCG; make compare must stay under 15 minutes);
	# FULL=1: 10 rounds, every cell, 10 s.
	ROUNDS=3 RUNTIME=500ms JOBS=1
	[ "${RFL_FULL:-}" = 1 ] && ROUNDS=10 RUNTIME=10 JOBS="1 2"
	impls="null_blk cnull rnull"
	for impl in $impls; do
		impl_setup "$impl"
		modprobe -r "$MOD" 2>/dev/null || true
		# shellcheck disable=SC2086 # PARAMS is a word list
		modprobe "$MOD" $PARAMS
	done
	trap unload_all EXIT
	echo "PROGRESS bench=nullblk rounds=$ROUNDS" # the host's progress line
	r=1
	while [ "$r" -le "$ROUNDS" ]; do
		# Rotate the order: round 1 null_blk cnull rnull, round 2 cnull ...
		order=$(echo "$impls" | awk -v r="$r" '{
			for (i = 0; i < NF; i++) printf "%s ", $((i + r - 1) % NF + 1) }')
		for backed in 1 0; do
			cfg=backed
			[ "$backed" = 0 ] && cfg=nobacked
			for impl in $order; do
				impl_setup "$impl"
				if [ "$backed" = 1 ] &&
					! grep -q memory_backed "/sys/kernel/config/$CFS/features" &&
					[ "$impl" != null_blk ]; then
					echo "RESULT bench=nullblk impl=$impl config=$cfg round=$r skip=no-memory-backing"
					continue
				fi
				power_on "$impl" "$backed"
				for engine in psync io_uring; do
					for rw in randread randwrite; do
						for jobs in $JOBS; do
							v=$(iops $engine $rw "$jobs")
							echo "RESULT bench=nullblk impl=$impl config=$cfg engine=$engine rw=$rw jobs=$jobs round=$r iops=$v"
						done
					done
				done
				power_off
			done
		done
		r=$((r + 1))
	done
}

# FULL=1: 10 rounds of 5 driver turns of 8 runs of 10 s, over an hour.
t=1800
[ "${RFL_FULL:-}" = 1 ] && t=14400
case_add compare/nullblk/fio bench_fio timeout=$t

rfl_main "$@"
