# With the in-tree vfio_iommu_spapr_tce as backend, the whole v2 container
# sequence works; the PE is VFIO's while the container holds it and the
# kernel's again after.  v1 on an IODA2 PE is refused by design (-EPERM)
# on 6.1; 6.12's tce_iommu_attach_group() takes it.
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
modprobe vfio_iommu_spapr_tce || fail "modprobe vfio_iommu_spapr_tce failed"
/tests/bin/vfio_spapr v2-sequence "$grp" || fail "v2 sequence failed"
out=$(/tests/bin/vfio_spapr v1 "$grp") || fail "v1 probe failed"
echo "$out"
if [ "$(kernel_series)" = 6.12 ]; then
	echo "$out" | grep -q '^v1: 0$' || fail "in-tree v1 on IODA2 on 6.12: expected 0"
	exit 0
fi
echo "$out" | grep -q '^v1: -1 (EPERM)$' || fail "in-tree v1 on IODA2: expected -EPERM"
grep -E '^(blocked|unblocked):' /sys/kernel/debug/spapr_ddw/iommu_glue
