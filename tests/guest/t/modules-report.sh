# Both modules say who they are in dmesg and /sys/module, and
# pnv_ioda2_ddw finds the NVMe's PE with the machine's page sizes.
. /tests/lib.sh
for m in pnv_ioda2_ddw spapr_tce_ddw; do
	v=$(cat /sys/module/$m/version) || fail "$m: no /sys/module/$m/version"
	[ "$v" = "$VERSION" ] || fail "$m: version '$v', expected '$VERSION'"
	klog | grep -q "$m: version $VERSION" || fail "$m: no version line in dmesg"
done
pes=/sys/kernel/debug/spapr_ddw/pes
cat $pes || fail "no $pes"
bdf=$(nvme_bdf) || fail "no NVMe controller on the PCI bus"
grp=$(basename "$(readlink /sys/bus/pci/devices/$bdf/iommu_group)")
grep -q "^group $grp: .*$bdf" $pes || fail "$bdf (group $grp) not listed"
n=$(grep -c '^group ' $pes)
klog | grep -q "pnv_ioda2_ddw: version $VERSION, $n IODA2 PEs" ||
	fail "dmesg does not count $n PEs"
want=$(expected_pgsizes)
got=$(sed -n "/^group $grp:/,/^group /s/^  page_sizes://p" $pes)
[ "$got" = "$want" ] || fail "page sizes '$got', expected '$want' on $DDW_MACHINE"
# The kernel's default 32-bit window is programmed while no one owns the PE.
sed -n "/^group $grp:/,/^group /p" $pes | grep -q '^  window 0: bus 0x0 ' ||
	fail "no default window 0 on group $grp"
