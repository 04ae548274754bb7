# spapr-tce-v2 (ours) serves a new container when loaded after the in-tree
# backend, and runs the whole v2 sequence; the nvme driver reads the
# host's data after.
. /tests/lib.sh
modprobe vfio_iommu_spapr_tce || fail "modprobe vfio_iommu_spapr_tce failed"
app_sequence v2
