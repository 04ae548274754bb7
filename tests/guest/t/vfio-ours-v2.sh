# spapr-tce-v2 (ours) serves a new container when loaded after the in-tree
# backend, and runs the whole v2 sequence; the nvme driver reads the
# host's data after.
. /tests/lib.sh
# After it: VFIO asks the backend registered last first.
if mod_loaded spapr_tce_ddw && ! mod_loaded vfio_iommu_spapr_tce; then
	rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"
fi
modprobe vfio_iommu_spapr_tce || fail "modprobe vfio_iommu_spapr_tce failed"
app_sequence v2
