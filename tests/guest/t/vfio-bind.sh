# Before pnv_ioda2_ddw, vfio-pci cannot bind on stock 6.1 (-EINVAL); after
# it, it binds and /dev/vfio/<group> appears.  Leaves the NVMe on vfio-pci.
. /tests/lib.sh
bdf=$(nvme_bdf) || fail "no NVMe"
grp=$(basename "$(readlink /sys/bus/pci/devices/$bdf/iommu_group)")
mod_loaded pnv_ioda2_ddw && fail "pnv_ioda2_ddw loaded before the test"
modprobe vfio-pci || fail "modprobe vfio-pci failed"
kmsg_allow "vfio-pci: probe of $bdf failed with error -22"
bind_driver "$bdf" vfio-pci && fail "vfio-pci bound without pnv_ioda2_ddw"
klog | grep -q "vfio-pci: probe of $bdf failed with error -22" ||
	fail "no -EINVAL probe failure logged"
echo "without pnv_ioda2_ddw: probe failed with -22, as expected"
modprobe pnv_ioda2_ddw || fail "modprobe pnv_ioda2_ddw failed"
bind_driver "$bdf" vfio-pci || fail "vfio-pci did not bind with pnv_ioda2_ddw"
[ -c /dev/vfio/$grp ] || fail "no /dev/vfio/$grp"
cat /sys/kernel/debug/spapr_ddw/iommu_glue
