#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make demo: boot a stock Debian ppc64el kernel on an emulated POWER8 (QEMU
# powernv8: skiboot, three PHB3 host bridges, an NVMe controller), load the
# modules built from this tree and print what they do.  The kernel is the
# newest supported one, Debian 13's 6.12 (4K pages), unless KERNEL= names
# another series: make demo KERNEL=6.1 (Debian 12) or KERNEL=6.12-64k.
set -uo pipefail
. "$(dirname "$0")/testbed/lib.sh"

bash "$TOP/tests/testbed/setup.sh" || die "testbed setup failed"
load_kernel "${KERNEL:-6.12}"
# The scripts below stage, pack and boot the same series.
export SPAPR_DDW_KERNEL=$KSERIES
OUT=$WORK/demo
mkdir -p "$OUT"
log "building the modules for $KVER"
make -C "$TOP" KDIR="$KDIR" ARCH=powerpc CROSS_COMPILE="$CROSS" modules >"$OUT/build.log" 2>&1 ||
	{ tail -n 20 "$OUT/build.log"; die "build failed"; }
bash "$TOP/tests/user/build.sh" "$OUT/bin" || die "userspace test programs"
bash "$TOP/tests/testbed/mknested.sh" "$OUT/nested" "$OUT/bin/pattern" || die "nested payload"
bash "$TOP/tests/testbed/mkinitramfs.sh" "$OUT/initramfs.cpio.gz" "$OUT/bin=/tests/bin" \
	"$OUT/nested=/" || die "initramfs"
machine=${DEMO_MACHINE:-powernv8}
log "booting QEMU $machine; the pseries guest inside it, under KVM, takes about a minute"
bash "$TOP/tests/testbed/run-vm.sh" -i "$OUT/initramfs.cpio.gz" -m "$machine" \
	-p demo -t 900 -l "$OUT/console.log" >"$OUT/run.out" 2>&1
rc=$?
echo
sed -n 's/^demo| \{0,1\}//p' "$OUT/console.log"
echo
if [ $rc -ne 0 ]; then
	cat "$OUT/run.out"
	die "the demo run failed (console log: $OUT/console.log)"
fi
# The disk image, read by this machine: what the two guests wrote is there.
tag=$machine
[ "$KSERIES" = 6.1 ] || tag=$machine-$KSERIES
img=$WORK/$tag-demo-nvme.img
echo "7. This x86 machine reads the NVMe's disk image ($img):"
python3 "$TOP/tests/testbed/check-pattern.py" "$img" 8 16 | sed 's/^/   /' || die "pattern missing"
python3 "$TOP/tests/testbed/check-pattern.py" "$img" 8 32 | sed 's/^/   /' || die "pattern missing"
python3 "$TOP/tests/testbed/check-pattern.py" "$img" 8 40 | sed 's/^/   /' || die "pattern missing"
echo
echo "(full console log: $OUT/console.log)"
