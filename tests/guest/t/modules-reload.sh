# Ten load/unload cycles; the runner fails the test on any kernel warning.
. /tests/lib.sh
i=0
while [ $i -lt 10 ]; do
	modprobe spapr_tce_ddw || fail "cycle $i: modprobe failed"
	cat /sys/kernel/debug/spapr_ddw/pes >/dev/null || fail "cycle $i: no pes"
	modprobe -r spapr_tce_ddw pnv_ioda2_ddw || fail "cycle $i: modprobe -r failed"
	mod_loaded pnv_ioda2_ddw && fail "cycle $i: pnv_ioda2_ddw still loaded"
	i=$((i + 1))
done
echo "$i cycles"
