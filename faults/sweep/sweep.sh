#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The fault-injection sweep (make faults): for every implementation of
# every driver, each path below driven by rfl-failnth, one injected fault
# at a time, until the path succeeds with no fault left to inject. The
# guest runner fails a case on a splat, a kmemleak report or a hang; the
# sweep itself fails it when a fault did not end in a clean error with the
# state as it was. After the sweep the module must unload and load again.
#
#   load        module init (for PCI and AMBA drivers with their devices
#               free for them: init probes them in the same task)
#   configfs    null block: mkdir + power on
#   open        misc device, binder
#   mmap        binder open + mmap
#   transaction binder: a call carrying a binder object and an fd
#   probe       PL061: bind the device
#   line-edge   PL061: a line request with both edges
#   ifup        e1000: open (rings, IRQ)
#   ring-resize e1000: ring resize while up; after every fault an
#               interface that is up must answer a ping (--ping)
#   reset       e1000: ethtool -r, a reset of the running device (mainline
#               only: ours reset only from a workqueue after a TX timeout,
#               where fail-nth does not reach); up must answer a ping
#
# Each case prints RESULT path=... injected=... clean=... absorbed=...
# unclean=... (bench.tsv, read by the report).

. "$(dirname "$0")/../../tests/lib/rfl.sh"
. "$(dirname "$0")/../../tests/lib/e1000lib.sh"
. "$(dirname "$0")/../../tests/lib/nullblklib.sh"

REL=$(uname -r)
# Modules without module_exit, by design: once loaded they stay.
STICKY=binder_linux

sticky() {
	case " $STICKY " in *" $1 "*) return 0 ;; esac
	return 1
}
PL061=9030000.pl061
AMBA=/sys/bus/amba

# ko MODULE: the path of MODULE's .ko (its file may say - for _); its
# dependencies loaded first.
ko() {
	_dep=$(awk -F': *' -v m="/$1.ko" '{ f = $1; gsub("-", "_", f) }
		substr(f, length(f) - length(m) + 1) == m { print; exit }' \
		"/lib/modules/$REL/modules.dep")
	[ -n "$_dep" ] || fail "$1 is not in modules.dep"
	for _d in ${_dep#*:}; do
		_n=${_d##*/}
		modprobe "${_n%.ko}" || fail "cannot load $_n, which $1 needs"
	done
	echo "/lib/modules/$REL/${_dep%%:*}"
}

# sweep ARGS...: rfl-failnth ARGS, its verdict the case's.
sweep() {
	rfl-failnth "$@" || fail "rfl-failnth $1: a fault did not end cleanly (see above)"
}

# settle: on a kernel with kmemleak, let its minimum age (5 s) pass, so
# that a leak of this case is reported with it, not with the next.
settle() {
	[ ! -w /sys/kernel/debug/kmemleak ] || sleep 6
}

# reload MODULE [PARAMS]: the module unloads, and loads and unloads again;
# then settle.
reload() {
	_m=$1
	shift
	if sticky "$_m"; then
		echo "$_m has no module_exit: no unload check"
		settle
		return
	fi
	if [ -d "/sys/module/$_m" ]; then
		rmmod "$_m" || fail "$_m does not unload after the sweep"
	fi
	modprobe "$_m" "$@" || fail "$_m does not load again after the sweep"
	rmmod "$_m" || fail "$_m does not unload again"
	settle
}

unloaded() {
	for _m; do
		sticky "$_m" && continue
		if [ -d "/sys/module/$_m" ]; then
			rmmod "$_m" || fail "cannot unload $_m before the case"
		fi
	done
}

# ---- hello, semaphore, null block ---------------------------------------

load_case() {
	_impl=${1#*/}
	_impl=${_impl%%/*}
	if sticky "$_impl"; then
		skip "$_impl has no module_exit: after the first absorbed fault it stays loaded, so its init cannot be swept in one boot"
	fi
	unloaded "$_impl"
	sweep load "$(ko "$_impl")"
	reload "$_impl"
}

semaphore_open() {
	_impl=${1#*/}
	_impl=${_impl%%/*}
	unloaded "$_impl"
	modprobe "$_impl"
	sweep open "/dev/$_impl"
	reload "$_impl"
}

nullblk_load() {
	_impl=${1#*/}
	nullblk_impl "${_impl%%/*}"
	unloaded "$MOD"
	sweep load "$(ko "$MOD")" "$PARAMS"
	# shellcheck disable=SC2086 # PARAMS is a word list
	reload "$MOD" $PARAMS
}

nullblk_configfs() {
	_impl=${1#*/}
	nullblk_impl "${_impl%%/*}"
	unloaded "$MOD"
	# shellcheck disable=SC2086 # PARAMS is a word list
	modprobe "$MOD" $PARAMS
	sweep configfs "/sys/kernel/config/$CFS/rflfault" power 1 0
	# shellcheck disable=SC2086 # PARAMS is a word list
	reload "$MOD" $PARAMS
}

# ---- binder -------------------------------------------------------------

binder_use() {
	case $1 in
	cbinder) MOD=cbinder DEV=/dev/cbinder ;;
	binder_linux) MOD=binder_linux DEV=/dev/binder ;;
	esac
}

binder_path() {
	_impl=${1#*/}
	binder_use "${_impl%%/*}"
	unloaded "$MOD"
	modprobe "$MOD"
	case $1 in
	*/open) sweep open "$DEV" ;;
	*/mmap) sweep binder-mmap "$DEV" ;;
	*/transaction) sweep binder-txn "$DEV" ;;
	esac
	reload "$MOD"
}

# ---- PL061 --------------------------------------------------------------

pl061_use() {
	case $1 in
	cpl061) MOD=cpl061 DRV=cpl061 ;;
	rpl061) MOD=rpl061 DRV=rpl061 ;;
	gpio_pl061) MOD=gpio_pl061 DRV=pl061_gpio ;;
	esac
}

