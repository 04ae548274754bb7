# The sPAPR VFIO sequence QEMU 7.2's hw/vfio drives for a pseries guest with a DDW,
# step for step, on spapr-tce-v2; the NVMe then works with nvme again.
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
DDW_EXPECT_BACKEND=spapr-tce-v2 /tests/bin/vfio_spapr qemu-sequence "$grp" || fail "qemu sequence failed"
ls /sys/kernel/debug/spapr_ddw/vfio | grep -q container- && fail "container left in debugfs"
rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"
md5=$(nvme_md5) || fail "nvme cannot read after"
[ "$md5" = "$DDW_DISK_MD5" ] || fail "nvme read $md5, host wrote $DDW_DISK_MD5"
