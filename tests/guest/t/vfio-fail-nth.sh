# timeout: 1500
# Fault injection: fail the Nth slab or page allocation of the whole v2
# and v1 ioctl sequences, for every N until a sequence completes
# (tests/user/vfio_fail_nth.c), on spapr-tce-v2.  Under panic_on_warn;
# afterwards kmemleak must find nothing our modules allocated, and the
# kernel log no lockdep, KASAN, list or WARN report.  Needs a kernel with
# fault injection: the debug kernel (tests/testbed/debug-kernel.sh).  The
# in-tree backend's run is vfio-fail-nth-intree, in a boot of its own.
. /tests/lib.sh
. /tests/fail-nth.sh
grp=$(nvme_to_vfio) || exit 1

rc=0
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
# Ours must not WARN, whatever fails: a WARN stops the machine.
echo 1 >/proc/sys/kernel/panic_on_warn
for seq in v2 v1; do
	/tests/bin/vfio_fail_nth "$grp" ours $seq >/tmp/fail-nth-$seq.txt 2>&1 || rc=1
done
ours_leaks=$(kmemleak_report ours)
ours_problems=$(problems ours)
echo 0 >/proc/sys/kernel/panic_on_warn
echo "$console_level" >/proc/sys/kernel/printk
rmmod spapr_tce_ddw || { rc=1; echo "spapr_tce_ddw does not unload"; }

echo "== spapr-tce-v2"
for seq in v2 v1; do
	grep -v '^ok:' /tmp/fail-nth-$seq.txt | head -n 60
done
set -- $ours_leaks
ours_leaks=$1
if [ "$1" = -1 ]; then
	echo "kmemleak: no answer (off, or it turned itself off)"
else
	echo "kmemleak: $1 objects allocated by our modules left unreferenced; $2 allocated by the kernel on VFIO/IOMMU/TCE paths"
fi
for seq in v2 v1; do
	echo "figures: $(grep '^fail-nth ours' /tmp/fail-nth-$seq.txt | cut -d' ' -f3- | cut -d';' -f1-2)"
done
echo "figures: kmemleak: $1 objects of ours left (-1: no answer)"
echo "$ours_problems" | head -n 20
grep -A 30 'unreferenced object' /tmp/kmemleak-ours.txt | head -n 100
[ "$ours_leaks" = 0 ] || rc=1
[ -z "$ours_problems" ] || rc=1
[ $rc -eq 0 ] || fail "fault injection found a defect of spapr-tce-v2"
