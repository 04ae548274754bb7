# spapr-tce-v2 (ours) serves v1 containers on IODA2 PEs, which the in-tree
# backend refuses (vfio-intree-v2): the default window only, pages pinned
# by MAP_DMA until UNMAP_DMA, VFIO_IOMMU_ENABLE charging the window to
# locked_vm; the v2-only ioctls get -ENOTTY; closing gives everything back.
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
DDW_EXPECT_BACKEND=spapr-tce-v2 /tests/bin/vfio_spapr v1-sequence "$grp" ||
	fail "v1 sequence on spapr-tce-v2 failed"
ls /sys/kernel/debug/spapr_ddw/vfio | grep -q container- && fail "container left in debugfs"
md5=$(nvme_md5) || fail "nvme cannot read after"
[ "$md5" = "$DDW_DISK_MD5" ] || fail "nvme read $md5, host wrote $DDW_DISK_MD5"
rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"
