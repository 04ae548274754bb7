# A process holding a spapr-tce-v2 container with memory registered and
# mapped is killed: everything is undone (container gone, PE back to the
# kernel, nothing left holding the modules).
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
hold_start hold-mapped "$grp" /tmp/never
pid=$holder
state=$(cat /sys/kernel/debug/spapr_ddw/vfio/container-*/state)
echo "$state"
# 16 MiB in IOMMU pages of the kernel's page size.
echo "$state" | grep -q "^window 1: .* entries_used $((16384 / $(page_kb))) " ||
	fail "the mapping is not in debugfs"
kill -9 $pid
wait $pid 2>/dev/null
ls /sys/kernel/debug/spapr_ddw/vfio | grep -q container- && fail "container left after kill"
grep -A6 "^group $grp:" /sys/kernel/debug/spapr_ddw/pes | grep -q '^  owner: kernel' ||
	fail "PE not back to the kernel"
rmmod spapr_tce_ddw || fail "spapr_tce_ddw still held after the kill"
echo "killed: container released, PE back, module free"
