# The only device of a group removed while a VFIO container holds the group
# (the 6.1 core does not detach it from the blocking domain): once the holder
# lets go, no PE is left owned, pnv_ioda2_ddw unloads, and the device, found
# again by a rescan, works with its kernel driver.
. /tests/lib.sh
[ "$(kernel_series)" = 6.1 ] || skip "no IOMMU glue on Linux $(kernel_series): the kernel's own IOMMU ops"
holder=
# Whatever failed, later tests find the holder gone and the device back.
cleanup() {
	touch /tmp/go
	[ -n "$holder" ] && wait $holder
	modprobe pnv_ioda2_ddw
	echo 1 >/sys/bus/pci/rescan
}
trap cleanup EXIT
modprobe -r spapr_tce_ddw 2>/dev/null
grp=$(nvme_to_vfio) || exit 1
bdf=$(nvme_bdf)
modprobe vfio_iommu_spapr_tce || fail "modprobe vfio_iommu_spapr_tce failed"
glue() { sed -n "s/^$1: //p" /sys/kernel/debug/spapr_ddw/iommu_glue; }
owners() { grep -c 'owner: external' /sys/kernel/debug/spapr_ddw/pes; }
hold_start hold "$grp" /tmp/go
[ "$(owners)" -eq 1 ] || fail "group $grp not owned while held"
echo "held: $(glue blocked) blocked, module refcount $(cat /sys/module/pnv_ioda2_ddw/refcnt)"
echo 1 >/sys/bus/pci/devices/$bdf/remove
[ -e /sys/bus/pci/devices/$bdf ] && fail "$bdf not removed"
echo "removed $bdf while held: $(glue blocked) blocked, $(glue unblocked) unblocked"
touch /tmp/go
wait $holder || { cat /tmp/hold.log; fail "holder failed"; }
holder=
b=$(glue blocked) u=$(glue unblocked) rc=$(cat /sys/module/pnv_ioda2_ddw/refcnt)
echo "holder gone: $b blocked, $u unblocked, PEs owned $(owners), module refcount $rc"
[ "$b" -eq "$u" ] || fail "a blocking domain still holds its PE ($b blocked, $u unblocked)"
[ "$(owners)" -eq 0 ] || fail "a PE is still owned"
rmmod vfio_iommu_spapr_tce vfio-pci vfio 2>/dev/null
rmmod pnv_ioda2_ddw || fail "pnv_ioda2_ddw does not unload (refcount $rc)"
modprobe pnv_ioda2_ddw || fail "reload failed"
echo 1 >/sys/bus/pci/rescan
[ -e /sys/bus/pci/devices/$bdf ] || fail "$bdf not found by the rescan"
md5=$(nvme_md5) || fail "nvme cannot read after the rescan"
[ "$md5" = "$DDW_DISK_MD5" ] || fail "nvme read $md5, host wrote $DDW_DISK_MD5"
echo "rescanned $bdf: nvme reads the host's data"
