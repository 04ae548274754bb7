# Device DMA through a dynamic window whose IOMMU pages are as large as the
# kernel's hugepages (16M on POWER8 with hash), the userspace NVMe driver's
# memory backed by them: Identify and 8 MiB written and read back.  Skips,
# saying why, where the kernel has no hugepages or the PE does not offer
# their size as an IOMMU page (the TCG POWER9 guest has no hugepages).
. /tests/lib.sh
hp_kb=$(sed -n 's/^Hugepagesize: *\([0-9]*\) kB/\1/p' /proc/meminfo)
[ -n "$hp_kb" ] || skip "the kernel has no hugepages on this machine ($DDW_MACHINE under TCG): large IOMMU pages not exercised"
hp_shift=10
while [ $((1 << hp_shift)) -lt $((hp_kb * 1024)) ]; do hp_shift=$((hp_shift + 1)); done
if [ "$hp_kb" -ge 1048576 ]; then hp_name=$((hp_kb / 1048576))G; else hp_name=$((hp_kb / 1024))M; fi
# Pre-registering 16 MiB hugepages does not return on 4K 6.12 in the
# emulated POWER8 (dma-nvme-ddw): not run where it would hang the run.
[ "$(page_kb)" -ge 64 ] ||
	skip "REGISTER_MEMORY of hugetlb memory loops in pin_user_pages() on this $(kernel_series) 4K kernel (README)"
grp=$(nvme_to_vfio) || exit 1
bdf=$(nvme_bdf)
grep -A3 "^group $grp:" /sys/kernel/debug/spapr_ddw/pes | grep -q "page_sizes:.* $hp_name" ||
	skip "the PE does not offer the hugepage size ($hp_name) as an IOMMU page"
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
echo 8 >/proc/sys/vm/nr_hugepages
out=$(DDW_HUGE=1 /tests/bin/nvme_vfio "$bdf" SPAPRDDW0001 "$hp_shift" 1 8 2>&1)
rc=$?
echo "$out" | grep -E '^(ok|FAILED|  )' | grep -v 'DMA memory for' | sed "s/^/hugepages $hp_name: /"
echo 0 >/proc/sys/vm/nr_hugepages
[ $rc -eq 0 ] || fail "$hp_name IOMMU pages on hugepages: the NVMe did not work"
rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"
md5=$(nvme_md5) || fail "nvme cannot read after"
[ "$md5" = "$DDW_DISK_MD5" ] || fail "the host's data was overwritten ($md5)"
