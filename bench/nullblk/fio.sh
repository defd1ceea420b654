#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Null block IOPS, the paper's RQ2 measurement redone side by side: cnull,
# null_blk and rnull, each through its own configfs tree, interleaved
# round by round in one boot, in a seeded random order within each round.
# One RESULT line per measurement, with the device's configuration as read
# back from sysfs and configfs; `make compare` pairs them by round.
#
# The paper's fio: psync randread, 4 KiB blocks, numjobs 4, direct I/O,
# on a memory-backed device (null_blk queue_mode=2 irqmode=0
# hw_queue_depth=256 memory_backed=1 no_sched=1 gb=4). Here, both modes:
#   backed   memory_backed=1, the device written in full first (reads of
#            an empty store would measure zero-fill); rnull has no
#            backing: a SKIP line instead
#   nobacked memory_backed=0, where rnull can run too
# Quick: 5 rounds of 1 s runs; FULL=1: 10 rounds of 10 s. Reads stay in
# the first 256 MiB (what is prefilled: four backing stores of it fit the
# guest's 1 GiB); the device is powered off (its pages freed) after each
# turn. Each turn starts with a 0.2 s warm-up run that is not recorded.
. "$(dirname "$0")/../../tests/lib/rfl.sh"
. "$(dirname "$0")/../../tests/lib/benchlib.sh"
. "$(dirname "$0")/../../tests/lib/nullblklib.sh"

NAME=rflbench
DEV=/dev/$NAME
AREA=256M

# impl_setup IMPL: MOD CFS PARAMS (tests/lib/nullblklib.sh) and D.
impl_setup() {
	nullblk_impl "$1"
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
	# null_blk adds a polled queue by default (poll_queues=1): a second
	# hardware queue the others do not have (psync never polls).
	[ -e "$D/poll_queues" ] && echo 0 >"$D/poll_queues"
	[ -e "$D/memory_backed" ] && echo "$2" >"$D/memory_backed"
	echo 1 >"$D/power"
	wait_for 5 test -b "$DEV" || fail "$1: no $DEV after power on"
	echo none >"/sys/block/$NAME/queue/scheduler" 2>/dev/null || true
}

power_off() {
	echo 0 >"$D/power"
	rmdir "$D"
}

# hw_queues: how many hardware (submit) queues the device has.
hw_queues() {
	set -- "/sys/block/$NAME/mq/"*
	echo $#
}

# dev_config: the cfg_ words of the device as the kernel has it: queue
# depth, scheduler, hardware queues, block size, backing, irqmode, and
# whether the queue may sleep (null_blk's configfs says; cnull and rnull
# have no such attribute: n/a).
dev_config() {
	q=/sys/block/$NAME/queue
	echo "cfg_depth=$(cat "$q/nr_requests")" \
		"cfg_sched=$(sed 's/.*\[\(.*\)\].*/\1/' "$q/scheduler")" \
		"cfg_hwq=$(hw_queues)" \
		"cfg_bs=$(cat "$q/logical_block_size")" \
		"cfg_backed=$(cat "$D/memory_backed" 2>/dev/null || echo none)" \
		"cfg_irqmode=$(cat "$D/irqmode")" \
		"cfg_blocking=$(cat "$D/blocking" 2>/dev/null || echo n/a)"
}

# fio_run RW JOBS [OPTION...]: one fio run over the first $AREA of $DEV
# (options after the first two override the defaults), fio's terse
# output in /tmp/fio.out; or fio's output and a FAIL line on stderr.
fio_run() {
	rw=$1 jobs=$2
	shift 2
	fio --name=b --filename="$DEV" --direct=1 --bs=4k --ioengine=psync \
		--rw="$rw" --numjobs="$jobs" --group_reporting --size=$AREA \
		--output-format=terse --terse-version=3 "$@" >/tmp/fio.out 2>&1 ||
		{ cat /tmp/fio.out >&2; fail "fio $rw $jobs $*" >&2; }
}

# iops RW JOBS: one measured run, its IOPS on stdout; or a non-zero
# status, fio's output and a FAIL line on stderr (stdout is the caller's
# $(...), where they would be lost).
iops() {
	fio_run "$1" "$2" --runtime="$RUNTIME" --time_based
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

# has_backing IMPL: whether the implementation can be memory-backed.
has_backing() {
	[ "$1" = null_blk ] ||
		grep -q memory_backed "/sys/kernel/config/$CFS/features"
}

bench_fio() {
	ROUNDS=5 RUNTIME=1 JOBS=4
	[ "${RFL_FULL:-}" = 1 ] && ROUNDS=10 RUNTIME=10
	impls="null_blk cnull rnull"
	for impl in $impls; do
		impl_setup "$impl"
		modprobe -r "$MOD" 2>/dev/null || true
		# shellcheck disable=SC2086 # PARAMS is a word list
		modprobe "$MOD" $PARAMS
	done
	trap unload_all EXIT
	echo "PROGRESS bench=nullblk rounds=$ROUNDS" # the host's progress line
	sys=$(sys_config)
	r=1
	while [ "$r" -le "$ROUNDS" ]; do
		# Every (configuration, driver) turn of the round, shuffled.
		turns=
		for impl in $impls; do
			turns="$turns backed:$impl nobacked:$impl"
		done
		for turn in $(shuffle "$r" "$turns"); do
			cfg=${turn%%:*} impl=${turn#*:}
			impl_setup "$impl"
			backed=0
			if [ "$cfg" = backed ]; then
				backed=1
				if ! has_backing "$impl"; then
					echo "RESULT bench=nullblk impl=$impl config=$cfg round=$r skip=no-memory-backing"
					continue
				fi
			fi
			power_on "$impl" "$backed"
			# Written in full, so reads find data (backed) rather than
			# holes; on an unbacked device writes are dropped: no fill.
			if [ "$backed" = 1 ]; then
				fio_run write 1 --bs=1M
			fi
			fio_run randread "$JOBS" --runtime=200ms --time_based # warm-up
			v=$(iops randread "$JOBS")
			echo "RESULT bench=nullblk impl=$impl config=$cfg engine=psync rw=randread jobs=$JOBS round=$r iops=$v" \
				"cfg_prefilled=$([ "$backed" = 1 ] && echo $AREA || echo no)" \
				"$(dev_config) $sys"
			power_off
		done
		r=$((r + 1))
	done
}

# FULL=1: 10 rounds of 5 turns of a 10 s run.
t=1800
[ "${RFL_FULL:-}" = 1 ] && t=3600
case_add compare/nullblk/fio bench_fio timeout=$t

rfl_main "$@"
