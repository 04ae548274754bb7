# Both modules unload and say so; the debugfs directory goes with them.
. /tests/lib.sh
rmmod spapr_tce_ddw || fail "rmmod spapr_tce_ddw failed"
rmmod pnv_ioda2_ddw || fail "rmmod pnv_ioda2_ddw failed"
mod_loaded spapr_tce_ddw && fail "spapr_tce_ddw still loaded"
mod_loaded pnv_ioda2_ddw && fail "pnv_ioda2_ddw still loaded"
[ -e /sys/kernel/debug/spapr_ddw ] && fail "debugfs directory left behind"
klog | grep -q 'pnv_ioda2_ddw: unloaded' || fail "no unload message"
exit 0
