#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# One test for the three null block drivers, each through its own configfs
# tree: cnull (ours, C), rnull (mainline, Rust) and null_blk (mainline, C).
# Every case loads the module, works on one device directory "rfltest"
# (the disk is /dev/rfltest in all three), and removes both afterwards.
. "$(dirname "$0")/../lib/rfl.sh"
. "$(dirname "$0")/../lib/nullblklib.sh"

NAME=rfltest
DEV=/dev/$NAME

# use IMPL: what each implementation is, and where it differs by design, so
# the steps below stay the same for all three:
#   CHECKS_AT_WRITE  a bad value is refused when written (null_blk: at
#                    power on, in null_validate_conf())
#   TOO_BIG          errno for a number past 64 bits (null_blk passes on
#                    kstrtou*()'s ERANGE)
#   SIZE_CHECKED     size 0 and U64_MAX MiB are refused (rnull: no check)
#   KEEPS_BACKING    the store survives a power cycle (null_blk: until rmdir)
#   LIVE_ATTRS       attributes changed while powered, by design
use() {
	IMPL=$1
	nullblk_impl "$1"
	DISCARD_ATTR='' KEEPS_BACKING='' LIVE_ATTRS=''
	CHECKS_AT_WRITE=yes TOO_BIG=EINVAL SIZE_CHECKED=yes
	case $1 in
	cnull)
		IRQMODES="0 1 2" BACKED=yes
		;;
	rnull)
		IRQMODES="0 1" BACKED='' SIZE_CHECKED=''
		;;
	null_blk)
		IRQMODES="0 1 2" BACKED=yes
		DISCARD_ATTR=discard KEEPS_BACKING=yes LIVE_ATTRS=submit_queues
		CHECKS_AT_WRITE='' TOO_BIG=ERANGE
		;;
	esac
	D=/sys/kernel/config/$CFS/$NAME
}

has_attr() {
	grep -q "\(^\|,\)$1\(,\|$\)" "/sys/kernel/config/$CFS/features"
}

need_attr() {
	has_attr "$1" || skip "$IMPL has no '$1' attribute"
}

need_backing() {
	[ -n "$BACKED" ] || skip "$IMPL has no memory backing"
}

load() {
	modprobe -r "$MOD" 2>/dev/null || true
	# shellcheck disable=SC2086 # PARAMS is a word list
	modprobe "$MOD" $PARAMS
	trap cleanup EXIT
}

cleanup() {
	if [ -d "$D" ]; then
		echo 0 >"$D/power" 2>/dev/null || true
		rmdir "$D"
	fi
	modprobe -r "$MOD"
}

# set ATTR VALUE: must succeed.
set_attr() {
	r=$(rfl-write "$D/$1" "$2") || fail "writing '$2' to $1: $r"
}

