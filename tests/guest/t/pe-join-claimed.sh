# Linux 6.12: a function a rescan adds to a group a container holds joins
# the group, and the kernel's blocked domain takes the PE for it.  The
# platform's take unsets window 0 and drops a reference to its table if it
# finds one: the container's default window must stay programmed, its
# table alive, and everything be given back when the holder lets go.
. /tests/lib.sh
[ "$(kernel_series)" = 6.12 ] || skip "6.1 adopts devices in its IOMMU glue: see glue-multifunction"
mf_functions || skip "no two-function NVMe (run-vm.sh adds one for the multifunction plan)"
pe_block() { sed -n "/^group $grp:/,/^group /p" /sys/kernel/debug/spapr_ddw/pes; }
modprobe vfio-pci || fail "modprobe vfio-pci failed"
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
rmmod nvme 2>/dev/null
grp=$(group_of "$f0")
[ "$(group_of "$f1")" = "$grp" ] || fail "$f0 and $f1 are not in one group"
bind_driver "$f0" vfio-pci || fail "vfio-pci did not bind $f0"
# A v2 container with the default window (window 0) and a mapped DDW.
hold_start hold-mapped "$grp" /tmp/go
pe_block | grep -q '^  window 0: ' || fail "no window 0 programmed while held"
echo 1 >/sys/bus/pci/devices/$f1/remove
echo 1 >/sys/bus/pci/rescan
[ "$(group_of "$f1")" = "$grp" ] || fail "$f1 did not join group $grp"
echo "$f1 rescanned into group $grp while a container holds it"
pe_block | grep '^  window' | sed 's/^/  /'
pe_block | grep -q '^  window 0: ' || fail "the kernel's take for $f1 unset the container's window 0"
state=$(cat /sys/kernel/debug/spapr_ddw/vfio/container-*/state)
echo "$state" | grep -q '^window 1: .* entries_used [1-9]' || fail "the DDW's mappings are gone"
touch /tmp/go
wait $holder || { cat /tmp/hold.log; fail "holder failed"; }
holder=
ls /sys/kernel/debug/spapr_ddw/vfio | grep -q container- && fail "container left"
grep -q '^tables_live: 0$' /sys/kernel/debug/spapr_ddw/tce_tables || fail "tables of ours left"
rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"
# Both functions work with the kernel's nvme driver again.
modprobe nvme || fail "modprobe nvme failed"
for f in $f0 $f1; do
	bind_driver "$f" nvme || fail "nvme did not bind $f"
done
echo "holder gone, both functions on nvme"
