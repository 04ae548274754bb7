# A v1 container without CAP_IPC_LOCK: VFIO_IOMMU_ENABLE charges what the
# default window can pin at most (a system page per 4K entry), refused one
# page below it; DISABLE refuses to refund it while entries are mapped.
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
/tests/bin/vfio_limits v1-memlock "$grp" || fail "v1 charges less than it can pin"
rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"
