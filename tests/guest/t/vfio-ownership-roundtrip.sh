# The kernel's nvme driver reads the disk, VFIO takes the PE (its kernel
# windows go), gives it back, and the nvme driver reads the same data again
# through the restored DMA setup.
. /tests/lib.sh
[ -n "$DDW_DISK_MD5" ] || fail "the host passed no ddw.disk_md5"
md5=$(nvme_md5) || fail "nvme could not read the disk before VFIO"
[ "$md5" = "$DDW_DISK_MD5" ] || fail "before VFIO: read $md5, host wrote $DDW_DISK_MD5"
echo "nvme read the host's data: $md5"
grp=$(nvme_to_vfio) || exit 1
modprobe vfio_iommu_spapr_tce || fail "modprobe vfio_iommu_spapr_tce failed"
/tests/bin/vfio_spapr v2-sequence "$grp" >/tmp/seq.log || { cat /tmp/seq.log; fail "v2 sequence failed"; }
echo "VFIO v2 sequence done"
md5=$(nvme_md5) || fail "nvme could not read the disk after VFIO"
[ "$md5" = "$DDW_DISK_MD5" ] || fail "after VFIO: read $md5, host wrote $DDW_DISK_MD5"
echo "nvme read the host's data again: $md5"
grep -A8 "^group $grp:" /sys/kernel/debug/spapr_ddw/pes