# The PL061 free for the driver under test: no PL061 driver loaded.
pl061_free() {
	unloaded cpl061 rpl061 gpio_pl061
	[ ! -e "$AMBA/devices/$PL061/driver" ] ||
		fail "$PL061 is bound to a driver that is not a PL061 one"
}

pl061_path() {
	_impl=${1#*/}
	pl061_use "${_impl%%/*}"
	pl061_free
	case $1 in
	*/load)
		sweep load "$(ko "$MOD")"
		;;
	*/probe)
		modprobe "$MOD"
		echo "$PL061" >"$AMBA/drivers/$DRV/unbind"
		sweep bind "$AMBA/drivers/$DRV" "$PL061"
		;;
	*/line-edge)
		modprobe "$MOD"
		[ -e "$AMBA/devices/$PL061/driver" ] ||
			echo "$PL061" >"$AMBA/drivers/$DRV/bind"
		for _c in "$AMBA/devices/$PL061/"gpiochip*; do :; done
		# line 0: the power button is line 3
		sweep gpio-edge "/dev/${_c##*/}" 0
		;;
	esac
	reload "$MOD"
}

# ---- e1000 --------------------------------------------------------------

# in_rfl0 CMD...: CMD in NIC 0's network namespace, with this mount
# namespace (ip netns exec mounts a /sys without debugfs).
in_rfl0() {
	nsenter --net=/run/netns/rfl0 "$@"
}

e1000_path() {
	_impl=${1#*/}
	use "${_impl%%/*}"
	teardown
	trap teardown EXIT
	case $1 in
	*/load)
		# NIC 0 only: NIC 1's probe runs the same paths again.
		nics
		_p=${NICS# }
		echo "$DRV0" >"/sys/bus/pci/devices/${_p%% *}/driver_override"
		sweep load "$(ko "$DRV0")"
		;;
	*/ifup)
		bind
		net_up
		ip -n rfl0 link set rflnic0 down
		in_rfl0 rfl-failnth ifup rflnic0 ||
			fail "ifup: a fault did not end cleanly (see above)"
		;;
	*/ring-resize)
		bind
		net_up
		in_rfl0 rfl-failnth --ping $IP1 rings rflnic0 512 512 ||
			fail "ring resize: a fault did not end cleanly (see above)"
		;;
	*/reset)
		ours "$DRV0" &&
			skip "$DRV0 has no reset a user triggers (no ethtool -r, -A or -s); its reset runs in a workqueue after a TX timeout, which fail-nth does not reach"
		bind
		net_up
		in_rfl0 rfl-failnth --ping $IP1 nway rflnic0 ||
			fail "reset: a fault did not end cleanly (see above)"
		;;
	esac
	teardown
	trap - EXIT
	reload "$DRV0"
}

for impl in chello rhello; do
	case_add "hello/$impl/load" load_case timeout=900
done
for impl in csemaphore rsemaphore; do
	case_add "semaphore/$impl/load" load_case timeout=900
	case_add "semaphore/$impl/open" semaphore_open timeout=900
done
# rnull's failed configfs registration at load is a NULL dereference in
# rust/kernel/configfs.rs (drivers/nullblk/README.md).
RNULL_LOAD=known=configfs_unregister_subsystem:drivers/nullblk/README.md#what-the-fault-injection-sweep-found
for impl in cnull rnull null_blk; do
	known=
	[ "$impl" = rnull ] && known=$RNULL_LOAD
	case_add "nullblk/$impl/load" nullblk_load timeout=900 $known
	case_add "nullblk/$impl/configfs" nullblk_configfs timeout=900
done
# A failed allocation in the jump label notifier at module load is a
# WARN of the kernel's own (README, "Robustness").
JUMP_LABEL=known=jump_label_module_notify:README.md#robustness-findings
for impl in cbinder binder_linux; do
	known=
	[ "$impl" = cbinder ] && known=$JUMP_LABEL
	case_add "binder/$impl/load" load_case timeout=900 $known
	for p in open mmap transaction; do
		case_add "binder/$impl/$p" binder_path timeout=900
	done
done
for impl in cpl061 rpl061 gpio_pl061; do
	for p in load probe line-edge; do
		case_add "gpio_pl061/$impl/$p" pl061_path timeout=900
	done
done
for impl in ce1000 re1000 e1000; do
	# Mainline e1000's probe takes about 1 s to fail under TCG (its reset
	# delays): its load sweep does not finish in 900 s, a timeout.
	case_add "e1000/$impl/load" e1000_path timeout=900
	for p in ifup reset; do
		case_add "e1000/$impl/$p" e1000_path timeout=900
	done
	# A resize to 512 reaches about a thousand fault sites (every RX
	# buffer), each about 1.2 s with the ping: ce1000 reached n=774 in
	# 900 s.
	case_add "e1000/$impl/ring-resize" e1000_path timeout=1800
done

rfl_main "$@"
