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

# The outcome was said (rfl_run_case tells it from a silent set -e exit).
# $$ is the program's own PID in the case's subshell too.
RFL_SAID=/tmp/rfl-said.$$

skip() {
	echo "SKIP: $*"
	: >"$RFL_SAID"
	exit 4
}

fail() {
	echo "FAIL: $*"
	: >"$RFL_SAID"
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
	: >"$RFL_SAID"
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

# rfl_run_case FUNCTION NAME: a failure without fail's message is a
# command that failed under set -eu; say so, or the case ends silently.
rfl_run_case() {
	rm -f "$RFL_SAID"
	# Not in an || or if: there the shell ignores set -e, inside too.
	(
		set -eu
		"$1" "$2"
	)
	_rc=$?
	if [ "$_rc" != 0 ] && [ ! -e "$RFL_SAID" ]; then
		echo "FAIL: exit status $_rc with no message: a command failed under set -eu (its output, if any, is above)"
	fi
	rm -f "$RFL_SAID"
	return "$_rc"
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
				# Not as an if's condition (set -e would be off).
				rfl_run_case "$fn" "$name"
				_r=$?
				if [ "$_r" = 0 ]; then
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
