# The modules DKMS built (copied to /dkms by the host) load and unload.
. /tests/lib.sh
[ -r /dkms/pnv_ioda2_ddw.ko ] || skip "no DKMS-built modules in this image"
# insmod does not resolve dependencies: load the kernel's first.
modprobe vfio || fail "modprobe vfio failed"
# 6.12 has no vfio_spapr_eeh: folded into vfio_iommu_spapr_tce.
if [ "$(kernel_series)" = 6.1 ]; then
	modprobe vfio_spapr_eeh || fail "modprobe vfio_spapr_eeh failed"
fi
insmod /dkms/pnv_ioda2_ddw.ko || fail "insmod pnv_ioda2_ddw failed"
insmod /dkms/spapr_tce_ddw.ko || { rmmod pnv_ioda2_ddw; fail "insmod spapr_tce_ddw failed"; }
[ "$(cat /sys/module/spapr_tce_ddw/version)" = "$VERSION" ] || fail "wrong version"
[ -e /sys/kernel/debug/spapr_ddw/pes ] || fail "no debugfs"
rmmod spapr_tce_ddw && rmmod pnv_ioda2_ddw || fail "rmmod failed"
