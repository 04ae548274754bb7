# Linux 6.12: pnv_ioda2_ddw unloaded while the in-tree VFIO backend is inside
# a PE op it reached through the PE's ops (ddw_op_stall holds its
# create_table until the unload has ended).  The in-tree backend does not
# pin pnv_ioda2_ddw on 6.12, so the unload goes on: the call must not
# return into the unloaded module, and the in-tree container works on.
. /tests/lib.sh
[ "$(kernel_series)" = 6.12 ] || skip "6.1: the in-tree backend's take pins pnv_ioda2_ddw"
stall_begin ddw_op_stall
modprobe -r spapr_tce_ddw 2>/dev/null
grp=$(nvme_to_vfio) || exit 1
rmmod pnv_ioda2_ddw || fail "pnv_ioda2_ddw does not unload before the test"
modprobe vfio_iommu_spapr_tce || fail "modprobe vfio_iommu_spapr_tce failed"
insmod /tests/kmod/ddw_op_stall.ko || fail "insmod ddw_op_stall failed"
modprobe pnv_ioda2_ddw || fail "modprobe pnv_ioda2_ddw failed"
rm -f /tmp/go /tmp/go.ready
# Registers memory, creates a DDW (the in-tree backend's default window
# first), maps it, then waits for /tmp/go.
/tests/bin/vfio_spapr hold-mapped "$grp" /tmp/go >/tmp/hold.log 2>&1 &
holder=$!
stall_wait $st
[ "$(cat $st)" = 1 ] || { cat /tmp/hold.log; fail "no in-tree call reached create_table"; }
klog | grep 'create_table held' | tail -n 1
rmmod pnv_ioda2_ddw || fail "rmmod failed while an in-tree call was in a PE op"
i=0
while [ ! -e /tmp/go.ready ] && kill -0 $holder 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
touch /tmp/go
wait $holder
rc=$?
holder=
cat /tmp/hold.log
[ "$(cat $st)" = 2 ] || fail "the call went on before the unload ended (stalled=$(cat $st))"
[ $rc = 0 ] || fail "the in-tree container failed across the unload (exit $rc)"
echo "the in-tree container made and mapped its windows across pnv_ioda2_ddw's unload"
rmmod ddw_op_stall || fail "rmmod ddw_op_stall failed"
modprobe pnv_ioda2_ddw || fail "reload failed"
/tests/bin/vfio_spapr v2-sequence "$grp" >/tmp/seq.log || { cat /tmp/seq.log; fail "v2 sequence after the reload failed"; }
echo "in-tree v2 sequence after the reload: ok"
rmmod pnv_ioda2_ddw || fail "pnv_ioda2_ddw does not unload after"
