# The sPAPR TCE uAPI case by case, against the in-tree backend and then
# spapr-tce-v2, in one boot; every difference is documented in the case.
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
modprobe vfio_iommu_spapr_tce || fail "modprobe vfio_iommu_spapr_tce failed"
mod_loaded spapr_tce_ddw && fail "spapr_tce_ddw loaded before the in-tree run"
/tests/bin/vfio_conformance "$grp" in-tree >/tmp/intree.txt 2>&1
rc_intree=$?
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
/tests/bin/vfio_conformance "$grp" spapr-tce-v2 >/tmp/ours.txt 2>&1
rc_ours=$?
rmmod spapr_tce_ddw
echo "== in-tree vfio_iommu_spapr_tce"
grep -E '^(ok|FAILED|conformance)' /tmp/intree.txt
echo "== spapr-tce-v2"
grep -E '^(ok|FAILED|conformance)' /tmp/ours.txt
[ $rc_intree -eq 0 ] || { cat /tmp/intree.txt; fail "in-tree backend differs from what the cases document"; }
[ $rc_ours -eq 0 ] || { cat /tmp/ours.txt; fail "spapr-tce-v2 failed the conformance suite"; }
