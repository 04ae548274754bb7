# pnv_ioda2_ddw unloads and reloads ten times with the NVMe on vfio-pci and
# ten times with it on nvme; VFIO works after.  Unload is refused while a
# container holds the group, and works once it lets go.
. /tests/lib.sh
[ "$(kernel_series)" = 6.1 ] || skip "no IOMMU glue on Linux $(kernel_series): the kernel's own IOMMU ops"
grp=$(nvme_to_vfio) || exit 1
modprobe vfio_iommu_spapr_tce || fail "modprobe vfio_iommu_spapr_tce failed"
cycle() {
	i=0
	while [ $i -lt 10 ]; do
		rmmod pnv_ioda2_ddw || fail "$1: cycle $i: rmmod failed"
		modprobe pnv_ioda2_ddw || fail "$1: cycle $i: modprobe failed"
		i=$((i + 1))
	done
	echo "$1: 10 unload/reload cycles"
}
cycle "on vfio-pci"
/tests/bin/vfio_spapr v2-sequence "$grp" >/tmp/seq.log || { cat /tmp/seq.log; fail "v2 sequence after reloads failed"; }
nvme_md5 >/dev/null || fail "nvme cannot read"
cycle "on nvme"
bdf=$(nvme_bdf)
bind_driver "$bdf" vfio-pci || fail "vfio-pci bind after reloads failed"
/tests/bin/vfio_spapr v2-sequence "$grp" >/tmp/seq.log || { cat /tmp/seq.log; fail "v2 sequence failed"; }
echo "v2 sequence after the reloads: ok"

hold_start hold "$grp" /tmp/go
rmmod pnv_ioda2_ddw 2>/tmp/rmmod.err && fail "unloaded while VFIO holds group $grp"
echo "unload refused while a container holds the group: $(cat /tmp/rmmod.err)"
touch /tmp/go
wait
rmmod pnv_ioda2_ddw || fail "rmmod after the holder let go failed"
echo "unloaded after the holder let go"
[ -e /sys/class/iommu/pnv-ddw-phb0000 ] && fail "IOMMU device left in sysfs"
modprobe pnv_ioda2_ddw || fail "reload failed"
/tests/bin/vfio_spapr v2-sequence "$grp" >/tmp/seq.log || { cat /tmp/seq.log; fail "v2 sequence after all failed"; }
echo "v2 sequence after the refused unload: ok"
