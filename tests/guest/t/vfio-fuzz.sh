# timeout: 1800
# Hostile input: a seeded random sequence of sPAPR TCE ioctls, good and bad
# calls mixed, on one spapr-tce-v2 container (v2, then v1), each answer and
# the state it leaves checked against a model of the backend, nothing left
# after.  The seed is today's date unless DDW_FUZZ_SEED is set; it is
# printed, and the same seed replays the same calls.
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
seed=${DDW_FUZZ_SEED:-$(date -u +%Y%m%d)}
mem=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
echo "seed $seed on ${DDW_MACHINE:-?}, kernel $KVER, MemTotal $mem kB" \
	"(DDW_FUZZ_SEED=$seed replays it on the same machine type, kernel and guest memory size)"
rc=0
/tests/bin/vfio_fuzz "$grp" "$seed" "${DDW_FUZZ_CALLS:-10000}" v2 >/tmp/fuzz-v2.txt 2>&1 || rc=1
/tests/bin/vfio_fuzz "$grp" "$seed" "${DDW_FUZZ_V1_CALLS:-3000}" v1 >/tmp/fuzz-v1.txt 2>&1 || rc=1
rmmod spapr_tce_ddw
unloaded=$?
for t in v2 v1; do
	echo "== $t container"
	grep -E '^(fuzz|MISMATCH|FAILED|  (want|got|[0-9]+ reopens|v[12] container))' /tmp/fuzz-$t.txt |
		head -n 200
done
[ $rc -eq 0 ] || fail "spapr-tce-v2 and the model differ (seed $seed)"
[ $unloaded -eq 0 ] || fail "spapr_tce_ddw does not unload"
