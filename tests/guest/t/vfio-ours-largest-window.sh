# The largest window the PE allows (4K and 64K IOMMU pages, every level
# the PE has), a few pages mapped at each end: one UNMAP_DMA of the whole
# window, a TCE_REMOVE of it mapped and a close of it mapped each return
# at once (only existing levels are visited, the TCE caches invalidated by
# what was cleared), with no soft-lockup report; nothing is left after.
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
# IOMMU pages larger than the kernel's (64K ones on a 4K kernel) need
# hugetlb memory; the test says so if there is none.
[ "$(page_kb)" -lt 64 ] && hugepages_reserve 2 >/dev/null
/tests/bin/vfio_limits largest-window "$grp"
rc=$?
hugepages_reserve 0 >/dev/null
[ $rc -eq 0 ] || fail "the largest window: a call failed or hung"
rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"
