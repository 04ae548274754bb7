# A 1-level and 2- and 3-level windows made, filled and programmed through
# the exported pnv_ioda2_ddw API by an in-kernel test module; the platform
# holds them and reads the entries back; the kernel's window comes back.
. /tests/lib.sh
bdf=$(nvme_bdf) || fail "no NVMe"
grp=$(basename "$(readlink /sys/bus/pci/devices/$bdf/iommu_group)")
[ -e /sys/bus/pci/devices/$bdf/driver ] && echo "$bdf" >/sys/bus/pci/devices/$bdf/driver/unbind
modprobe pnv_ioda2_ddw || fail "modprobe pnv_ioda2_ddw failed"
insmod /tests/kmod/ddw_window_test.ko group="$grp"
rc=$?
klog | sed -n 's/^<[0-9]>\[[ 0-9.]*\] ddw_window_test: //p'
[ $rc -eq 0 ] || fail "ddw_window_test failed (insmod: $rc)"
rmmod ddw_window_test
md5=$(nvme_md5) || fail "nvme cannot read after the test"
[ "$md5" = "$DDW_DISK_MD5" ] || fail "nvme read $md5, host wrote $DDW_DISK_MD5"
echo "nvme reads the host's data through the restored default window"
