# timeout: 1500
# The in-tree backend under vfio-fail-nth's fault injection (v2 sequence),
# in a boot of its own: what it leaves and what the kernel reports are
# printed beside ours, not judged (make check-debug counts this boot's
# lines as a report).
. /tests/lib.sh
. /tests/fail-nth.sh
grp=$(nvme_to_vfio) || exit 1
modprobe vfio_iommu_spapr_tce || fail "modprobe vfio_iommu_spapr_tce failed"
mod_loaded spapr_tce_ddw && fail "spapr_tce_ddw loaded before the in-tree run"
/tests/bin/vfio_fail_nth "$grp" in-tree v2 >/tmp/fail-nth-intree.txt 2>&1
rc=$?
leaks=$(kmemleak_report intree)
found=$(problems intree)
echo "$console_level" >/proc/sys/kernel/printk
echo "== in-tree vfio_iommu_spapr_tce"
if [ $rc -ne 0 ]; then
	echo "the program did not complete (exit $rc), its last lines:"
	grep -v '^ok:' /tmp/fail-nth-intree.txt | tail -n 6
fi
grep -v '^ok:' /tmp/fail-nth-intree.txt | head -n 40
set -- $leaks
echo "kmemleak: $2 objects allocated by the kernel on VFIO/IOMMU/TCE paths left unreferenced"
echo "kernel reports:"
echo "$found" | head -n 20
grep -A 30 'unreferenced object' /tmp/kmemleak-intree.txt | head -n 60
exit 0
