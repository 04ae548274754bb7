#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Pack the guest's initramfs:
#   mkinitramfs.sh [-n] OUT.cpio.gz [DIR=DEST ...]
# with busybox, the Debian modules the tests need (and their dependencies),
# our modules from the tree's build under /lib/modules/$KVER/extra, the guest
# test scripts under /tests, and each DIR copied to DEST in the image.
# -n: the image of the nested pseries guest instead: busybox, the nvme
# driver and tests/guest/nested/init, nothing of ours.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
load_kernel

nested=
[ "$1" = -n ] && { nested=1; shift; }
out=$1
shift

# Debian modules the tests load; dependencies come from modules.dep.
WANT="vfio vfio_iommu_spapr_tce vfio-pci vfio-pci-core nvme nvme-core kvm kvm-hv"
# 6.12 folded vfio_spapr_eeh into vfio_iommu_spapr_tce.
[ "$KLINE" = 6.1 ] && WANT="$WANT vfio_spapr_eeh"
[ -n "$nested" ] && WANT="nvme nvme-core"

root=$(mktemp -d "$WORK/initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT

# A modules.dep for the full Debian module tree, made once per kernel.
[ -s "$KMODS/modules.dep" ] || depmod -b "$KROOT/image" "$KVER"

mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,tests} "$root/lib/modules/$KVER/extra"
cp "$BUSYBOX" "$root/bin/busybox"
for m in $WANT; do
	line=$(modinfo -b "$KROOT/image" -k "$KVER" -F filename "$m") ||
		die "module $m not in the Debian kernel $KVER"
	rel=${line#"$KROOT/image/lib/modules/$KVER/"}
	for f in $rel $(sed -n "s|^$rel: *||p" "$KMODS/modules.dep"); do
		mkdir -p "$root/lib/modules/$KVER/$(dirname "$f")"
		case $f in
		# Debian 13 compresses its modules; busybox loads them plain.
		*.ko.xz) xz -dc "$KMODS/$f" >"$root/lib/modules/$KVER/${f%.xz}" ;;
		*) cp "$KMODS/$f" "$root/lib/modules/$KVER/$f" ;;
		esac
	done
done
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ -e "$KMODS/$f" ] && cp "$KMODS/$f" "$root/lib/modules/$KVER/"
done
if [ -n "$nested" ]; then
	cp "$TOP/tests/guest/nested/init" "$root/init"
else
	cp "$TOP"/pnv_ioda2_ddw/pnv_ioda2_ddw.ko "$TOP"/spapr_tce_ddw/spapr_tce_ddw.ko \
		"$root/lib/modules/$KVER/extra/"
	cp -r "$TOP/tests/guest/." "$root/tests/"
	mv "$root/tests/init" "$root/init"
fi
depmod -b "$root" "$KVER"
chmod +x "$root/init"
for spec in "$@"; do
	mkdir -p "$root/${spec#*=}"
	cp -r "${spec%%=*}/." "$root/${spec#*=}/"
done
cat >"$root/etc/spapr-ddw.env" <<EOT
KVER=$KVER
KPKG=$KPKG
VERSION=$VERSION
EOT

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
