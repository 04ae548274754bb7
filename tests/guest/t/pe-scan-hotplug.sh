# 6.12: a device a rescan adds after pnv_ioda2_ddw loaded gets its PE
# recorded by the module's PCI bus notifier (no IOMMU glue there), at the
# latest when vfio-pci binds; spapr-tce-v2 then serves its group.
. /tests/lib.sh
[ "$(kernel_series)" = 6.12 ] || skip "6.1 adopts devices in the IOMMU glue: see glue-hotplug"
# Whatever failed, later tests find the device back.
cleanup() {
	echo 1 >/sys/bus/pci/rescan
}
trap cleanup EXIT
bdf=$(nvme_bdf) || fail "no NVMe"
for m in spapr_tce_ddw pnv_ioda2_ddw; do
	if mod_loaded $m; then rmmod $m || fail "$m does not unload"; fi
done
echo 1 >/sys/bus/pci/devices/$bdf/remove
[ -e /sys/bus/pci/devices/$bdf ] && fail "$bdf not removed"
modprobe pnv_ioda2_ddw || fail "modprobe pnv_ioda2_ddw failed"
# No driver binds what the rescan finds until vfio-pci is asked to.
rmmod nvme 2>/dev/null
mod_loaded nvme && fail "nvme does not unload"
echo 1 >/sys/bus/pci/rescan
[ -e /sys/bus/pci/devices/$bdf ] || fail "$bdf not found by the rescan"
grp=$(basename "$(readlink /sys/bus/pci/devices/$bdf/iommu_group)")
owner() {
	awk -v g="group $grp:" '/^group / { p = index($0, g) == 1 } p && /owner:/' \
		/sys/kernel/debug/spapr_ddw/pes
}
echo "rescanned: $bdf in group $grp, no driver;$(owner)"
modprobe vfio-pci || fail "modprobe vfio-pci failed"
bind_driver "$bdf" vfio-pci || fail "vfio-pci did not bind the rescanned device"
owner | grep -q 'owner: kernel (owners 0' || fail "PE not recorded: $(owner)"
echo "bound to vfio-pci:$(owner)"
modprobe vfio_iommu_spapr_tce || fail "modprobe vfio_iommu_spapr_tce failed"
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
DDW_EXPECT_BACKEND=spapr-tce-v2 /tests/bin/vfio_spapr v2-sequence "$grp" >/tmp/seq.log ||
	{ cat /tmp/seq.log; fail "v2 sequence failed"; }
echo "v2 sequence on spapr-tce-v2 for the rescanned device: ok"
rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"
md5=$(nvme_md5) || fail "nvme cannot read after"
[ "$md5" = "$DDW_DISK_MD5" ] || fail "read $md5, host wrote $DDW_DISK_MD5"