# create [ATTR VALUE]...: make the device, set attributes, power it on.
create() {
	mkdir "$D"
	while [ $# -ge 2 ]; do
		set_attr "$1" "$2"
		shift 2
	done
	set_attr power 1
	wait_for 5 test -b "$DEV" || fail "no $DEV after power on"
}

power_off() {
	set_attr power 0
	wait_for 5 test ! -e "$DEV" || fail "$DEV still there after power off"
}

# fio_run ARGS...: fio on the device, failing the case on any fio error.
fio_run() {
	fio --name=t --filename="$DEV" --direct=1 --output-format=terse \
		--terse-version=3 "$@" >/tmp/fio.out 2>&1 ||
		{ cat /tmp/fio.out; fail "fio $*"; }
	# terse v3 lines (fio's warnings are other lines): field 5 is the error
	awk -F';' '/^3;/ && $5 != 0 { print; bad = 1 } END { exit bad }' /tmp/fio.out ||
		fail "fio reported errors: $*"
}

t_features() {
	load
	f=$(cat "/sys/kernel/config/$CFS/features")
	echo "features: $f"
	for a in blocksize size irqmode; do
		has_attr $a || fail "features lacks $a"
	done
}

t_power_cycle() {
	load
	mkdir "$D"
	expect_eq "power after mkdir" "$(cat "$D/power")" 0
	[ ! -e "$DEV" ] || fail "$DEV exists before power on"
	set_attr power 1
	wait_for 5 test -b "$DEV" || fail "no $DEV after power on"
	expect_eq "power" "$(cat "$D/power")" 1
	power_off
	set_attr power 1
	wait_for 5 test -b "$DEV" || fail "no $DEV after the second power on"
}

t_block_layer() {
	load
	for bs in 512 4096; do
		for rot in 0 1; do
			create blocksize $bs size 16 rotational $rot
			q=/sys/block/$NAME/queue
			expect_eq "logical_block_size" "$(cat $q/logical_block_size)" $bs
			expect_eq "size in sectors" "$(cat /sys/block/$NAME/size)" $((16 << 11))
			expect_eq "rotational" "$(cat $q/rotational)" $rot
			n=$(dd if="$DEV" bs=1M iflag=direct 2>/dev/null | wc -c)
			expect_eq "bytes readable" "$n" $((16 << 20))
			power_off
			rmdir "$D"
		done
	done
}

t_io_irqmode() {
	mode=$1
	case " $IRQMODES " in
	*" $mode "*) ;;
	*) skip "$IMPL has no irqmode $mode" ;;
	esac
	load
	if [ "$mode" = 2 ]; then
		# 20 ms a request: 25 sequential reads take at least 0.5 s.
		create size 64 irqmode 2 completion_nsec 20000000
		t0=$(cut -d' ' -f1 /proc/uptime)
		dd if="$DEV" of=/dev/null bs=4k count=25 iflag=direct 2>/dev/null
		t1=$(cut -d' ' -f1 /proc/uptime)
		echo "25 reads: $t0 -> $t1 s"
		awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 0.5) }' ||
			fail "25 reads with completion_nsec=20 ms took under 0.5 s"
	else
		create size 64 irqmode "$mode"
	fi
	fio_run --ioengine=io_uring --rw=randrw --bs=4k --size=4M --iodepth=16
	fio_run --ioengine=psync --rw=randread --bs=4k --size=2M
}

