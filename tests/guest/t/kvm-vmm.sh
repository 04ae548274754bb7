# KVM-HV's in-kernel sPAPR TCE path on spapr-tce-v2, driven by a tiny VMM
# (tests/user/kvm_vmm.c): the group handed to KVM with a TCE table matching
# a window, closed in every order QEMU or a crash may close it, and a vCPU
# whose H_PUT_TCE KVM writes straight into our tables (v2) or leaves to the
# VMM's MAP_DMA (v1), mixed with MAP_DMA/UNMAP_DMA.  After each case no
# container, pin or locked page is left; at the end no TCE table or level,
# and both modules unload.
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
bdf2=$(nvme_bdf 2) || fail "no second NVMe on this machine"
bind_driver "$bdf2" vfio-pci || fail "vfio-pci did not bind $bdf2"
grp2=$(basename "$(readlink /sys/bus/pci/devices/$bdf2/iommu_group)")
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
modprobe kvm-hv || fail "modprobe kvm-hv failed"
[ -c /dev/kvm ] || fail "no /dev/kvm with kvm-hv loaded"
d=/sys/kernel/debug/spapr_ddw

failed=
for c in attach-v2-close-first group-del-then-close attach-v2-unset-first attach-v1 \
	guest-hcalls-v2 guest-remap-after-refusal guest-other-process guest-maps-other-container guest-hcalls-v1 guest-window-removed guest-then-exit; do
	p0=$(pins_held)
	/tests/bin/kvm_vmm "$c" "$grp" "$grp2" >/tmp/kvm_vmm.case 2>&1
	rc=$?
	sed 's/^/  /' /tmp/kvm_vmm.case
	# KVM drops its table references from RCU callbacks.
	p1=$((p0 + $(pins_left "$p0")))
	why=
	[ $rc -eq 0 ] || why="exit $rc"
	[ "$p1" -eq "$p0" ] || why="$why${why:+, }pins $p0 before, $p1 after"
	ls $d/vfio | grep -q container- && why="$why${why:+, }container left in debugfs"
	if [ -n "$why" ]; then
		echo "$c: FAILED ($why)"
		failed="$failed $c"
	else
		echo "$c: passed (pins back to $p0)"
	fi
done

# KVM alone holding a table of ours keeps pnv_ioda2_ddw loaded (each table
# holds the module), with the container and spapr_tce_ddw gone.
rm -f /tmp/kvm_hold.ready /tmp/kvm_hold.go
KVM_HOLD=/tmp/kvm_hold /tests/bin/kvm_vmm hold-table "$grp" >/tmp/kvm_vmm.case 2>&1 &
pid=$!
i=0
while [ ! -e /tmp/kvm_hold.ready ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -e /tmp/kvm_hold.ready ] || failed="$failed hold-table-start"
rmmod spapr_tce_ddw || failed="$failed rmmod-spapr_tce_ddw-under-kvm"
echo "KVM holds a table: pnv_ioda2_ddw refcnt $(cat /sys/module/pnv_ioda2_ddw/refcnt), $(grep tables_live $d/tce_tables)"
if rmmod pnv_ioda2_ddw 2>/dev/null; then
	failed="$failed pnv_ioda2_ddw-unloaded-under-kvm"
else
	echo "rmmod pnv_ioda2_ddw refused while KVM holds the table"
fi
touch /tmp/kvm_hold.go
wait $pid || failed="$failed hold-table"
sed 's/^/  /' /tmp/kvm_vmm.case

cat $d/tce_tables
grep -q '^tables_live: 0$' $d/tce_tables || failed="$failed tables_live"
grep -q '^levels_live: 0$' $d/tce_tables || failed="$failed levels_live"
echo "refcnt: pnv_ioda2_ddw $(cat /sys/module/pnv_ioda2_ddw/refcnt)"
rmmod pnv_ioda2_ddw || failed="$failed rmmod"
[ -z "$failed" ] || fail "failed:$failed"
echo "both modules unloaded"
