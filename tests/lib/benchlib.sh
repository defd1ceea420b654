#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Helpers of the shell bench programs (bench/*/*.sh), sourced after
# rfl.sh: the seeded order of a round and what the guest's CPUs are.
# RFL_SEED comes from the runner (rfl.seed, set by compare.py to the
# report's seed); by hand it defaults to 1.

# shuffle TURN WORD...: the words (however spaced, over any lines) in a
# seeded random order, on one line: the same seed and turn give the same
# order, so a report can be redone.
shuffle() {
	t=$1
	shift
	echo "$@" | awk -v seed="${RFL_SEED:-1}" -v t="$t" '
		{ for (i = 1; i <= NF; i++) w[++n] = $i }
		END {
			srand(seed * 1000 + t)
			for (i = n; i > 1; i--) {
				j = int(rand() * i) + 1
				x = w[i]; w[i] = w[j]; w[j] = x
			}
			for (i = 1; i <= n; i++)
				printf "%s%s", w[i], i < n ? " " : "\n"
		}'
}

# sys_config: the cfg_ words every RESULT line carries: the CPUs this
# shell (and what it starts) may run on, the guest's online vCPUs, the
# seed of the order.
sys_config() {
	echo "cfg_cpus=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)" \
		"cfg_vcpus=$(cat /sys/devices/system/cpu/online)" \
		"cfg_seed=${RFL_SEED:-1}"
}
