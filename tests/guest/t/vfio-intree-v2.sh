# With the in-tree vfio_iommu_spapr_tce as backend, the whole v2 container
# sequence works; the PE is VFIO's while the container holds it and the
# kernel's again after.  v1 on an IODA2 PE is refused by design (-EPERM).
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
modprobe vfio_iommu_spapr_tce || fail "modprobe vfio_iommu_spapr_tce failed"
/tests/bin/vfio_spapr v2-sequence "$grp" || fail "v2 sequence failed"
out=$(/tests/bin/vfio_spapr v1 "$grp") || fail "v1 probe failed"
echo "$out"
echo "$out" | grep -q '^v1: -1 (EPERM)$' || fail "in-tree v1 on IODA2: expected -EPERM"
grep -E '^(blocked|unblocked):' /sys/kernel/debug/spapr_ddw/iommu_glue
