# The report of `make demo`: what the emulated machine has and what the
# modules make of it.  Lines starting "demo| " are shown by the host.
. /tests/lib.sh
r() { echo "demo| $*" >/dev/console; }
rfile() { sed 's/^/demo|   /' "$1" >/dev/console; }

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
r ""
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
r "modprobe spapr_tce_ddw:"
for m in pnv_ioda2_ddw spapr_tce_ddw; do
	r "  $(klog | sed -n "s/^<[0-9]>\[[ 0-9.]*\] \($m: \)/\1/p" | tail -n 1)"
done
r ""
r "IODA2 PEs and their DMA windows (/sys/kernel/debug/spapr_ddw/pes):"
rfile /sys/kernel/debug/spapr_ddw/pes
r ""
bdf=$(nvme_bdf) || fail "no NVMe"
modprobe vfio-pci || fail "modprobe vfio-pci failed"
echo "$bdf" >/sys/bus/pci/devices/$bdf/driver/unbind
echo vfio-pci >/sys/bus/pci/devices/$bdf/driver_override
if echo "$bdf" >/sys/bus/pci/drivers_probe && [ -e /sys/bus/pci/drivers/vfio-pci/$bdf ]; then
	r "vfio-pci bind of $bdf: bound, /dev/vfio/$(ls /dev/vfio | grep -v vfio)"
	echo "$bdf" >/sys/bus/pci/drivers/vfio-pci/unbind
else
	r "vfio-pci bind of $bdf: refused:"
	r "  $(klog | grep 'vfio-pci' | tail -n 1 | sed 's/^<[0-9]>\[[ 0-9.]*\] //')"
fi
echo >/sys/bus/pci/devices/$bdf/driver_override
echo "$bdf" >/sys/bus/pci/drivers_probe
modprobe -r vfio-pci spapr_tce_ddw pnv_ioda2_ddw
exit 0
