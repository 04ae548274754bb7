# Benchmark, both backends in this boot: tests/user/vfio_bench on the NVMe's
# group, spapr-tce-v2 and the in-tree vfio_iommu_spapr_tce in turn (the
# order swapped each round), DDW_BENCH_ROUNDS rounds (5).  Each figure goes
# to the console as "bench| BACKEND ROUND KEY VALUE" for tests/bench/table.py.
# DDW_BENCH_SMALL=1: one round at small size, for make check; it fails if a
# figure is missing for either backend.
# timeout: 3600
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
# Earlier tests of the plan may have left a backend loaded.
for m in spapr_tce_ddw vfio_iommu_spapr_tce; do
	! mod_loaded $m || rmmod $m || fail "$m does not unload"
done
rounds=${DDW_BENCH_ROUNDS:-5} size=
[ -n "$DDW_BENCH_SMALL" ] && { rounds=1; size=small; }
# QEMU's way of making a window tries one level first; the in-tree backend
# says so when that level is too large to allocate, and QEMU adds one.
kmsg_allow 'Failed to allocate a TCE memory, level shift=[0-9]+$'
insmod /tests/kmod/ddw_table_bytes.ko group="$grp" || fail "insmod ddw_table_bytes failed"
echo "bench| info kernel $(uname -r) machine $DDW_MACHINE page_kib $(page_kb) cpus $(nproc)" >/dev/console
# The in-tree backend removes a window with one TCE kill over all of it,
# which does not reschedule: 2^28 entries (1 TiB of 4 KiB pages, Linux
# 6.12) hold the CPU for 35 s, and the soft-lockup watchdog reports it.
# That is the figure being measured; its runs have that watchdog off, ours
# keep it on.
watchdog=/proc/sys/kernel/soft_watchdog
watchdog_was=$(cat $watchdog 2>/dev/null)
run() {
	mod=$1 name=$2 r=$3
	mod_loaded spapr_tce_ddw && fail "spapr_tce_ddw loaded before the $name run"
	mod_loaded vfio_iommu_spapr_tce && fail "vfio_iommu_spapr_tce loaded before the $name run"
	modprobe "$mod" || fail "modprobe $mod failed"
	[ "$name" = in-tree ] && [ -n "$watchdog_was" ] && echo 0 >$watchdog
	/tests/bin/vfio_bench "$grp" $size >/tmp/bench.out 2>&1
	rc=$?
	[ -n "$watchdog_was" ] && echo "$watchdog_was" >$watchdog
	[ $rc -eq 0 ] || {
		cat /tmp/bench.out
		fail "vfio_bench failed on $name"
	}
	rmmod "$mod" || fail "$mod does not unload"
	sed -n "s/^bench: /bench| $name $r /p" /tmp/bench.out | tee -a /tmp/bench.all >/dev/console
}
: >/tmp/bench.all
r=1
while [ $r -le "$rounds" ]; do
	if [ $((r % 2)) -eq 1 ]; then
		run vfio_iommu_spapr_tce in-tree $r
		run spapr_tce_ddw spapr-tce-v2 $r
	else
		run spapr_tce_ddw spapr-tce-v2 $r
		run vfio_iommu_spapr_tce in-tree $r
	fi
	r=$((r + 1))
done
rmmod ddw_table_bytes
# Every figure of one backend's run is in the other's.
for b in in-tree spapr-tce-v2; do
	awk -v b="$b" '$2 == b { print $4 }' /tmp/bench.all | sort -u >/tmp/keys.$b
done
[ -s /tmp/keys.in-tree ] || fail "no figures"
cmp -s /tmp/keys.in-tree /tmp/keys.spapr-tce-v2 || {
	diff /tmp/keys.in-tree /tmp/keys.spapr-tce-v2
	fail "the backends' runs printed different figures"
}
echo "figures: $(wc -l </tmp/keys.in-tree) figures x 2 backends x $rounds rounds"
