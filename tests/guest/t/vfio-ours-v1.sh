# spapr-tce-v2 (ours) serves v1 containers on IODA2 PEs, which the in-tree
# backend refuses (vfio-intree-v2): the default window only, pages pinned
# by MAP_DMA until UNMAP_DMA, VFIO_IOMMU_ENABLE charging the window to
# locked_vm; the v2-only ioctls get -ENOTTY; closing gives everything back.
. /tests/lib.sh
app_sequence v1
