# Before pnv_ioda2_ddw, vfio-pci cannot bind on stock 6.1 (-EINVAL); after
# it, it binds and /dev/vfio/<group> appears.  On 6.12 it binds before, and
# pnv_ioda2_ddw sees the PE.  Leaves the NVMe on vfio-pci.
. /tests/lib.sh
bdf=$(nvme_bdf) || fail "no NVMe"
grp=$(basename "$(readlink /sys/bus/pci/devices/$bdf/iommu_group)")
mod_loaded pnv_ioda2_ddw && fail "pnv_ioda2_ddw loaded before the test"
modprobe vfio-pci || fail "modprobe vfio-pci failed"
if [ "$(kernel_series)" = 6.12 ]; then
	bind_driver "$bdf" vfio-pci || fail "vfio-pci did not bind on 6.12"
	[ -c /dev/vfio/$grp ] || fail "no /dev/vfio/$grp"
	echo "6.12: vfio-pci binds without pnv_ioda2_ddw, as expected"
	modprobe pnv_ioda2_ddw || fail "modprobe pnv_ioda2_ddw failed"
	grep -q "^group $grp:" /sys/kernel/debug/spapr_ddw/pes ||
		fail "group $grp not in pes"
	[ -e /sys/kernel/debug/spapr_ddw/iommu_glue ] && fail "IOMMU glue on 6.12"
	echo "pnv_ioda2_ddw sees group $grp, and brings no IOMMU glue"
	exit 0
fi
kmsg_allow "vfio-pci: probe of $bdf failed with error -22"
bind_driver "$bdf" vfio-pci && fail "vfio-pci bound without pnv_ioda2_ddw"
klog | grep -q "vfio-pci: probe of $bdf failed with error -22" ||
	fail "no -EINVAL probe failure logged"
echo "without pnv_ioda2_ddw: probe failed with -22, as expected"
modprobe pnv_ioda2_ddw || fail "modprobe pnv_ioda2_ddw failed"
bind_driver "$bdf" vfio-pci || fail "vfio-pci did not bind with pnv_ioda2_ddw"
[ -c /dev/vfio/$grp ] || fail "no /dev/vfio/$grp"
cat /sys/kernel/debug/spapr_ddw/iommu_glue
