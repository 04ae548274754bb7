# pnv_ioda2_ddw unloaded while a VFIO claim is inside its domain allocator
# (ddw_claim_stall holds the claim there until the unload has begun): the
# claim read the bus's IOMMU ops before unload cleared them and holds its
# group's mutex.  Unload must wait for it and give it no blocking domain, so
# the claim fails with EINVAL as on a kernel without IOMMU ops; VFIO works
# after a reload.
. /tests/lib.sh
[ "$(kernel_series)" = 6.1 ] || skip "no IOMMU glue on Linux $(kernel_series): the kernel's own IOMMU ops"
stall_begin ddw_claim_stall
modprobe -r spapr_tce_ddw 2>/dev/null
# Freshly loaded, the group has no blocking domain: the claim allocates one.
if mod_loaded pnv_ioda2_ddw; then
	rmmod pnv_ioda2_ddw || fail "pnv_ioda2_ddw does not unload before the test"
fi
grp=$(nvme_to_vfio) || exit 1
modprobe vfio_iommu_spapr_tce || fail "modprobe vfio_iommu_spapr_tce failed"
insmod /tests/kmod/ddw_claim_stall.ko || fail "insmod ddw_claim_stall failed"
rm -f /tmp/go /tmp/go.ready
/tests/bin/vfio_spapr hold "$grp" /tmp/go >/tmp/hold.log 2>&1 &
holder=$!
stall_wait $st
[ "$(cat $st)" = 1 ] || { cat /tmp/hold.log; fail "the claim did not reach the allocator"; }
start=$(date +%s)
rmmod pnv_ioda2_ddw || fail "rmmod failed while a claim was inside the module"
held=$(cat $st)
echo "unloaded in $(($(date +%s) - start)) s while a claim was inside the allocator"
[ "$held" = 2 ] || fail "unload finished with the claim still inside pnv_ioda2_ddw (stalled=$held)"
touch /tmp/go
wait $holder && fail "the claim got group $grp from an unloaded pnv_ioda2_ddw"
holder=
grep -q 'FAILED: VFIO_GROUP_SET_CONTAINER (-22)' /tmp/hold.log ||
	{ cat /tmp/hold.log; fail "the claim did not fail with EINVAL"; }
echo "the claim was refused: $(grep -m1 FAILED /tmp/hold.log)"
rmmod ddw_claim_stall || fail "rmmod ddw_claim_stall failed"
modprobe pnv_ioda2_ddw || fail "reload failed"
/tests/bin/vfio_spapr v2-sequence "$grp" >/tmp/seq.log || { cat /tmp/seq.log; fail "v2 sequence after the reload failed"; }
echo "v2 sequence after the reload: ok"
rmmod pnv_ioda2_ddw || fail "pnv_ioda2_ddw does not unload after"
