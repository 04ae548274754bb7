# The modules DKMS built (copied to /dkms by the host) load and unload.
. /tests/lib.sh
[ -r /dkms/pnv_ioda2_ddw.ko ] || skip "no DKMS-built modules in this image"
insmod /dkms/pnv_ioda2_ddw.ko || fail "insmod pnv_ioda2_ddw failed"
insmod /dkms/spapr_tce_ddw.ko || fail "insmod spapr_tce_ddw failed"
[ "$(cat /sys/module/spapr_tce_ddw/version)" = "$VERSION" ] || fail "wrong version"
[ -e /sys/kernel/debug/spapr_ddw/pes ] || fail "no debugfs"
rmmod spapr_tce_ddw && rmmod pnv_ioda2_ddw || fail "rmmod failed"
