#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the versions of what the suite is built and run with. Runs inside
# the tool root.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/kernel/series")
kpkg=$(apt-cache policy "linux-source-$series" | sed -n 's/^ *Candidate: //p')
release=$(cat "$BUILD/kernel-main/include/config/kernel.release" 2>/dev/null ||
	echo "not built yet")
printf '%-9s %s\n' \
	kernel "linux-source-$series $kpkg (release $release)" \
	rustc "$(rustc --version)" \
	bindgen "$(bindgen --version | head -n1)" \
	clang "$(clang --version | head -n1)" \
	qemu "$(qemu-system-aarch64 --version | head -n1)" \
	debian "$(cat /etc/debian_version) (tool root $(basename "$(toolroot_dir)"))"
