# Two groups (the NVMes on two PHBs) in one spapr-tce-v2 container: the
# second joins after a window exists and gets it programmed too; leaving,
# its PE goes back to the kernel while the first keeps the window.
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
bdf2=$(nvme_bdf 2) || skip "no second NVMe on this machine"
bind_driver "$bdf2" vfio-pci || fail "vfio-pci did not bind $bdf2"
grp2=$(basename "$(readlink /sys/bus/pci/devices/$bdf2/iommu_group)")
[ "$grp2" != "$grp" ] || fail "both NVMes in group $grp"
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
/tests/bin/vfio_spapr two-groups "$grp" "$grp2" || fail "two groups in one container failed"
rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"
