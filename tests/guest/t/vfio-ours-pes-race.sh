# debugfs "pes" read 10,000 times while another process creates and
# removes a window 10,000 times on a PE it shows: no oops, no warning.
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
/tests/bin/vfio_limits pes-race "$grp" 10000 || fail "pes raced window teardown"
rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"