# Read-after-write with checksums: random offsets, two jobs on disjoint
# halves, several block sizes, libaio and io_uring.
t_read_after_write() {
	load
	need_backing
	# 512-byte blocks so every fio block size is a whole number of them.
	create size 64 memory_backed 1 blocksize 512
	# 1024 blocks a job at 512 and 4k, 256 at 64k: TCG does ~1k IOPS here.
	for engine in libaio io_uring; do
		for bs_size in 512:512K 4k:4M 64k:16M; do
			fio_run --ioengine=$engine --rw=randwrite --bs=${bs_size%:*} \
				--size=${bs_size#*:} \
				--numjobs=2 --offset_increment=32M --iodepth=8 \
				--verify=crc32c --do_verify=1 --verify_fatal=1 \
				--verify_state_save=0
		done
	done
}

t_backing_freed() {
	load
	need_backing
	create size 64 memory_backed 1
	dd if=/dev/urandom of=/tmp/pat bs=1M count=2 2>/dev/null
	dd if=/tmp/pat of="$DEV" bs=1M oflag=direct 2>/dev/null
	dd if="$DEV" of=/tmp/back bs=1M count=2 iflag=direct 2>/dev/null
	cmp -s /tmp/pat /tmp/back || fail "data read back differs from data written"
	power_off
	set_attr power 1
	wait_for 5 test -b "$DEV"
	if [ -n "$KEEPS_BACKING" ]; then
		# Kept by design: check that it really is.
		dd if="$DEV" of=/tmp/back bs=1M count=2 iflag=direct 2>/dev/null
		cmp -s /tmp/pat /tmp/back || fail "$IMPL lost its data in a power cycle"
		skip "$IMPL keeps its backing store across power cycles (freed at rmdir)"
	fi
	# Read to a file first: a failing dd must fail the case, not count as
	# zero bytes.
	dd if="$DEV" of=/tmp/back bs=1M count=2 iflag=direct 2>/dev/null ||
		fail "reading $DEV after a power cycle failed"
	expect_eq "bytes read after a power cycle" "$(wc -c </tmp/back)" 2097152
	expect_eq "non-zero bytes after a power cycle" "$(nonzero /tmp/back)" 0
}

# nonzero FILE: how many bytes of FILE are not zero.
nonzero() {
	tr -d '\0' <"$1" | wc -c
}

# zeroed_range HOW: HOW (discard, or zeroout with BLKZEROOUT) 1 MiB + 1 KiB from offset 512
# of a device of 512-byte blocks full of random data: whole backing pages,
# a partial one at each end. The range reads as zeroes, and the bytes
# around it, in the same pages, keep their data.
zeroed_range() {
	create size 64 memory_backed 1 blocksize 512 ${DISCARD_ATTR:+$DISCARD_ATTR 1}
	dd if=/dev/urandom of=/tmp/pat bs=1M count=4 2>/dev/null
	dd if=/tmp/pat of="$DEV" bs=1M oflag=direct 2>/dev/null || fail "writing $DEV failed"
	case $1 in
	discard) blkdiscard -o 512 -l $(((1 << 20) + 1024)) "$DEV" || fail "blkdiscard failed" ;;
	zeroout) rfl-zeroout "$DEV" 512 $(((1 << 20) + 1024)) || fail "BLKZEROOUT failed" ;;
	esac
	# sectors 0..2055: the first page, the range (1..2050), the rest of
	# the last page it touches (2051..2055)
	dd if="$DEV" of=/tmp/back bs=512 count=2056 iflag=direct 2>/dev/null ||
		fail "reading $DEV back failed"
	dd if=/tmp/back of=/tmp/range bs=512 skip=1 count=2050 2>/dev/null
	expect_eq "non-zero bytes in the range ($1)" "$(nonzero /tmp/range)" 0
	same_sectors 0 1 || fail "the sector before the range changed ($1)"
	same_sectors 2051 5 || fail "the rest of the range's last page changed ($1)"
}

# same_sectors FIRST COUNT: /tmp/pat and /tmp/back agree on those sectors.
same_sectors() {
	dd if=/tmp/pat of=/tmp/want bs=512 skip="$1" count="$2" 2>/dev/null
	dd if=/tmp/back of=/tmp/got bs=512 skip="$1" count="$2" 2>/dev/null
	cmp -s /tmp/want /tmp/got
}

t_discard() {
	load
	need_backing
	zeroed_range discard
}

t_write_zeroes() {
	load
	need_backing
	zeroed_range zeroout
}

# A whole-device discard of a large sparse device: the work must follow
# the pages in use (two here), not the size. 16 TiB is 2^32 pages: a walk
# page by page takes hours under TCG, one of the pages that exist a moment;
# 20 s is the bound. (The discard cannot be interrupted: a driver that
# walks the range holds the case until its timeout.) Both written pages
# read back as zeroes.
t_discard_sparse() {
	load
	need_backing
	if [ "$IMPL" = null_blk ]; then
		xfail "not run: null_blk walks a discard block by block with interrupts off" \
			"drivers/nullblk/README.md, discard"
	fi
	last=$(((1 << 32) - 1))
	create size $((16 << 20)) memory_backed 1
	dd if=/dev/urandom of=/tmp/pat bs=4k count=1 2>/dev/null
	for at in 1000 $last; do
		dd if=/tmp/pat of="$DEV" bs=4k seek="$at" oflag=direct 2>/dev/null ||
			fail "writing block $at failed"
	done
	start=$(date +%s)
	blkdiscard "$DEV" &
	pid=$!
	wait_for 20 sh -c "! kill -0 $pid 2>/dev/null" ||
		fail "a whole discard of 16 TiB with two pages in use not done in 20 s"
	wait $pid || fail "blkdiscard failed"
	echo "whole discard of 16 TiB: $(($(date +%s) - start)) s"
	for at in 1000 $last; do
		dd if="$DEV" of=/tmp/back bs=4k skip="$at" count=1 iflag=direct 2>/dev/null ||
			fail "reading block $at failed"
		expect_eq "non-zero bytes in block $at after the discard" "$(nonzero /tmp/back)" 0
	done
}

