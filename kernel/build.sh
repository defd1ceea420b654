#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build.sh VARIANT: configure and build the kernel image and in-tree modules
# for one variant of kernel/variants. Output goes to a cache directory keyed
# by (source, fragments, toolchain); a '.complete' stamp marks a finished
# build, and an interrupted one is resumed by make. Runs inside the tool
# root; prints the build directory on stdout.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

variant=${1:-main}
# Debian's packaged kernel is fetched, not built.
[ "$variant" = debian ] && exec "$TOP/kernel/debian.sh"
frags=$(sed -n "s/^$variant:[[:space:]]*//p" "$TOP/kernel/variants")
[ -n "$frags" ] || die "kernel variant '$variant' is not in kernel/variants"

src=$("$TOP/kernel/fetch.sh")
# The architecture's own fragment (its interrupt controller, console, RTC,
# platform devices) comes first, then the variant's.
files=("$TOP/kernel/config/$RFL_ARCH.config")
for f in $frags; do
	files+=("$TOP/kernel/config/$f.config")
done

# pahole too: its version is in .config (CONFIG_PAHOLE_VERSION, BTF).
toolchain=$( (clang --version | head -n1; rustc --version; bindgen --version
	pahole --version) 2>&1)
# Builds that share source, toolchain and architecture can seed each other
# (see below); arm64's stamp is as it was before there were others.
base=$( (basename "$src"; echo "$toolchain"; [ "$RFL_ARCH" = arm64 ] ||
	echo "$RFL_ARCH") | sha256sum | cut -c1-12)
key=$( (basename "$src"; echo "$toolchain"; cat "${files[@]}") | sha256sum | cut -c1-12)
# arm64 builds keep their names; others carry the architecture.
name=$variant
[ "$RFL_ARCH" = arm64 ] || name=$RFL_ARCH-$variant
out=$CACHE/kernel/build-$name-$key
mkdir -p "$BUILD"
ln -sfn "$out" "$BUILD/kernel-$variant"
ln -sfn "$src" "$BUILD/linux"
if [ -e "$out/.complete" ]; then
	# Builds older than seeding lack the stamp that lets them seed.
	[ -e "$out/.base" ] || echo "$base" >"$out/.base"
	echo "$out"
	exit 0
fi

# One build of a variant at a time: a second run waits, then reuses it.
mkdir -p "$CACHE/kernel"
wait_lock "$CACHE/kernel/.lock-$name" "building kernel $name"
if [ -e "$out/.complete" ]; then
	echo "$out"
	exit 0
fi
need_space 2 "building kernel $name"

# Unfinished builds of other configurations are never resumed: drop them.
for d in "$CACHE/kernel/build-$name-"*; do
	[ "$d" != "$out" ] || continue
	# An interrupted seed copy may hold its source's stamp: never trust it.
	case $d in *.tmp) rm -rf "$d" && continue ;; esac
	[ -e "$d/.complete" ] || rm -rf "$d"
done
# A variant's first build starts from a copy of a finished build of another
# variant with the same source and toolchain: Kbuild records which CONFIG_
# symbols each object depends on, so only what the fragments change is
# rebuilt (the Rust binder variant: minutes instead of a full build). The
# seed is the build whose variant has the fewest fragments not shared with
# ours (bench seeds from main, not from sanitize, whose KASAN touches every
# object); among those the newest, the likeliest to differ least (a
# fragment just edited).
# fragments_apart VARIANT: how many fragments it and ours do not share.
fragments_apart() {
	{
		echo "$frags" | tr ' ' '\n'
		sed -n "s/^$1:[[:space:]]*//p" "$TOP/kernel/variants" | tr ' ' '\n'
	} | grep . | sort | uniq -u | wc -l
}
if [ ! -d "$out" ]; then
	seed='' seed_apart=''
	for stamp in "$CACHE"/kernel/build-*/.complete; do
		[ -e "$stamp" ] || continue
		d=${stamp%/.complete}
		case $d in *.tmp) continue ;; esac
		[ "$(cat "$d/.base" 2>/dev/null)" = "$base" ] || continue
		v=${d##*/build-}
		v=${v#"$RFL_ARCH"-}
		apart=$(fragments_apart "${v%-*}")
		if [ -z "$seed" ] || [ "$apart" -lt "$seed_apart" ] ||
			{ [ "$apart" = "$seed_apart" ] &&
				[ "$stamp" -nt "$seed/.complete" ]; }; then
			seed=$d seed_apart=$apart
		fi
	done
	if [ -n "$seed" ]; then
		say "seeding $variant from $(basename "$seed")" >&2
		rm -rf "$out.tmp"
		cp -a --no-target-directory "$seed" "$out.tmp"
		rm -rf "$out.tmp/.complete" "$out.tmp/staging"
		mv "$out.tmp" "$out"
	fi
fi
mkdir -p "$out"
echo "$base" >"$out/.base"
log=$out/build.log
kmake=(make -C "$src" O="$out" ARCH="$KARCH" LLVM=1 -j"$(nproc)")

# Merge the fragments, later ones winning, then check that every symbol
# they set survived Kconfig: an unmet dependency drops it silently.
awk '
	/^CONFIG_[A-Za-z0-9_]+=/ { sym = $0; sub(/=.*/, "", sym) }
	/^# CONFIG_[A-Za-z0-9_]+ is not set/ { sym = $2 }
	sym == "" { next }
	!(sym in val) { order[n++] = sym }
	{ val[sym] = $0; sym = "" }
	END { for (i = 0; i < n; i++) print val[order[i]] }
' "${files[@]}" >"$out/fragment.config"
say "configuring $variant from: $frags" >&2
run_logged "$out/config.log" "${kmake[@]}" \
	KCONFIG_ALLCONFIG="$out/fragment.config" allnoconfig >&2 ||
	die "kernel configuration failed (log: $out/config.log)"
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF -- "$line" "$out/.config" && continue
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		! grep -q "^$sym=" "$out/.config" && continue
		;;
	*) continue ;;
	esac
	echo "  not in .config: $line" >&2
	bad=1
done <"$out/fragment.config"
if [ "$bad" = 1 ]; then
	grep -q '^CONFIG_RUST=y' "$out/.config" ||
		"${kmake[@]}" rustavailable >&2 || true
	die "kernel/config fragments ask for symbols Kconfig dropped (above); fix their dependencies"
fi

say "building kernel $variant, $(nproc) jobs (log: $log)" >&2
start=$SECONDS
"${kmake[@]}" "$KIMAGE_TARGET" modules >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' INT TERM EXIT
while kill -0 $pid 2>/dev/null; do
	sleep 30
	kill -0 $pid 2>/dev/null &&
		say "  still building ($((SECONDS - start))s, $(grep -c '^  [A-Z]' "$log") steps)" >&2
done
trap - INT TERM EXIT
if ! wait $pid; then
	echo "---- last 40 lines of $log ----" >&2
	tail -n 40 "$log" >&2
	die "kernel build failed after $((SECONDS - start))s (full log: $log)"
fi

# Stage the in-tree modules so the guest can modprobe them.
rm -rf "$out/staging"
run_logged "$out/modules_install.log" "${kmake[@]}" \
	INSTALL_MOD_PATH="$out/staging" modules_install >&2
touch "$out/.complete"
prune_old 2 "$out" "$CACHE/kernel/build-$name-"*
say "kernel $variant built in $((SECONDS - start))s: $(make -s -C "$src" O="$out" kernelrelease 2>/dev/null)" >&2
echo "$out"
