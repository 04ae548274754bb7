# timeout: 1200
# Lifecycle: while a container holds memory mapped, neither module unloads
# (the module references of an open container); then DDW_CYCLES (100)
# cycles of load, use (the whole v2 sequence: register, create, map with
# DMA, unmap, remove, unregister), unload, and the kernel's NVMe driver
# reading back what the host wrote, after each.  Nothing may be left:
# the runner fails the test on any kernel warning, no-leaks checks the
# tables after it.
. /tests/lib.sh
cycles=${DDW_CYCLES:-100}
grp=$(nvme_to_vfio) || exit 1
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
hold_start hold-mapped "$grp" /tmp/lifecycle-go
rmmod spapr_tce_ddw 2>/dev/null && fail "spapr_tce_ddw unloaded under an open container"
rmmod pnv_ioda2_ddw 2>/dev/null && fail "pnv_ioda2_ddw unloaded under an open container"
refs=$(cat /sys/module/spapr_tce_ddw/refcnt)
[ "$refs" -ge 1 ] || fail "an open container holds no reference to spapr_tce_ddw ($refs)"
echo "with a container open: both unloads refused, spapr_tce_ddw refcnt $refs"
touch /tmp/lifecycle-go
wait $holder
rmmod spapr_tce_ddw || fail "spapr_tce_ddw still held after the container closed"

i=0
start=$(date +%s)
while [ $i -lt "$cycles" ]; do
	grp=$(nvme_to_vfio) || fail "cycle $i: no vfio-pci"
	modprobe spapr_tce_ddw || fail "cycle $i: modprobe failed"
	DDW_EXPECT_BACKEND=spapr-tce-v2 /tests/bin/vfio_spapr v2-sequence "$grp" >/tmp/cycle.log 2>&1 ||
		{ cat /tmp/cycle.log; fail "cycle $i: the v2 sequence failed"; }
	ls /sys/kernel/debug/spapr_ddw/vfio | grep -q container- && fail "cycle $i: container left"
	rmmod spapr_tce_ddw 2>/tmp/rmmod.err ||
		fail "cycle $i: spapr_tce_ddw does not unload: $(cat /tmp/rmmod.err)"
	# vfio-pci lets the device go; then pnv_ioda2_ddw unloads (6.1: it
	# serves vfio-pci's IOMMU group).
	modprobe nvme || fail "cycle $i: modprobe nvme failed"
	bind_driver "$(nvme_bdf)" nvme || fail "cycle $i: nvme does not bind"
	rmmod pnv_ioda2_ddw 2>/tmp/rmmod.err ||
		fail "cycle $i: pnv_ioda2_ddw does not unload: $(cat /tmp/rmmod.err)"
	mod_loaded pnv_ioda2_ddw && fail "cycle $i: pnv_ioda2_ddw still loaded"
	md5=$(nvme_md5) || fail "cycle $i: nvme cannot read"
	[ "$md5" = "$DDW_DISK_MD5" ] || fail "cycle $i: nvme read $md5, host wrote $DDW_DISK_MD5"
	i=$((i + 1))
done
echo "figures: $i load/use/unload cycles, nvme read back after each"
echo "cycles: $i load/use/unload cycles, the NVMe driver read back the host's data after each ($(($(date +%s) - start)) s)"