# Every settable attribute refuses a change while powered, and keeps its value.
t_busy_while_powered() {
	load
	create size 64
	for a in blocksize size rotational irqmode completion_nsec memory_backed \
		hw_queue_depth submit_queues; do
		has_attr "$a" || continue
		case " $LIVE_ATTRS " in *" $a "*) continue ;; esac
		before=$(cat "$D/$a")
		r=$(rfl-write "$D/$a" "$before") && fail "$a accepted a write while powered"
		expect_eq "error writing $a while powered" "$r" EBUSY
		expect_eq "$a after the refused write" "$(cat "$D/$a")" "$before"
	done
}

# bad ATTR VALUE...: each value is refused with EINVAL, the attribute kept.
# Without CHECKS_AT_WRITE, what is taken at write time is collected in LATE,
# not failed on.
LATE=
bad() {
	a=$1
	shift
	before=$(cat "$D/$a")
	for v in "$@"; do
		if r=$(rfl-write "$D/$a" "$v"); then
			[ -z "$CHECKS_AT_WRITE" ] || fail "$a accepted '$v'"
			LATE="$LATE $a=$v"
			set_attr "$a" "$before"
			continue
		fi
		[ "$r" = "$TOO_BIG" ] ||
			expect_eq "error for $a='$v'" "$r" EINVAL
		expect_eq "$a after '$v'" "$(cat "$D/$a")" "$before"
	done
}

# After the bad values: a SKIP that names what was taken.
bad_done() {
	[ -z "$LATE" ] || skip "$IMPL checks at power on, not at write: it took$LATE"
}

t_bad_blocksize() {
	load
	mkdir "$D"
	bad blocksize 0 511 513 8192 -1 abc
	bad_done
}

t_bad_size() {
	load
	mkdir "$D"
	bad size 99999999999999999999 -1 abc
	# 0 and U64_MAX MiB parse as numbers, but no disk has either size.
	if [ -z "$SIZE_CHECKED" ]; then
		for v in 0 18446744073709551615; do
			before=$(cat "$D/size")
			if rfl-write "$D/size" $v >/dev/null; then
				LATE="$LATE $v"
				set_attr size "$before"
			fi
		done
		[ -z "$LATE" ] || skip "$IMPL has no range check on size: it takes$LATE"
	fi
	bad size 0 18446744073709551615
	bad_done
}

t_bad_irqmode() {
	load
	mkdir "$D"
	bad irqmode 3 -1 abc
	bad_done
}

t_bad_power() {
	load
	mkdir "$D"
	bad power 2 -1 abc
	[ ! -e "$DEV" ] || fail "$DEV appeared after bad power writes"
}

# An empty write never reaches the driver (configfs itself answers EFAULT);
# 4 KiB of 'x' does (configfs passes on the first 4095 bytes).
t_bad_empty_and_long() {
	load
	mkdir "$D"
	for a in power blocksize size irqmode rotational; do
		before=$(cat "$D/$a")
		r=$(rfl-write "$D/$a" "") && fail "$a accepted an empty write"
		expect_eq "error for an empty write to $a" "$r" EFAULT
		expect_eq "$a after an empty write" "$(cat "$D/$a")" "$before"
		r=$(rfl-write "$D/$a" -n 4096) && fail "$a accepted 4 KiB of 'x'"
		expect_eq "$a after 4 KiB" "$(cat "$D/$a")" "$before"
		echo "$a: 4 KiB string refused with $r"
	done
}

