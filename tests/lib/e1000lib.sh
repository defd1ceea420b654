# SPDX-License-Identifier: GPL-2.0
# The guest's two 82540EM NICs, shared by tests/e1000 and bench/e1000: each
# NIC bound by hand to a driver (driver_override), renamed rflnic0/rflnic1
# and put in its own network namespace, rfl0 (192.0.2.1) and rfl1
# (192.0.2.2), with static neighbour entries so that nothing but our own
# frames is on the wire. Sourced after rfl.sh (fail, expect_eq, wait_for).
#
# Under TCG every fork and exec costs a good fraction of a second, so the
# helpers read sysfs with the shell's own read and batch ip commands
# (ip -batch) where they can.

# shellcheck shell=sh

IP0=192.0.2.1
IP1=192.0.2.2
MAC0=52:54:00:00:00:01
MAC1=52:54:00:00:00:02

# Our drivers: the C ce1000 and its Rust twin re1000 (same module
# parameters, private flags, stats and register dump); e1000 is mainline.
OURS="ce1000 re1000"

# ours DRV: whether DRV is one of ours.
ours() {
	case $1 in
	ce1000 | re1000) return 0 ;;
	esac
	return 1
}

# use IMPL: the drivers of NIC 0 and NIC 1. "DRV" drives both NICs,
# "DRV0-DRV1" (ce1000-e1000, re1000-ce1000, re1000-e1000) one each.
use() {
	case $1 in
	*-*) DRV0=${1%-*} DRV1=${1#*-} ;;
	*) DRV0=$1 DRV1=$1 ;;
	esac
}

# nics: NICS, the two 82540EM functions in bus order, NIC 0 (MAC0) first.
# No fork: read is the shell's own.
nics() {
	NICS=
	for d in /sys/bus/pci/devices/*; do
		read -r _v <"$d/vendor" || continue
		read -r _d <"$d/device" || continue
		if [ "$_v" = 0x8086 ] && [ "$_d" = 0x100e ]; then
			NICS="$NICS ${d##*/}"
		fi
	done
}

n0() { ip netns exec rfl0 "$@"; }
n1() { ip netns exec rfl1 "$@"; }

unbind_all() {
	nics
	for p in $NICS; do
		d=/sys/bus/pci/devices/$p
		if [ -e "$d/driver" ]; then
			echo "$p" >"$d/driver/unbind"
		fi
		echo >"$d/driver_override"
	done
}

unload() {
	for m in $OURS e1000; do
		[ -d "/sys/module/$m" ] || continue
		rmmod "$m" || fail "rmmod $m failed"
	done
}

teardown() {
	for i in 0 1; do
		[ -e /run/netns/rfl$i ] || continue
		ip -n rfl$i link set rflnic$i netns 1 2>/dev/null || true
		ip netns del rfl$i 2>/dev/null || true
	done
	unload
	unbind_all
}

# bound P DRV: whether PCI function P is bound to DRV.
bound() {
	[ -e "/sys/bus/pci/drivers/$2/$1" ]
}

