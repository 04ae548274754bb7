# modprobe spapr_tce_ddw pulls pnv_ioda2_ddw in by its symbol dependency.
. /tests/lib.sh
mod_loaded pnv_ioda2_ddw && fail "pnv_ioda2_ddw loaded before the test"
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
mod_loaded spapr_tce_ddw || fail "spapr_tce_ddw not in /sys/module"
mod_loaded pnv_ioda2_ddw || fail "pnv_ioda2_ddw was not pulled in"
[ -e /sys/module/pnv_ioda2_ddw/holders/spapr_tce_ddw ] ||
	fail "spapr_tce_ddw does not hold pnv_ioda2_ddw"
lsmod
