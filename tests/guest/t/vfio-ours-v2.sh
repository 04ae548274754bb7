# spapr-tce-v2 (ours) serves a new container when loaded after the in-tree
# backend, and runs the whole v2 sequence; the nvme driver reads the
# host's data after.
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
modprobe vfio_iommu_spapr_tce || fail "modprobe vfio_iommu_spapr_tce failed"
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
DDW_EXPECT_BACKEND=spapr-tce-v2 /tests/bin/vfio_spapr v2-sequence "$grp" ||
	fail "v2 sequence on spapr-tce-v2 failed"
ls /sys/kernel/debug/spapr_ddw/vfio | grep -q container- && fail "container left in debugfs"
md5=$(nvme_md5) || fail "nvme cannot read after"
[ "$md5" = "$DDW_DISK_MD5" ] || fail "nvme read $md5, host wrote $DDW_DISK_MD5"
rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"
