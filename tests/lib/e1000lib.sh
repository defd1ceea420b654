# SPDX-License-Identifier: GPL-2.0
# The guest's two 82540EM NICs, shared by tests/e1000 and bench/e1000: each
# NIC bound by hand to a driver (driver_override), renamed rflnic0/rflnic1
# and put in its own network namespace, rfl0 (192.0.2.1) and rfl1
# (192.0.2.2), with static neighbour entries so that nothing but our own
# frames is on the wire. Sourced after rfl.sh (fail, expect_eq, wait_for).

# shellcheck shell=sh

IP0=192.0.2.1
IP1=192.0.2.2
MAC0=52:54:00:00:00:01
MAC1=52:54:00:00:00:02

# use IMPL: the drivers of NIC 0 and NIC 1.
use() {
	case $1 in
	ce1000-e1000) DRV0=ce1000 DRV1=e1000 ;;
	*) DRV0=$1 DRV1=$1 ;;
	esac
}

# The two 82540EM functions in bus order: NIC 0 (MAC0) first.
pci_nics() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = 0x8086 ] &&
			[ "$(cat "$d/device")" = 0x100e ] && echo "${d##*/}"
	done
}

n0() { ip netns exec rfl0 "$@"; }
n1() { ip netns exec rfl1 "$@"; }

unbind_all() {
	for p in $(pci_nics); do
		d=/sys/bus/pci/devices/$p
		[ -e "$d/driver" ] && echo "$p" >"$d/driver/unbind"
		echo >"$d/driver_override"
	done
}

unload() {
	for m in ce1000 e1000; do
		[ -d /sys/module/$m ] || continue
		rmmod $m || fail "rmmod $m failed"
	done
}

teardown() {
	for i in 0 1; do
		ip -n rfl$i link set rflnic$i netns 1 2>/dev/null || true
		ip netns del rfl$i 2>/dev/null || true
	done
	unload
	unbind_all
}

# bind: NIC 0 to DRV0, NIC 1 to DRV1; sets PCI0, PCI1, IF0, IF1 (names in
# the initial namespace) and checks each NIC reports its own MAC.
bind() {
	# shellcheck disable=SC2046 # one PCI address a word
	set -- $(pci_nics)
	[ $# = 2 ] || fail "want two 82540EM NICs, found $#"
	PCI0=$1 PCI1=$2
	unbind_all
	echo "$DRV0" >"/sys/bus/pci/devices/$PCI0/driver_override"
	echo "$DRV1" >"/sys/bus/pci/devices/$PCI1/driver_override"
	# shellcheck disable=SC2086 # PARAMS0 is a word list
	modprobe "$DRV0" ${PARAMS0:-}
	[ "$DRV1" = "$DRV0" ] || modprobe "$DRV1"
	for p in $PCI0 $PCI1; do
		[ -e "/sys/bus/pci/devices/$p/driver" ] ||
			echo "$p" >/sys/bus/pci/drivers_probe
	done
	wait_for 5 test -d "/sys/bus/pci/devices/$PCI0/net" -a \
		-d "/sys/bus/pci/devices/$PCI1/net" || fail "no net device after bind"
	IF0=$(ls "/sys/bus/pci/devices/$PCI0/net")
	IF1=$(ls "/sys/bus/pci/devices/$PCI1/net")
	expect_eq "driver of NIC 0" "$(basename "$(readlink "/sys/bus/pci/devices/$PCI0/driver")")" "$DRV0"
	expect_eq "driver of NIC 1" "$(basename "$(readlink "/sys/bus/pci/devices/$PCI1/driver")")" "$DRV1"
	expect_eq "MAC of NIC 0 (EEPROM)" "$(cat "/sys/class/net/$IF0/address")" $MAC0
	expect_eq "MAC of NIC 1 (EEPROM)" "$(cat "/sys/class/net/$IF1/address")" $MAC1
}

carrier() { ip netns exec "rfl$1" cat "/sys/class/net/rflnic$1/carrier" 2>/dev/null; }
has_carrier() { [ "$(carrier "$1")" = 1 ]; }
no_carrier() { [ "$(carrier "$1")" = 0 ]; }

# setup IMPL: both NICs bound, named, addressed, up, with carrier.
setup() {
	use "$1"
	teardown
	trap teardown EXIT
	bind
	set -- "$IF0" "$IF1"
	for i in 0 1; do
		ip netns add rfl$i
		ip link set "$1" name rflnic$i
		shift
		ip link set rflnic$i netns rfl$i
		ip -n rfl$i link set lo up
		ip -n rfl$i addr add 192.0.2.$((i + 1))/24 dev rflnic$i
		ip -n rfl$i link set rflnic$i up
	done
	ip -n rfl0 neigh replace $IP1 lladdr $MAC1 dev rflnic0 nud permanent
	ip -n rfl1 neigh replace $IP0 lladdr $MAC0 dev rflnic1 nud permanent
	wait_for 10 has_carrier 0 || fail "no carrier on NIC 0"
	wait_for 10 has_carrier 1 || fail "no carrier on NIC 1"
}

# stat NIC NAME: an interface counter from sysfs.
stat() {
	ip netns exec "rfl$1" cat "/sys/class/net/rflnic$1/statistics/$2"
}

# listening NIC PORT: a TCP listener on PORT in rfl<NIC>.
listening() {
	ip netns exec "rfl$1" ss -Hltn "sport = :$2" | grep -q .
}
