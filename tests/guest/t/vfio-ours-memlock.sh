# Without CAP_IPC_LOCK, RLIMIT_MEMLOCK bounds what spapr-tce-v2 pins and
# charges; what would exceed it is refused and charges nothing.
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
/tests/bin/vfio_spapr memlock "$grp" || fail "memlock checks failed"
rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"