# bind: NIC 0 to DRV0, NIC 1 to DRV1; sets PCI0, PCI1, IF0, IF1 (names in
# the initial namespace) and checks each NIC reports its own MAC.
bind() {
	nics
	# shellcheck disable=SC2086 # one PCI address a word
	set -- $NICS
	[ $# = 2 ] || fail "want two 82540EM NICs, found $#"
	PCI0=$1 PCI1=$2
	unbind_all
	echo "$DRV0" >"/sys/bus/pci/devices/$PCI0/driver_override"
	echo "$DRV1" >"/sys/bus/pci/devices/$PCI1/driver_override"
	# shellcheck disable=SC2086 # PARAMS0 is a word list
	modprobe "$DRV0" ${PARAMS0:-} || fail "modprobe $DRV0 ${PARAMS0:-} failed"
	[ "$DRV1" = "$DRV0" ] || modprobe "$DRV1" || fail "modprobe $DRV1 failed"
	for p in $PCI0 $PCI1; do
		[ -e "/sys/bus/pci/devices/$p/driver" ] ||
			echo "$p" >/sys/bus/pci/drivers_probe
	done
	wait_for 5 test -d "/sys/bus/pci/devices/$PCI0/net" -a \
		-d "/sys/bus/pci/devices/$PCI1/net" || fail "no net device after bind"
	for d in "/sys/bus/pci/devices/$PCI0/net/"*; do IF0=${d##*/}; done
	for d in "/sys/bus/pci/devices/$PCI1/net/"*; do IF1=${d##*/}; done
	bound "$PCI0" "$DRV0" ||
		fail "driver of NIC 0: got '$(readlink "/sys/bus/pci/devices/$PCI0/driver")', want '$DRV0'"
	bound "$PCI1" "$DRV1" ||
		fail "driver of NIC 1: got '$(readlink "/sys/bus/pci/devices/$PCI1/driver")', want '$DRV1'"
	read -r _m <"/sys/class/net/$IF0/address"
	expect_eq "MAC of NIC 0 (EEPROM)" "$_m" $MAC0
	read -r _m <"/sys/class/net/$IF1/address"
	expect_eq "MAC of NIC 1 (EEPROM)" "$_m" $MAC1
}

# carrier NIC: 1 or 0 as /sys/class/net/rflnic<NIC>/carrier says it (the
# LOWER_UP flag is carrier on a running interface), nothing when the
# interface is down. One ip, no netns exec (that also remounts /sys).
carrier() {
	case $(ip -n "rfl$1" -o link show "rflnic$1" 2>/dev/null) in
	*LOWER_UP*) echo 1 ;;
	*,UP,* | *,UP\>*) echo 0 ;;
	esac
}
has_carrier() { [ "$(carrier "$1")" = 1 ]; }
no_carrier() { [ "$(carrier "$1")" = 0 ]; }

# net_up: the bound NICs (IF0, IF1) named, addressed and up in their
# namespaces, with carrier. One ip -batch a namespace: the neighbour
# entries go in after the link is up (a link going down flushes them).
net_up() {
	ip -batch - <<EOF || fail "moving the NICs to their namespaces"
netns add rfl0
netns add rfl1
link set $IF0 name rflnic0 netns rfl0
link set $IF1 name rflnic1 netns rfl1
EOF
	nic_up 0 $IP0 $IP1 $MAC1
	nic_up 1 $IP1 $IP0 $MAC0
	wait_for 10 has_carrier 0 || fail "no carrier on NIC 0"
	wait_for 10 has_carrier 1 || fail "no carrier on NIC 1"
}

# nic_up NIC IP PEER_IP PEER_MAC: rflnic<NIC> addressed and up in its
# namespace, its peer a permanent neighbour.
nic_up() {
	# A kernel with IPv6 (Debian's) would send frames of its own (router
	# solicitations, MLD reports) that the counters would see: off.
	if [ -d /proc/sys/net/ipv6 ]; then
		ip netns exec "rfl$1" sh -c \
			"echo 1 >/proc/sys/net/ipv6/conf/rflnic$1/disable_ipv6" ||
			fail "could not turn IPv6 off on rflnic$1"
	fi
	ip -n "rfl$1" -batch - <<EOF || fail "configuring rflnic$1"
link set lo up
addr add $2/24 dev rflnic$1
link set rflnic$1 up
neigh replace $3 lladdr $4 dev rflnic$1 nud permanent
EOF
}

# setup IMPL: both NICs bound, named, addressed, up, with carrier.
setup() {
	use "$1"
	teardown
	trap teardown EXIT
	bind
	net_up
}

# stats NIC NAME...: interface counters of rflnic<NIC> from sysfs, one a
# line, in one netns exec.
stats() {
	_n=$1
	shift
	_p=
	for _c; do
		_p="$_p /sys/class/net/rflnic$_n/statistics/$_c"
	done
	# shellcheck disable=SC2086 # one path a word
	ip netns exec "rfl$_n" cat $_p
}

# stat NIC NAME: one interface counter.
stat() {
	stats "$@"
}

# listening NIC PORT: a TCP listener on PORT in rfl<NIC>.
listening() {
	ip netns exec "rfl$1" ss -Hltn "sport = :$2" | grep -q .
}
