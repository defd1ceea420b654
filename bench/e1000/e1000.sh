#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The paper's e1000 measurement, redone side by side in one boot: ping
# latency (min/avg/max/mdev) and iperf3 TCP throughput between the guest's
# two NICs, each in its own network namespace, for four configurations,
# interleaved round after round:
#
#   e1000              mainline, its defaults (dynamic ITR, prefetch)
#   ce1000             ours, prefetch on, ITR 20000 interrupts/s
#   ce1000-noprefetch  ours, prefetch off (the Rust port had none)
#   ce1000-rustitr     ours, prefetch on, ITR = 1302083 (the Rust port's)
#
# One RESULT line per configuration and round; bench/report.py makes the
# medians and ratios. Quick by default; RFL_FULL=1 is the long run.
. "$(dirname "$0")/../../tests/lib/rfl.sh"

IP0=192.0.2.1
IP1=192.0.2.2
MAC0=52:54:00:00:00:01
MAC1=52:54:00:00:00:02
CONFIGS="e1000 ce1000 ce1000-noprefetch ce1000-rustitr"

if [ -n "${RFL_FULL:-}" ]; then
	ROUNDS=5 PINGS=200 INTERVAL=0.1 SECONDS_TCP=5
else
	ROUNDS=5 PINGS=40 INTERVAL=0.02 SECONDS_TCP=1
fi

pci_nics() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = 0x8086 ] &&
			[ "$(cat "$d/device")" = 0x100e ] && echo "${d##*/}"
	done
}

teardown() {
	for i in 0 1; do
		ip -n rfl$i link set rflnic$i netns 1 2>/dev/null || true
		ip netns del rfl$i 2>/dev/null || true
	done
	for m in ce1000 e1000; do
		[ -d /sys/module/$m ] && rmmod $m
	done
	for p in $(pci_nics); do
		echo >"/sys/bus/pci/devices/$p/driver_override"
	done
}

has_carrier() {
	[ "$(ip netns exec "rfl$1" cat "/sys/class/net/rflnic$1/carrier")" = 1 ]
}

# bind DRIVER: both NICs on DRIVER, in namespaces rfl0 and rfl1.
bind() {
	teardown
	for p in $(pci_nics); do
		echo "$1" >"/sys/bus/pci/devices/$p/driver_override"
	done
	modprobe "$1"
	i=0
	for p in $(pci_nics); do
		wait_for 5 test -d "/sys/bus/pci/devices/$p/net" || fail "$p: no net device"
		ip link set "$(ls "/sys/bus/pci/devices/$p/net")" name rflnic$i
		ip netns add rfl$i
		ip link set rflnic$i netns rfl$i
		ip -n rfl$i link set lo up
		ip -n rfl$i addr add 192.0.2.$((i + 1))/24 dev rflnic$i
		ip -n rfl$i link set rflnic$i up
		i=$((i + 1))
	done
	ip -n rfl0 neigh replace $IP1 lladdr $MAC1 dev rflnic0 nud permanent
	ip -n rfl1 neigh replace $IP0 lladdr $MAC0 dev rflnic1 nud permanent
	wait_for 10 has_carrier 0 || fail "no carrier on NIC 0"
	wait_for 10 has_carrier 1 || fail "no carrier on NIC 1"
	# The first frames after the link comes up may be lost: warm up.
	wait_for 10 ip netns exec rfl0 ping -c 1 -W 1 $IP1 >/dev/null ||
		fail "no ping after binding $1"
	DRIVER=$1
}

# configure CONFIG: the driver and both NICs' knobs.
configure() {
	case $1 in
	e1000)
		[ "${DRIVER:-}" = e1000 ] || bind e1000
		return
		;;
	ce1000) pf=on itr=off ;;
	ce1000-noprefetch) pf=off itr=off ;;
	ce1000-rustitr) pf=on itr=on ;;
	esac
	[ "${DRIVER:-}" = ce1000 ] || bind ce1000
	for i in 0 1; do
		ip netns exec rfl$i ethtool --set-priv-flags rflnic$i \
			prefetch "$pf" rust-port-itr "$itr"
	done
}

# ping_stats: min avg max mdev in ms of PINGS pings, mdev as iputils
# computes it, from the per-reply times.
ping_stats() {
	ip netns exec rfl0 ping -c "$PINGS" -i "$INTERVAL" -W 2 $IP1 |
		sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' |
		awk '# busybox awk has no sqrt(): Newton steps
		     function root(x, r, i) {
			   if (x <= 0) return 0
			   for (r = x + 1; i < 60; i++) r = (r + x / r) / 2
			   return r }
		     { n++; s += $1; q += $1 * $1
		       if (n == 1 || $1 < lo) lo = $1; if ($1 > hi) hi = $1 }
		     END { if (n == 0) exit 1; a = s / n
			   printf "%d %.3f %.3f %.3f %.3f\n", n, lo, a, hi,
				  root(q / n - a * a) }'
}

listening() {
	ip netns exec rfl1 ss -Hltn 'sport = :5201' | grep -q .
}

# tcp_mbit: iperf3 TCP rfl0 -> rfl1, receiver's Mbit/s.
tcp_mbit() {
	ip netns exec rfl1 iperf3 -s -1 -D -I /tmp/rfl-bench-iperf.pid >/dev/null 2>&1
	wait_for 10 listening || return 0
	ip netns exec rfl0 iperf3 -c $IP1 -t "$SECONDS_TCP" -f m 2>/dev/null |
		awk '/receiver/ { print $7 }'
	pid=$(cat /tmp/rfl-bench-iperf.pid 2>/dev/null) && kill "$pid" 2>/dev/null
	rm -f /tmp/rfl-bench-iperf.pid
}

bench() {
	trap teardown EXIT
	echo "PROGRESS bench=e1000 rounds=$ROUNDS" # the host's progress line
	r=1
	order=$CONFIGS
	while [ $r -le $ROUNDS ]; do
		# Every other round backwards (ABBA): one driver change a round.
		if [ $((r % 2)) = 0 ]; then
			order=$(echo "$CONFIGS" | tr ' ' '\n' | sed '1!G;h;$!d')
		else
			order=$CONFIGS
		fi
		for c in $order; do
			configure "$c"
			s=$(ping_stats) || fail "$c: no ping replies"
			# shellcheck disable=SC2086 # five numbers
			set -- $s
			[ "$1" -ge $((PINGS / 2)) ] || fail "$c: $1 of $PINGS pings answered"
			tcp=$(tcp_mbit)
			[ -n "$tcp" ] || fail "$c: iperf3 failed"
			echo "RESULT bench=e1000 impl=$c round=$r pings=$1" \
				"ping_min_ms=$2 ping_avg_ms=$3 ping_max_ms=$4" \
				"ping_mdev_ms=$5 tcp_mbit_s=$tcp"
		done
		r=$((r + 1))
	done
}

t=900
[ -n "${RFL_FULL:-}" ] && t=3600
case_add compare/e1000/ping-iperf3 bench timeout=$t

rfl_main "$@"
