# timeout: 600
# The reference for nested-kvm: the same guest, reboot and checks with the
# in-tree vfio_iommu_spapr_tce backend (on our 6.1 IOMMU glue).
. /tests/lib.sh
[ -x /usr/bin/qemu-system-ppc64 ] || skip "no nested QEMU in this image (see mknested.sh)"
NESTED_PATTERN_AT_MIB=48
nested_kvm in-tree
