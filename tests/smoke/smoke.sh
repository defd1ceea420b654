#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Smoke tests of the pipeline: the guest runs the kernel we built, every
# module we ship loads and unloads, the reference devices work, the machine
# has what tests need, and the runner catches splats and hangs.
. "$(dirname "$0")/../lib/rfl.sh"
SUITE=${SUITE:-/mnt/suite}

# The mainline reference modules and our hello pair.
MODULES="null_blk rnull_mod e1000 gpio-pl061 binder_linux nvme rust_minimal rust_misc_device chello rhello"

kernel_release() {
	rel=$(uname -r)
	expect_eq "modules shipped for" "$(ls "$SUITE/lib/modules")" "$rel"
	series=$(cat "$SUITE/kernel-series")
	case $rel in
	"$series".*) ;;
	*) fail "release $rel is not of the pinned series $series" ;;
	esac
	echo "kernel $rel"
}
case_add pipeline/kernel/release kernel_release

# The guest's tools are Debian's, not busybox stand-ins: a test that runs
# `ip netns` or `modprobe` must get the real thing.
real_tools() {
	ip -V | grep -q iproute2 || fail "ip is not iproute2's: $(ip -V 2>&1 | head -n 1)"
	modprobe --version | grep -q '^kmod' || fail "modprobe is not kmod's"
	ethtool --version | grep -q '^ethtool' || fail "no ethtool"
	gpiodetect --version | grep -q 'v2\.' || fail "gpiodetect is not libgpiod v2"
	fio --version | grep -q '^fio-' || fail "no fio"
	iperf3 --version | grep -q '^iperf 3' || fail "no iperf3"
	expect_eq "/bin/sh" "$(readlink -f /bin/sh)" /usr/bin/dash
	ip -V
	gpiodetect --version | head -n 1
}
case_add pipeline/rootfs/real-tools real_tools

load_unload() {
	m=$1
	sysname=$(echo "$m" | tr - _)
	if ! modinfo "$m" >/dev/null 2>&1; then
		grep -q "^CONFIG_ANDROID_BINDER_IPC_RUST=y" "$SUITE/kernel.config" &&
			[ "$m" = binder_linux ] &&
			elsewhere "this kernel has the Rust binder built in instead of binder_linux"
		fail "$m is not among the modules of this kernel"
	fi
	builtin_module "$m" &&
		skip "$m is built into this kernel, so it is never loaded or unloaded"
	modprobe "$m"
	[ -d "/sys/module/$sysname" ] || fail "$m loaded but /sys/module/$sysname is missing"
	# A module without module_exit (binder_linux) can never be unloaded.
	if grep -q "^$sysname .*\[permanent\]" /proc/modules; then
		skip "$m loads, but has no module_exit, so it cannot be unloaded"
	fi
	modprobe -r "$m"
	[ ! -d "/sys/module/$sysname" ] || fail "$m still in /sys/module after modprobe -r"
	# Twice, as unload must leave nothing behind that a reload trips on.
	modprobe "$m"
	modprobe -r "$m"
}
for m in $MODULES; do
	fn=load_unload_$(echo "$m" | tr - _)
	eval "$fn() { load_unload $m; }"
	case_add "pipeline/$m/load-unload" "$fn"
done

nullb_read() {
	modprobe null_blk
	trap 'modprobe -r null_blk' EXIT
	wait_for 5 test -b /dev/nullb0 || fail "no /dev/nullb0 after modprobe null_blk"
	n=$(dd if=/dev/nullb0 bs=1M count=64 2>/dev/null | wc -c)
	expect_eq "bytes read from /dev/nullb0" "$n" $((64 << 20))
}
case_add pipeline/null_blk/read-64mib nullb_read

