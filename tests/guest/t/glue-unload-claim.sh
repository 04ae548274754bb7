# pnv_ioda2_ddw unloaded while a VFIO claim is inside its domain allocator
# (ddw_claim_stall holds the claim there): the claim read the bus's IOMMU
# ops before unload cleared them and holds its group's mutex.  Unload must
# wait for it and leave it no blocking domain; VFIO works after a reload.
. /tests/lib.sh
modprobe -r spapr_tce_ddw 2>/dev/null
# Freshly loaded, the group has no blocking domain: the claim allocates one.
rmmod pnv_ioda2_ddw 2>/dev/null
grp=$(nvme_to_vfio) || exit 1
modprobe vfio_iommu_spapr_tce || fail "modprobe vfio_iommu_spapr_tce failed"
insmod /tests/kmod/ddw_claim_stall.ko stall_ms=3000 || fail "insmod ddw_claim_stall failed"
st=/sys/module/ddw_claim_stall/parameters/stalled
rm -f /tmp/go /tmp/go.ready
/tests/bin/vfio_spapr hold "$grp" /tmp/go >/tmp/hold.log 2>&1 &
holder=$!
i=0
while [ "$(cat $st)" = 0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(cat $st)" = 1 ] || { cat /tmp/hold.log; fail "the claim did not reach the allocator"; }
start=$(date +%s)
rmmod pnv_ioda2_ddw || fail "rmmod failed while a claim was inside the module"
held=$(cat $st)
echo "unloaded in $(($(date +%s) - start)) s while a claim was inside the allocator"
touch /tmp/go
if wait $holder; then
	echo "the claim got the group"
else
	echo "the claim was refused: $(grep -m1 -i -e fail -e fault /tmp/hold.log)"
fi
[ "$held" = 2 ] || fail "unload finished with the claim still inside pnv_ioda2_ddw"
rmmod ddw_claim_stall || fail "rmmod ddw_claim_stall failed"
modprobe pnv_ioda2_ddw || fail "reload failed"
/tests/bin/vfio_spapr v2-sequence "$grp" >/tmp/seq.log || { cat /tmp/seq.log; fail "v2 sequence after the reload failed"; }
echo "v2 sequence after the reload: ok"
rmmod pnv_ioda2_ddw || fail "pnv_ioda2_ddw does not unload after"
