# timeout: 600
# VFIO and a KVM guest on one container at once (tests/user/kvm_beside.c):
# the VMM's random MAP_DMA/UNMAP_DMA, REGISTER/UNREGISTER_MEMORY and window
# calls beside the guest's random H_PUT_TCE, H_PUT_TCE_INDIRECT and
# H_STUFF_TCE, which KVM writes straight into the same entries of our DDW.
# Rounds end every way: both sides done (then every entry and registration
# must go), KVM closed first while the VFIO side goes on, the container
# unset while the guest goes on, and the VMM killed with both sides running
# or with one of them gone.  After each round nothing may be left; the
# kernel log stays quiet (the runner checks) and the modules unload.
# DDW_BESIDE_ROUNDS (12: each way twice), DDW_BESIDE_BATCHES (150 guest batches of up to
# 32 hcalls), DDW_BESIDE_CALLS (1500 VFIO calls) and DDW_BESIDE_SEED
# (today's date, printed) change the run.
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
modprobe kvm-hv || fail "modprobe kvm-hv failed"
[ -c /dev/kvm ] || fail "no /dev/kvm with kvm-hv loaded"
seed=${DDW_BESIDE_SEED:-$(date -u +%Y%m%d)}
echo "seed $seed (DDW_BESIDE_SEED=$seed replays each side's calls)"
rc=0
/tests/bin/kvm_beside "$grp" "$seed" "${DDW_BESIDE_ROUNDS:-12}" \
	"${DDW_BESIDE_BATCHES:-150}" "${DDW_BESIDE_CALLS:-1500}" >/tmp/beside.txt 2>&1 || rc=$?
grep -E '^(round|guest|VMM|total|UNEXPECTED|FAILED)' /tmp/beside.txt | head -n 120
echo "figures: $(sed -n 's/^total: //p' /tmp/beside.txt)"
if [ $rc -ne 0 ]; then
	echo "the end of its output:"
	tail -n 30 /tmp/beside.txt
	fail "kvm_beside failed (exit $rc, seed $seed)"
fi
rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"
d=/sys/kernel/debug/spapr_ddw
grep -q '^tables_live: 0$' $d/tce_tables && grep -q '^levels_live: 0$' $d/tce_tables ||
	fail "TCE tables left: $(tr '\n' ' ' <$d/tce_tables)"
