# A device removed and found again by a rescan (as hotplug would) is let go
# and adopted again when the rescan adds it, before any driver could bind;
# VFIO works on it after.
. /tests/lib.sh
[ "$(kernel_series)" = 6.1 ] || skip "no IOMMU glue on Linux $(kernel_series): the kernel's own IOMMU ops"
# Whatever failed, later tests find the device back.
cleanup() {
	echo 1 >/sys/bus/pci/rescan
}
trap cleanup EXIT
grp=$(nvme_to_vfio) || exit 1
bdf=$(nvme_bdf)
modprobe vfio_iommu_spapr_tce || fail "modprobe vfio_iommu_spapr_tce failed"
glue() { sed -n "s/^$1: //p" /sys/kernel/debug/spapr_ddw/iommu_glue; }
rel=$(glue released)
echo 1 >/sys/bus/pci/devices/$bdf/remove
[ -e /sys/bus/pci/devices/$bdf ] && fail "$bdf not removed"
[ "$(glue released)" -eq $((rel + 1)) ] || fail "removed device not let go"
# No driver binds what the rescan finds (a PCI rescan ignores
# drivers_autoprobe): adoption at a bind would not count.
rmmod nvme 2>/dev/null
mod_loaded nvme && fail "nvme does not unload"
echo 1 >/sys/bus/pci/rescan
[ -e /sys/bus/pci/devices/$bdf ] || fail "$bdf not found by the rescan"
[ -e /sys/bus/pci/devices/$bdf/driver ] && fail "a driver bound $bdf"
grp=$(basename "$(readlink /sys/bus/pci/devices/$bdf/iommu_group)")
echo "rescanned: $bdf in group $grp, no driver"
[ -e /sys/bus/pci/devices/$bdf/iommu ] || fail "not adopted when the rescan added it"
bind_driver "$bdf" vfio-pci || fail "vfio-pci did not bind the rescanned device"
/tests/bin/vfio_spapr v2-sequence "$grp" >/tmp/seq.log || { cat /tmp/seq.log; fail "v2 sequence failed"; }
echo "v2 sequence on the rescanned device: ok"
md5=$(nvme_md5) || fail "nvme cannot read after"
[ "$md5" = "$DDW_DISK_MD5" ] || fail "read $md5, host wrote $DDW_DISK_MD5"
