# Two functions of one slot share a PE, so one IOMMU group.  A function a
# rescan found again with no driver to bind sits in the group beside one on
# vfio-pci: VFIO takes the group and gives it back, and a function rescanned
# into the group while a container holds it joins it; the PE is the
# kernel's again after each, and nvme works on both functions.
. /tests/lib.sh
[ "$(kernel_series)" = 6.1 ] || skip "no IOMMU glue on Linux $(kernel_series): the kernel's own IOMMU ops"
mf_functions || fail "no two-function NVMe (run-vm.sh adds one for the multifunction plan)"
modprobe pnv_ioda2_ddw || fail "modprobe pnv_ioda2_ddw failed"
modprobe vfio-pci || fail "modprobe vfio-pci failed"
modprobe vfio_iommu_spapr_tce || fail "modprobe vfio_iommu_spapr_tce failed"
grp=$(group_of "$f0")
[ "$(group_of "$f1")" = "$grp" ] || fail "$f0 and $f1 are not in one group"
owned() { grep -A 8 "^group $grp:" /sys/kernel/debug/spapr_ddw/pes | grep -q 'owner: external'; }
# Nothing may bind the function the rescan finds.
rmmod nvme 2>/dev/null
rescan() {
	echo 1 >/sys/bus/pci/devices/$f1/remove
	[ -e /sys/bus/pci/devices/$f1 ] && fail "$f1 not removed"
	echo 1 >/sys/bus/pci/rescan
	[ -e /sys/bus/pci/devices/$f1 ] || fail "$f1 not found by the rescan"
	[ -e /sys/bus/pci/devices/$f1/driver ] && fail "a driver bound $f1"
	[ "$(group_of "$f1")" = "$grp" ] || fail "$f1 left group $grp"
}
rescan
echo "$f1 rescanned, no driver, in group $grp beside $f0"
[ -e /sys/bus/pci/devices/$f1/iommu ] || fail "$f1 not adopted when the rescan added it"
bind_driver "$f0" vfio-pci || fail "vfio-pci did not bind $f0"
/tests/bin/vfio_spapr v2-sequence "$grp" >/tmp/seq.log || { cat /tmp/seq.log; fail "v2 sequence failed"; }
owned && fail "group $grp still owned after the container closed"
echo "v2 sequence with driverless $f1 in the group: ok"

hold_start hold "$grp" /tmp/go
owned || fail "group $grp not owned while held"
rescan
owned || fail "group $grp not owned after $f1 joined it"
[ -e /sys/bus/pci/devices/$f1/iommu ] || fail "$f1 not adopted when added"
echo "$f1 rescanned into group $grp while a container holds it"
touch /tmp/go
wait $holder || { cat /tmp/hold.log; fail "holder failed"; }
holder=
owned && fail "group $grp still owned after the holder let go"
echo "holder gone: the PE is the kernel's"

# The kernel's DMA setup is back for both functions.
modprobe nvme || fail "modprobe nvme failed"
for f in $f0 $f1; do
	bind_driver "$f" nvme || fail "nvme did not bind $f"
	i=0
	ns=
	while [ -z "$ns" ] && [ $i -lt 100 ]; do
		ns=$(ls /sys/bus/pci/devices/$f/nvme/nvme*/ 2>/dev/null | grep -m1 '^nvme[0-9]*n1$')
		[ -n "$ns" ] && [ -b "/dev/$ns" ] || { ns=; sleep 0.1; }
		i=$((i + 1))
	done
	[ -n "$ns" ] || fail "nvme found no namespace on $f"
	dd if=/dev/$ns of=/dev/null bs=64k count=16 iflag=direct 2>/dev/null || fail "nvme cannot read $f"
done
echo "nvme reads both functions"
rmmod pnv_ioda2_ddw || fail "pnv_ioda2_ddw does not unload"
