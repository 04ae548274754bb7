# The report of `make demo`: what the emulated machine has, what stock 6.1
# does with VFIO, and what the modules change.  Lines starting "demo| " are
# shown by the host.
. /tests/lib.sh
r() { echo "demo| $*" >/dev/console; }
rcmd() { "$@" 2>&1 | sed 's/^/demo|   /' >/dev/console; }
last_klog() { klog | grep "$1" | tail -n 1 | sed 's/^<[0-9]>\[[ 0-9.]*\] //'; }

r "spapr-ddw $VERSION on an emulated $DDW_MACHINE (QEMU, skiboot firmware)"
r "kernel: Debian $KVER ($KPKG), unmodified"
r ""
r "PCI host bridges (PHBs):"
for d in /sys/firmware/devicetree/base/pciex@*; do
	[ -r "$d/compatible" ] || continue
	r "  $(basename "$d"): $(tr '\0' ' ' <"$d/compatible")"
done
r "PCI devices:"
for d in /sys/bus/pci/devices/*; do
	g=$(basename "$(readlink "$d/iommu_group" 2>/dev/null)" 2>/dev/null)
	r "  $(basename "$d") [$(cat "$d/vendor"):$(cat "$d/device")] class $(cat "$d/class") iommu_group ${g:--}"
done
bdf=$(nvme_bdf) || fail "no NVMe"
grp=$(basename "$(readlink /sys/bus/pci/devices/$bdf/iommu_group)")

r ""
r "1. Stock Debian 12 kernel: bind the NVMe to vfio-pci"
modprobe vfio-pci || fail "modprobe vfio-pci failed"
if bind_driver "$bdf" vfio-pci; then
	r "   bound (this kernel needs no help)"
else
	r "   refused: $(last_klog "vfio-pci: probe of $bdf")"
fi

r ""
r "2. modprobe spapr_tce_ddw (pulls in pnv_ioda2_ddw)"
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
for m in pnv_ioda2_ddw spapr_tce_ddw; do
	r "   $(last_klog "$m: version")"
done
r "   IODA2 PEs and their DMA windows (/sys/kernel/debug/spapr_ddw/pes):"
rcmd cat /sys/kernel/debug/spapr_ddw/pes

r ""
r "3. Bind the NVMe to vfio-pci again"
bind_driver "$bdf" vfio-pci || fail "vfio-pci does not bind with pnv_ioda2_ddw"
r "   bound: /dev/vfio/$grp"

r ""
r "4. A VFIO sPAPR v2 container on group $grp (in-tree vfio_iommu_spapr_tce backend):"
r "   pre-register memory, create a 1 GiB dynamic window, map, unmap, remove"
modprobe vfio_iommu_spapr_tce || fail "modprobe vfio_iommu_spapr_tce failed"
rcmd /tests/bin/vfio_spapr v2-sequence "$grp" || fail "v2 sequence failed"
r "   what the platform did meanwhile:"
klog | sed -n 's/^<[0-9]>\[[ 0-9.]*\] pci [0-9a-f:]* *: \(\[PE# [0-9a-f]*\].*\(window\|bypass\)\)/\1/p' | tail -n 8 |
	sed 's/^/demo|     /' >/dev/console
r "   IOMMU glue counters (/sys/kernel/debug/spapr_ddw/iommu_glue):"
rcmd cat /sys/kernel/debug/spapr_ddw/iommu_glue

r ""
r "5. Hand the NVMe back to the kernel's nvme driver and read the disk"
md5=$(nvme_md5) || fail "nvme cannot read"
if [ "$md5" = "$DDW_DISK_MD5" ]; then
	r "   first 4 MiB read by nvme: md5 $md5, as the host wrote it"
else
	r "   first 4 MiB read by nvme: md5 $md5, but the host wrote $DDW_DISK_MD5"
	exit 1
fi
modprobe -r spapr_tce_ddw pnv_ioda2_ddw || fail "unload failed"
r "   spapr_tce_ddw and pnv_ioda2_ddw unloaded"
exit 0
