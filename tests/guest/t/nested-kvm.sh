# timeout: 600
# The seed's scenario as users run it: the nested pseries guest under
# KVM-HV, its NVMe on spapr-tce-v2.  QEMU hands the group to KVM's
# in-kernel TCE tables: the guest's H_PUT_TCE write our tables through
# their ops, never through MAP_DMA.  DMA, a reboot (QEMU unmaps, removes
# and remakes the windows), DMA again, shutdown: then nothing is left.
. /tests/lib.sh
[ -x /usr/bin/qemu-system-ppc64 ] || skip "no nested QEMU in this image (see mknested.sh)"
NESTED_PATTERN_AT_MIB=32
nested_kvm spapr-tce-v2
