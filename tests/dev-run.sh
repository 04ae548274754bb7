#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# For developers: build, pack and run the given guest tests with their output.
#   tests/dev-run.sh [-m powernv9] [-n] TEST...
# -n packs the nested guest's payload too (for nested-ddw).
set -euo pipefail
. "$(dirname "$0")/testbed/lib.sh"
load_kernel
machine=powernv8
[ "${1:-}" = -m ] && { machine=$2; shift 2; }
nested=
[ "${1:-}" = -n ] && { nested=1; shift; }
out=$WORK/dev
mkdir -p "$out" "$out/plans"
make -s -C "$TOP" KDIR="$KDIR" ARCH=powerpc CROSS_COMPILE="$CROSS" W=1 modules
bash "$TOP/tests/user/build.sh" "$out/bin"
bash "$TOP/tests/kmod/build.sh" "$out/kmod"
printf '%s\n' "$@" >"$out/plans/dev"
extra=("$out/plans=/tests/plans" "$out/bin=/tests/bin" "$out/kmod=/tests/kmod")
if [ -n "$nested" ]; then
	bash "$TOP/tests/testbed/mknested.sh" "$out/nested" "$out/bin/pattern"
	extra+=("$out/nested=/")
fi
bash "$TOP/tests/testbed/mkinitramfs.sh" "$out/initramfs.cpio.gz" "${extra[@]}"
DDW_VERBOSE=1 bash "$TOP/tests/testbed/run-vm.sh" -i "$out/initramfs.cpio.gz" -m "$machine" \
	-p dev -t "${DEV_TIMEOUT:-600}" -l "$out/console.log" || { grep -v '^\[' "$out/console.log" | tail -n 60; exit 1; }
grep -E '^    [a-z0-9-]+: ' "$out/console.log" | head -n 200