t_power_off_under_io() {
	load
	create size 64 ${BACKED:+memory_backed 1}
	fio --name=t --filename="$DEV" --direct=1 --ioengine=io_uring \
		--rw=randrw --bs=4k --iodepth=32 --time_based --runtime=20 \
		>/tmp/fio.out 2>&1 &
	fio=$!
	sleep 2
	kill -0 $fio || fail "fio did not run"
	set_attr power 0
	wait_for 20 sh -c "! kill -0 $fio 2>/dev/null" ||
		fail "fio still running 20 s after power off"
	wait $fio || true
	set_attr power 1
	wait_for 5 test -b "$DEV" || fail "no power on after power off under I/O"
	dd if="$DEV" of=/dev/null bs=4k count=16 iflag=direct 2>/dev/null ||
		fail "no I/O after power cycle"
}

# A device twice the guest's memory, written until full: the writer gets
# ENOSPC in bounded time (a write that cannot get memory fails, it is not
# requeued for ever), the guest keeps working, and the store goes back to
# the system with the device (null_blk keeps it until rmdir, by design).
t_write_past_memory() {
	load
	need_backing
	# null_blk allocates with GFP_NOIO, no reserve, no __GFP_NORETRY: the
	# OOM killer may end the writer, or find nothing to kill and panic.
	[ "$IMPL" != null_blk ] ||
		xfail "not run: null_blk takes memory until the OOM killer ends the writer or the guest panics" \
			"drivers/nullblk/README.md, larger than memory"
	before=$(settled_memfree)
	create size $(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) / 512)) memory_backed 1
	dd if=/dev/zero of="$DEV" bs=1M oflag=direct 2>/tmp/dd.err &
	dd=$!
	# about 1 GiB at 20 MB/s or more under TCG
	wait_for 120 sh -c "! kill -0 $dd 2>/dev/null" ||
		fail "the writer still runs 120 s after starting ($(memfree) KiB free)"
	st=0
	wait $dd || st=$?
	[ $st -ne 0 ] || fail "dd wrote $DEV, twice the memory, without an error"
	echo "dd: status $st, $(cat /tmp/dd.err)"
	grep -q "No space left on device" /tmp/dd.err ||
		fail "dd did not end with ENOSPC"
	echo "MemFree $before -> $(memfree) KiB with the device full"
	dd if="$DEV" of=/dev/null bs=1M count=16 iflag=direct 2>/dev/null ||
		fail "no read from the full device"
	power_off
	[ -z "$KEEPS_BACKING" ] || rmdir "$D"
	# the squeeze evicted the page cache, and reading it back costs memory
	after=$(settled_memfree)
	echo "MemFree $before -> $after KiB after power off"
	[ $((before - after)) -lt 32768 ] || fail "MemFree fell by $((before - after)) KiB"
}

# Power off with hrtimer completions in flight (irqmode 2, 1 us), then
# rmdir and unload: the tag set, which holds the timers, is freed as soon
# as the last request completes, maybe while that timer's callback still
# returns on the other CPU (exit_request must wait for it). Ten rounds, as
# the window is narrow; a crash or splat fails the case.
t_unload_in_flight() {
	case " $IRQMODES " in
	*" 2 "*) ;;
	*) skip "$IMPL has no irqmode 2" ;;
	esac
	i=0
	while [ $i -lt 10 ]; do
		load
		create size 64 irqmode 2 completion_nsec 1000
		fio --name=t --filename="$DEV" --direct=1 --ioengine=io_uring \
			--rw=randread --bs=4k --iodepth=64 --time_based --runtime=30 \
			>/tmp/fio.out 2>&1 &
		fio=$!
		# fio under TCG takes about a second to start its I/O
		# shellcheck disable=SC2016 # awk's $1
		wait_for 10 awk '{ exit !($1 > 0) }' "/sys/block/$NAME/inflight" ||
			fail "round $i: no read in flight"
		# the tag set goes while the last timers' callbacks return
		echo 0 >"$D/power"
		# fio may retry for its whole runtime on the errors that follow
		kill $fio 2>/dev/null || true
		wait $fio || true
		rmdir "$D"
		modprobe -r "$MOD" || fail "round $i: no unload"
		i=$((i + 1))
	done
	trap - EXIT
}

