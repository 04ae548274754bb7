# Benchmark figure 8, what a guest sees: the nested pseries guest under
# KVM-HV writes, then reads, DDW_BENCH_NESTED_MIB (256) MiB of its NVMe in
# 1 MiB O_DIRECT requests, the host's backend spapr-tce-v2 and the in-tree
# vfio_iommu_spapr_tce in turn (the order swapped each round),
# DDW_BENCH_ROUNDS rounds (5).  Two guests each: "ddw", as the guest sets
# itself up (its DDW maps all its RAM once, KVM writing our table: no TCE
# work per request), and "tce" (disable_ddw: every request maps and unmaps
# its pages in the 32-bit window with H_PUT_TCE_INDIRECT and H_STUFF_TCE,
# which KVM writes into the host's table in the kernel).  Figures go to
# the console as "bench| BACKEND ROUND nested_KIND_write_mbs MB/s" (and
# read) for tests/bench/table.py.  DDW_BENCH_SMALL=1: one round of 8 MiB
# (repeated for half a second, as each transfer is).
# DDW_BENCH_NESTED_KINDS: the guests to run ("ddw tce").
# timeout: 3600
. /tests/lib.sh
[ -x /usr/bin/qemu-system-ppc64 ] || fail "no nested QEMU in this image (see mknested.sh)"
rounds=${DDW_BENCH_ROUNDS:-5} mib=${DDW_BENCH_NESTED_MIB:-256}
[ -n "$DDW_BENCH_SMALL" ] && { rounds=1; mib=8; }
# Past the patterns the other nested tests write; run-vm.sh's disk is 384 MiB.
at=64
[ $((at + mib)) -le 384 ] || fail "DDW_BENCH_NESTED_MIB=$mib: the disk holds $((384 - at)) MiB past $at MiB"
guest() {	# guest MODULE BACKEND ROUND KIND [GUEST ARGS]
	mod=$1 name=$2 r=$3 kind=$4
	for m in spapr_tce_ddw vfio_iommu_spapr_tce; do
		! mod_loaded $m || rmmod $m || fail "$m does not unload"
	done
	modprobe "$mod" || fail "modprobe $mod failed"
	pins=$(pins_held)
	NESTED_ACCEL=kvm NESTED_BOOTS=1 NESTED_APPEND="ddw.bench=$at:$mib $5" run_nested_guest "$bdf"
	nested_log_check 1
	nested_bench "$name" "$r" "$kind"
	rmmod "$mod" || fail "$mod does not unload after the $name guest"
	left=$(pins_left "$pins")
	[ "$left" -eq 0 ] || fail "$name: $left page pins left after QEMU exited"
}
round() {	# round BACKEND ROUND
	if [ "$1" = in-tree ]; then
		set -- vfio_iommu_spapr_tce in-tree "$2"
	else
		set -- spapr_tce_ddw spapr-tce-v2 "$2"
	fi
	for kind in ${DDW_BENCH_NESTED_KINDS:-ddw tce}; do
		case $kind in
		ddw) guest "$1" "$2" "$3" ddw ;;
		tce) guest "$1" "$2" "$3" tce disable_ddw ;;
		*) fail "no nested guest of kind $kind" ;;
		esac
	done
}
grp=$(nvme_to_vfio) || exit 1
bdf=$(nvme_bdf)
modprobe kvm-hv || fail "modprobe kvm-hv failed"
[ -c /dev/kvm ] || fail "no /dev/kvm"
: >/tmp/bench.all
r=1
while [ $r -le "$rounds" ]; do
	if [ $((r % 2)) -eq 1 ]; then
		round in-tree $r
		round spapr-tce-v2 $r
	else
		round spapr-tce-v2 $r
		round in-tree $r
	fi
	r=$((r + 1))
done
grep -q '^tables_live: 0$' /sys/kernel/debug/spapr_ddw/tce_tables || fail "TCE tables of ours left"
modprobe -r kvm-hv || fail "kvm-hv does not unload"
echo "figures: $(wc -l </tmp/bench.all) O_DIRECT figures, $rounds rounds of $mib MiB (group $grp)"