e1000_ifaces() {
	for i in /sys/class/net/*; do
		[ "$(basename "$(readlink -f "$i/device/driver" 2>/dev/null)")" = e1000 ] &&
			basename "$i"
	done
	true
}

carrier_up() {
	[ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" = 1 ]
}

e1000_carrier() {
	modprobe e1000
	trap 'modprobe -r e1000' EXIT
	wait_for 5 test -n "$(e1000_ifaces)"
	ifs=$(e1000_ifaces)
	expect_eq "e1000 interfaces" "$(echo "$ifs" | wc -w)" 2
	for i in $ifs; do
		ip link set "$i" up
	done
	for i in $ifs; do
		wait_for 10 carrier_up "$i" || fail "$i has no carrier 10 s after link up"
		echo "$i: carrier 1"
	done
}
case_add pipeline/e1000/carrier e1000_carrier

pl061_chip() {
	for c in /sys/bus/amba/devices/9030000.pl061/gpiochip*; do
		[ -e "$c" ] && basename "$c"
	done
	true
}

pl061_gpiochip() {
	modprobe gpio-pl061
	builtin_module gpio-pl061 || trap 'modprobe -r gpio-pl061' EXIT
	wait_for 5 test -n "$(pl061_chip)" || fail "no gpiochip under 9030000.pl061"
	chip=$(pl061_chip)
	gpiodetect | grep "^$chip " || fail "gpiodetect does not list $chip"
	gpiodetect | grep -q "^$chip \[9030000.pl061\] (8 lines)" ||
		fail "$chip is not 9030000.pl061 with 8 lines"
	expect_eq "lines in gpioinfo" "$(gpioinfo -c "$chip" | grep -c '^[[:space:]]*line ')" 8
}
case_add pipeline/gpio-pl061/gpiochip pl061_gpiochip

rust_binderfs() {
	grep -q "^CONFIG_ANDROID_BINDER_IPC_RUST=y" "$SUITE/kernel.config" ||
		elsewhere "this kernel variant has the C binder (VARIANT=rustbinder has the Rust one)"
	mkdir -p /dev/binderfs
	mount -t binder binder /dev/binderfs
	trap 'umount /dev/binderfs' EXIT
	test -c /dev/binderfs/binder || fail "no /dev/binderfs/binder"
	test -c /dev/binderfs/binder-control || fail "no /dev/binderfs/binder-control"
}
case_add pipeline/rust_binder/binderfs rust_binderfs

hub_only_network() {
	# The whole network must be: hub 0 with two e1000 NICs on it.
	info=$(rfl-host info-network | grep -v '^[[:space:]]*$')
	echo "$info"
	expect_eq "first line" "$(echo "$info" | head -n 1)" "hub 0"
	expect_eq "lines" "$(echo "$info" | wc -l)" 3
	expect_eq "e1000 NICs on hub 0" \
		"$(echo "$info" | grep -c '^ *\\ .*type=nic,model=e1000,')" 2
}
case_add pipeline/qemu/hub-only-network hub_only_network

power_button() {
	modprobe gpio-pl061
	builtin_module gpio-pl061 || trap 'modprobe -r gpio-pl061' EXIT
	wait_for 5 test -n "$(pl061_chip)"
	chip=$(pl061_chip)
	gpiomon -c "$chip" -e rising -n 1 3 >/tmp/gpiomon.out 2>&1 &
	mon=$!
	sleep 1
	rfl-host powerdown
	wait_for 10 sh -c "! kill -0 $mon 2>/dev/null" || {
		kill $mon
		fail "no rising edge on $chip line 3 within 10 s of system_powerdown"
	}
	cat /tmp/gpiomon.out
	grep -q rising /tmp/gpiomon.out || fail "gpiomon saw no rising edge"
}
case_add pipeline/qemu/power-button power_button

planted_warn() {
	# The load fails on purpose after the WARN.
	if modprobe rfl_splat what=warn; then
		fail "rfl_splat loaded, so it planted nothing"
	fi
}
case_add runner/selftest/planted-warn planted_warn expect=splat

hang() {
	sleep 100000
}
case_add runner/selftest/hang hang timeout=5 expect=hang

rfl_main "$@"
