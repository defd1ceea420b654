#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The paper's e1000 measurement, redone side by side in one boot: ping
# latency (min/avg/max/mdev) and iperf3 TCP throughput between the guest's
# two NICs, each in its own network namespace, for seven configurations,
# interleaved round after round:
#
#   e1000              mainline, its defaults (dynamic ITR, prefetch)
#   ce1000             ours (C), prefetch on, ITR 20000 interrupts/s
#   ce1000-noprefetch  ours (C), prefetch off (the Rust port had none)
#   ce1000-rustitr     ours (C), prefetch on, ITR = 1302083 (the Rust port's)
#   re1000, re1000-noprefetch, re1000-rustitr
#                      the same three for our Rust twin (same module
#                      parameters and private flags)
#
# A driver whose module is not in the suite (re1000 before it is built)
# is left out with a line saying so; the report shows it as not built.
# The order within a round is shuffled (seeded): the drivers, then each
# driver's configurations (a driver change, rebinding both NICs, costs
# seconds under TCG: two a round, not one per configuration); after each
# change of
# driver or knob, a warm-up ping run that is not recorded. One RESULT line
# per configuration and round, with the coalescing (ITR), ring sizes and
# private flags read back with ethtool; bench/report.py pairs them by
# round. RFL_FULL=1: the paper's 100 pings at ping's default interval (1
# s); quick: 40 pings 20 ms apart (more than the Rust port's 14.6 ms
# interrupt delay, so each ping still waits for its own interrupt).
# TCP: iperf3 for SECONDS_TCP after OMIT_TCP seconds it leaves out (the
# connection's start and slow start): the 1-second runs of before measured
# mostly the start, 37..540 Mbit/s for one driver in one boot, while after
# 2 s the same link carries 1000..1500 (drivers/e1000/README.md, "TCP
# throughput").
. "$(dirname "$0")/../../tests/lib/rfl.sh"
. "$(dirname "$0")/../../tests/lib/e1000lib.sh"
. "$(dirname "$0")/../../tests/lib/benchlib.sh"

ALL_CONFIGS="e1000 ce1000 ce1000-noprefetch ce1000-rustitr re1000 re1000-noprefetch re1000-rustitr"

if [ -n "${RFL_FULL:-}" ]; then
	ROUNDS=5 PINGS=100 INTERVAL=1 SECONDS_TCP=5 OMIT_TCP=2
else
	ROUNDS=5 PINGS=40 INTERVAL=0.02 SECONDS_TCP=3 OMIT_TCP=1
fi
WARMUP_PINGS=5

# driver_of CONFIG: the module a configuration runs on.
driver_of() {
	case $1 in
	*-noprefetch) echo "${1%-noprefetch}" ;;
	*-rustitr) echo "${1%-rustitr}" ;;
	*) echo "$1" ;;
	esac
}

# configs: CONFIGS, those of ALL_CONFIGS whose module is there, and
# DRIVERS, their drivers.
configs() {
	CONFIGS='' DRIVERS=
	for c in $ALL_CONFIGS; do
		d=$(driver_of "$c")
		if modinfo -n "$d" >/dev/null 2>&1; then
			CONFIGS="$CONFIGS $c"
			case " $DRIVERS " in
			*" $d "*) ;;
			*) DRIVERS="$DRIVERS $d" ;;
			esac
		else
			echo "$c: no module $d in the suite (not built), left out"
		fi
	done
	CONFIGS=${CONFIGS# }
	[ -n "$CONFIGS" ] || fail "no e1000 driver to measure"
}

# configure CONFIG: the driver and both NICs' knobs.
configure() {
	drv=$(driver_of "$1")
	case $1 in
	*-noprefetch) pf=off itr=off ;;
	*-rustitr) pf=on itr=on ;;
	*) pf=on itr=off ;;
	esac
	if [ "${DRIVER:-}" != "$drv" ]; then
		setup "$drv"
		# The first frames after the link comes up may be lost: warm up.
		wait_for 10 n0 ping -c 1 -W 1 $IP1 >/dev/null ||
			fail "no ping after binding $drv"
		DRIVER=$drv
	fi
	if ours "$drv"; then
		for i in 0 1; do
			ip netns exec rfl$i ethtool --set-priv-flags rflnic$i \
				prefetch "$pf" rust-port-itr "$itr"
		done
	fi
	# Warm-up after the change, not recorded.
	n0 ping -c $WARMUP_PINGS -i "$INTERVAL" -W 2 $IP1 >/dev/null || true
}

