#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# in-root.sh CMD...: run CMD inside the tool root, making the root first
# when it is missing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root "running the build in the tool root" "it uses chroot and bind mounts"
# Progress to stderr: callers may capture stdout.
[ -e "$(toolroot_dir)/.complete" ] || "$TOP/scripts/toolroot.sh" >&2
in_root "$@"
