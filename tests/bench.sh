#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench: figures measured on the emulated POWER8, printed, not judged.
set -uo pipefail
. "$(dirname "$0")/testbed/lib.sh"

bash "$TOP/tests/testbed/setup.sh" || die "testbed setup failed"
load_kernel
OUT=$WORK/bench
mkdir -p "$OUT"
make -s -C "$TOP" KDIR="$KDIR" ARCH=powerpc CROSS_COMPILE="$CROSS" modules || die "build failed"
bash "$TOP/tests/kmod/build.sh" "$OUT/kmod" || die "test modules"
bash "$TOP/tests/testbed/mkinitramfs.sh" "$OUT/initramfs.cpio.gz" "$OUT/kmod=/tests/kmod" ||
	die "initramfs"
bash "$TOP/tests/testbed/run-vm.sh" -i "$OUT/initramfs.cpio.gz" -p bench -t 600 \
	-l "$OUT/console.log" >"$OUT/run.out" 2>&1 || { cat "$OUT/run.out"; die "bench run failed"; }
echo "TCE table bytes, Debian kernel $KVER on QEMU powernv8 (hardware table only):"
sed -n 's/^bench| /  /p' "$OUT/console.log"
