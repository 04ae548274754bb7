# timeout: 1200
# Concurrency and process life on one spapr-tce-v2 container
# (tests/user/vfio_stress.c): threads mapping, unmapping, registering and
# taking turns with a DDW, each answer checked against the thread's model
# and the sums against debugfs after; the container fd used by a forked
# child (-EPERM, the container byte for byte unchanged); the group detached
# while both windows map; a child killed in the middle of each ioctl type.
# Nothing may be left, the kernel log stays quiet (lockdep included: the
# runner checks) and the module unloads.  DDW_STRESS_THREADS (4),
# DDW_STRESS_ITERS (2000 per thread), DDW_STRESS_KILLS (5 per ioctl) and
# DDW_STRESS_SEED (today's date, printed) change the run.
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
seed=${DDW_STRESS_SEED:-$(date -u +%Y%m%d)}
threads=${DDW_STRESS_THREADS:-4}
iters=${DDW_STRESS_ITERS:-2000}
kills=${DDW_STRESS_KILLS:-5}
echo "seed $seed (DDW_STRESS_SEED=$seed replays each thread's calls)"
rc=0
/tests/bin/vfio_stress "$grp" "$threads" "$iters" "$seed" "$kills" >/tmp/stress.txt 2>&1 || rc=$?
rmmod spapr_tce_ddw
unloaded=$?
grep -E '^(stress|threads|inherited|detached|killed|UNEXPECTED|FAILED)' /tmp/stress.txt |
	head -n 200
echo "figures: $(grep -E '^threads: [0-9]+ x' /tmp/stress.txt | tail -n 1 | cut -d' ' -f2-);" \
	"$kills kills per ioctl type; $(grep '^stress: [0-9]* failed' /tmp/stress.txt | cut -d' ' -f2-)"
if [ $rc -ne 0 ]; then
	echo "the end of its output:"
	tail -n 40 /tmp/stress.txt
	fail "vfio_stress failed (exit $rc, seed $seed)"
fi
[ $unloaded -eq 0 ] || fail "spapr_tce_ddw does not unload"
