# Benchmark, not a test: TCE table bytes for a 1 TiB window of 64 KiB pages
# with 256 MiB mapped, ours and the in-tree allocator's.
. /tests/lib.sh
bdf=$(nvme_bdf) || fail "no NVMe"
grp=$(basename "$(readlink /sys/bus/pci/devices/$bdf/iommu_group)")
[ -e /sys/bus/pci/devices/$bdf/driver ] && echo "$bdf" >/sys/bus/pci/devices/$bdf/driver/unbind
modprobe pnv_ioda2_ddw || fail "modprobe pnv_ioda2_ddw failed"
insmod /tests/kmod/ddw_window_test.ko group="$grp" bench=1 || fail "bench run failed"
klog | sed -n 's/^<[0-9]>\[[ 0-9.]*\] ddw_window_test: bench: //p' >/tmp/bench.txt
sed 's/^/tables| /' /tmp/bench.txt >/dev/console
rmmod ddw_window_test