t_rmdir_powered() {
	load
	create size 64
	rmdir "$D" || fail "rmdir of a powered device failed"
	wait_for 5 test ! -e "$DEV" || fail "$DEV still there after rmdir"
}

t_unload_with_device() {
	load
	create size 64
	# The device directory pins the module, so unload must fail cleanly.
	if modprobe -r "$MOD" 2>/dev/null; then
		fail "$MOD unloaded while a device existed"
	fi
	grep -q "^$MOD " /proc/modules || fail "$MOD is gone"
	dd if="$DEV" of=/dev/null bs=4k count=16 iflag=direct 2>/dev/null ||
		fail "device unusable after the refused unload"
	rmdir "$D"
	modprobe -r "$MOD" || fail "$MOD does not unload after rmdir"
	trap - EXIT
}

memfree() {
	awk '/^MemFree:/ { print $2 }' /proc/meminfo
}

# MemFree with the page cache dropped, so that what the page cache holds
# does not count.
settled_memfree() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	memfree
}

t_cycles() {
	load
	cycle() {
		create size 64 ${BACKED:+memory_backed 1}
		if [ -n "$BACKED" ]; then
			dd if=/dev/urandom of="$DEV" bs=1M count=1 oflag=direct 2>/dev/null
		fi
		rmdir "$D"
	}
	for i in 1 2 3; do cycle; done
	before=$(memfree)
	i=0
	while [ $i -lt 50 ]; do
		cycle
		i=$((i + 1))
	done
	after=$(memfree)
	echo "MemFree $before -> $after KiB after 50 cycles"
	# 4 MiB over 50 cycles; a lost 1 MiB of backing a cycle would be 50 MiB.
	[ $((before - after)) -lt 4096 ] || fail "MemFree fell by $((before - after)) KiB"
}

# nullblk/IMPL/CASE: the implementation, then the case's function. No
# command substitution here: under TCG each fork costs a noticeable time.
nb_case() {
	ifs=$IFS
	IFS=/
	# shellcheck disable=SC2086 # split the name on '/'
	set -- $1
	IFS=$ifs
	use "$2"
	case $3 in
	features) t_features ;;
	power-cycle) t_power_cycle ;;
	block-layer) t_block_layer ;;
	io-irqmode-*) t_io_irqmode "${3#io-irqmode-}" ;;
	read-after-write) t_read_after_write ;;
	backing-freed) t_backing_freed ;;
	discard) t_discard ;;
	write-zeroes) t_write_zeroes ;;
	discard-sparse) t_discard_sparse ;;
	busy-while-powered) t_busy_while_powered ;;
	bad-blocksize) t_bad_blocksize ;;
	bad-size) t_bad_size ;;
	bad-irqmode) t_bad_irqmode ;;
	bad-power) t_bad_power ;;
	bad-empty-and-long) t_bad_empty_and_long ;;
	power-off-under-io) t_power_off_under_io ;;
	write-past-memory) t_write_past_memory ;;
	unload-in-flight) t_unload_in_flight ;;
	rmdir-powered) t_rmdir_powered ;;
	unload-with-device) t_unload_with_device ;;
	cycles) t_cycles ;;
	*) fail "no case $3" ;;
	esac
}

for impl in cnull rnull null_blk; do
	for c in features power-cycle block-layer io-irqmode-0 io-irqmode-1 \
		io-irqmode-2 read-after-write backing-freed discard write-zeroes \
		discard-sparse \
		busy-while-powered bad-blocksize bad-size bad-irqmode bad-power \
		bad-empty-and-long power-off-under-io write-past-memory \
		unload-in-flight rmdir-powered \
		unload-with-device cycles; do
		case $c in
		cycles | read-after-write) case_add "nullblk/$impl/$c" nb_case timeout=600 ;;
		write-past-memory | unload-in-flight) case_add "nullblk/$impl/$c" nb_case timeout=300 ;;
		*) case_add "nullblk/$impl/$c" nb_case ;;
		esac
	done
done

rfl_main "$@"
