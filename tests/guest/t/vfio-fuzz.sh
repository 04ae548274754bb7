# timeout: 1800
# Hostile input: a seeded random sequence of sPAPR TCE ioctls, good and bad
# calls mixed, on one spapr-tce-v2 container (v2, then v1), each answer and
# the state it leaves checked against a model of the backend, nothing left
# after.  The seed is today's date unless DDW_FUZZ_SEED is set; it is
# printed, and the same seed replays the same calls.  DDW_FUZZ_CALLS sets
# the calls of both runs (10000 on v2, 3000 on v1), DDW_FUZZ_CHECK_EVERY
# how often the debugfs state is compared besides (500; 1: every call).
# run-vm.sh passes all three from the host.
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
seed=${DDW_FUZZ_SEED:-$(date -u +%Y%m%d)}
mem=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
echo "seed $seed on ${DDW_MACHINE:-?}, kernel $KVER, MemTotal $mem kB" \
	"(DDW_FUZZ_SEED=$seed replays it on the same machine type, kernel and guest memory size)"
every=${DDW_FUZZ_CHECK_EVERY:-500}
rc=0
/tests/bin/vfio_fuzz "$grp" "$seed" "${DDW_FUZZ_CALLS:-10000}" v2 "$every" >/tmp/fuzz-v2.txt 2>&1 || rc=1
/tests/bin/vfio_fuzz "$grp" "$seed" "${DDW_FUZZ_V1_CALLS:-${DDW_FUZZ_CALLS:-3000}}" v1 "$every" \
	>/tmp/fuzz-v1.txt 2>&1 || rc=1
rmmod spapr_tce_ddw
unloaded=$?
for t in v2 v1; do
	echo "== $t container"
	grep -E '^(fuzz|usage|MISMATCH|FAILED|  (want|got|[0-9]+ reopens|v[12] container))' /tmp/fuzz-$t.txt |
		head -n 200
done
for t in v2 v1; do
	echo "figures: $t: $(sed -n 's/^fuzz: \([0-9]* calls.*\)/\1/p' /tmp/fuzz-$t.txt | tail -n 1)"
done
[ $rc -eq 0 ] || fail "spapr-tce-v2 and the model differ (seed $seed)"
[ $unloaded -eq 0 ] || fail "spapr_tce_ddw does not unload"
