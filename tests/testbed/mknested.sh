#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The nested guest's payload, a tree to merge into the host's initramfs:
#   mknested.sh OUTDIR PATTERN
# Debian's ppc64el QEMU with its libraries and firmware (staged by
# setup.sh), the Debian kernel as /nested/vmlinux and the nested guest's
# own initramfs (mkinitramfs.sh -n, with the PATTERN program) as
# /nested/initramfs.cpio.gz.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
load_kernel

out=$1
pattern=$2
[ -x "$CACHE/nested/root/usr/bin/qemu-system-ppc64" ] ||
	die "no nested QEMU staged: run tests/testbed/setup.sh"
rm -rf "$out"
mkdir -p "$out/nested" "$out.bin"
cp -r "$CACHE/nested/root/." "$out/"
cp "$pattern" "$out.bin/pattern"
bash "$TOP/tests/testbed/mkinitramfs.sh" -n "$out/nested/initramfs.cpio.gz" "$out.bin=/bin"
rm -rf "$out.bin"
cp "$VMLINUX" "$out/nested/vmlinux"
