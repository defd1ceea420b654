# SPDX-License-Identifier: GPL-2.0
# rfl.sh: cases for shell test programs, sourced by tests/<group>/*.sh.
#
# A program defines one function per case, registers it with
#   case_add NAME FUNCTION [timeout=S] [expect=splat|hang] [known=WORD:REF]
# (NAME is driver/implementation/case) and ends with: rfl_main "$@".
# FUNCTION gets NAME as its argument, so one function can serve many cases.
# It then answers --list and --run NAME for the guest runner; with no
# arguments it runs every case, for a person at the shell.
# A case runs in a subshell with 'set -eu': any failing command fails it.
# skip REASON ends it as skipped; fail MESSAGE as failed; xfail REASON
# REFERENCE as a known bug of a mainline driver; elsewhere REASON as a case
# that runs in another boot (see tests/README.md).

# shellcheck shell=sh

RFL_CASES=""

case_add() {
	RFL_CASES="$RFL_CASES$*
"
}

skip() {
	echo "SKIP: $*"
	exit 4
}

fail() {
	echo "FAIL: $*"
	exit 1
}

# elsewhere REASON: this case runs in another boot (another kernel
# variant), so here it is no result at all.
elsewhere() {
	skip "elsewhere: $*"
}

# xfail REASON REFERENCE: a known bug of a mainline driver showed;
# REFERENCE is a commit, a URL or a README section. Status 2 is KSFT_XFAIL.
xfail() {
	echo "XFAIL: $1 (see $2)"
	exit 2
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# builtin_module NAME: NAME is built into the running kernel (Debian's
# gpio-pl061), so it is always there and can never be unloaded.
builtin_module() {
	tr - _ <"/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null |
		grep -q "/$(echo "$1" | tr - _)\.ko\$"
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	_n=$(($1 * 10))
	shift
	while ! "$@"; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || return 1
		sleep 0.1
	done
}

rfl_run_case() {
	(
		set -eu
		"$1" "$2"
	)
}

rfl_main() {
	case ${1:-} in
	--list)
		printf '%s' "$RFL_CASES" | while read -r name fn meta; do
			echo "$name $meta"
		done
		;;
	--run)
		fn=$(printf '%s' "$RFL_CASES" | awk -v n="$2" '$1 == n { print $2 }')
		[ -n "$fn" ] || fail "no case named '$2'"
		rfl_run_case "$fn" "$2"
		;;
	"")
		rc=0
		printf '%s' "$RFL_CASES" | {
			while read -r name fn meta; do
				if rfl_run_case "$fn" "$name"; then
					echo "ok $name"
				else
					echo "not ok $name"
					rc=1
				fi
			done
			exit $rc
		}
		;;
	*)
		echo "usage: $0 [--list | --run NAME]" >&2
		exit 2
		;;
	esac
}
