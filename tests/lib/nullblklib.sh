# SPDX-License-Identifier: GPL-2.0
# The three null block implementations, for tests/nullblk, bench/nullblk
# and the fault sweep: cnull (ours, C), rnull (mainline, Rust), null_blk
# (mainline, C).

# shellcheck shell=sh disable=SC2034 # the variables are for the caller

# nullblk_impl IMPL: MOD (the module), CFS (its configfs directory under
# /sys/kernel/config) and PARAMS (module parameters) of IMPL.
nullblk_impl() {
	case $1 in
	cnull) MOD=cnull CFS=cnull PARAMS= ;;
	rnull) MOD=rnull_mod CFS=rnull PARAMS= ;;
	# nr_devices=0: no nullb0 at load, only what configfs makes
	null_blk) MOD=null_blk CFS=nullb PARAMS=nr_devices=0 ;;
	esac
}