# nic_config: the cfg_ words of rflnic0 as its driver reports them:
# rx-usecs (the ITR the device applies), ring sizes, private flags, and
# the TX offloads (each driver runs with its defaults: mainline and ce1000
# with scatter-gather, checksum and TSO on; a driver without them shows
# them off).
nic_config() {
	usecs=$(n0 ethtool -c rflnic0 | awk '/^rx-usecs:/ { print $2 }')
	rings=$(n0 ethtool -g rflnic0 | awk '/^Current/ { c = 1 }
		c && /^(RX|TX):/ { printf "%s%s", s, $2; s = "/" }')
	flags=$(n0 ethtool --show-priv-flags rflnic0 2>/dev/null |
		awk -F': *' 'NR > 1 && NF == 2 { printf "%s%s:%s", s, $1, $2
			s = "," }' | tr -d ' ')
	offl=$(n0 ethtool -k rflnic0 | awk '
		/^(scatter-gather|tx-checksumming|tcp-segmentation-offload):/ {
			sub(":", "", $1); printf "%s%s:%s", s, $1, $2; s = "," }')
	echo "cfg_rx_usecs=${usecs:-none} cfg_rings_rx/tx=${rings:-none}" \
		"cfg_flags=${flags:-none} cfg_offloads=${offl:-none}"
}

# ping_stats: min avg max mdev in ms of PINGS pings, mdev as iputils
# computes it, from the per-reply times.
ping_stats() {
	n0 ping -c "$PINGS" -i "$INTERVAL" -W 2 $IP1 |
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

# tcp_mbit: iperf3 TCP rfl0 -> rfl1, receiver's Mbit/s over SECONDS_TCP
# after the first OMIT_TCP.
tcp_mbit() {
	n1 iperf3 -s -1 -D -I /tmp/rfl-bench-iperf.pid >/dev/null 2>&1
	wait_for 10 listening 1 5201 || return 0
	n0 iperf3 -c $IP1 -t "$SECONDS_TCP" -O "$OMIT_TCP" -f m 2>/dev/null |
		awk '/receiver/ { print $7 }'
	pid=$(cat /tmp/rfl-bench-iperf.pid 2>/dev/null) && kill "$pid" 2>/dev/null
	rm -f /tmp/rfl-bench-iperf.pid
}

bench() {
	trap teardown EXIT
	configs
	echo "PROGRESS bench=e1000 rounds=$ROUNDS" # the host's progress line
	sys=$(sys_config)
	r=1
	while [ $r -le $ROUNDS ]; do
		for c in $(for d in $(shuffle $r "$DRIVERS"); do
			shuffle $((r * 10 + 1)) "$(echo "$CONFIGS" | tr ' ' '\n' |
				awk -v d="$d" '$0 == d || index($0, d "-") == 1')"
		done); do
			configure "$c"
			s=$(ping_stats) || fail "$c: no ping replies"
			# shellcheck disable=SC2086 # five numbers
			set -- $s
			[ "$1" -ge $((PINGS / 2)) ] || fail "$c: $1 of $PINGS pings answered"
			tcp=$(tcp_mbit)
			[ -n "$tcp" ] || fail "$c: iperf3 failed"
			echo "RESULT bench=e1000 impl=$c round=$r pings=$1" \
				"ping_min_ms=$2 ping_avg_ms=$3 ping_max_ms=$4" \
				"ping_mdev_ms=$5 tcp_mbit_s=$tcp $(nic_config) $sys"
		done
		r=$((r + 1))
	done
}

# FULL=1: 5 rounds of 7 configurations of 100 s of pings: about an hour.
t=900
[ -n "${RFL_FULL:-}" ] && t=7200
case_add compare/e1000/ping-iperf3 bench timeout=$t

rfl_main "$@"
